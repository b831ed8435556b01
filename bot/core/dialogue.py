"""The dialogue: one inbound event in, what to say out. Knows nothing of Telegram or the terminal.

State lives in the database (one row per private chat), read at the start of each event and saved at its
end, so a restart in the middle of an intake or a handoff continues where it was. The catalog is read once
per event from `self.catalog`, which a reload replaces whole.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial

from bot.catalog.model import Catalog
from bot.core import commands, freetext, languages
from bot.core.advisor_desk import AdvisorDesk
from bot.core.aftercare import Aftercare
from bot.core.alerts import AlertDesk
from bot.core.announcements import Announcer
from bot.core.answers import Answers
from bot.core.clock import utcnow
from bot.core.entrepreneur_buttons import EntrepreneurButtons
from bot.core.entrepreneur_desk import EntrepreneurDesk
from bot.core.hub_groups import GroupRights, HubGroups
from bot.core.moderation import FloodGate, LinkedChats, Moderation
from bot.core.ports import Clock, Store
from bot.core.referral_partner import PartnerDesk
from bot.core.referrals import ReferralDesk
from bot.core.reminders import Reminders
from bot.core.steps import Step
from bot.core.text import bold, fmt, plain
from bot.core.thread import AdvisorChat, DeskServices, HandoffThread, catalog_advisor_chat
from bot.core.turn import Turn
from bot.core.types import Conversation, Handoff, Inbound, Outcome, Person, is_group_chat
from bot.i18n import I18n, pick_language
from bot.understanding.normalize import normalize
from bot.understanding.schema import LanguageFile
from bot.understanding.understand import Understander
from bot.understanding.understanding import Understanding

HANDOFF_COMMANDS = ("end", "help", "privacy", "forget", "language")  # what counts during a request
Command = Callable[[Turn], Awaitable[None]]


class Dialogue:
    """Turns inbound events into outcomes, for every adapter alike: an entrepreneur's private chat here (its
    buttons in `entrepreneur_buttons`, its requests at the entrepreneur's desk), a hub's group at the advisors'
    desk."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        store: Store,
        i18n: I18n,
        retention_days: int,
        advisor_chat: AdvisorChat = catalog_advisor_chat,
        language_data: dict[str, LanguageFile] | None = None,
        now: Clock = utcnow,
        admin_chat_id: int | None = None,
        email_referrals: bool = False,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.i18n = i18n
        self.retention_days = retention_days
        self.language_data = language_data or {}
        self._building = asyncio.Lock()  # a language built on its first message (`_hear`)
        self.admin_chat_id = admin_chat_id
        self.links = LinkedChats(advisor_chat)  # the catalog's advisor chats, overridden by /link
        services = DeskServices(store, i18n, self.links, now)
        thread = HandoffThread(services)
        moderation = Moderation(services, thread, self.links, FloodGate(), admin_chat_id)
        self.entrepreneur_desk = EntrepreneurDesk(services, thread, moderation)
        self.advisor_desk = AdvisorDesk(services, thread, moderation, admin_chat_id)
        self.hub_groups = HubGroups(services)
        self.aftercare = Aftercare(services, thread, self.entrepreneur_desk.request)
        self.reminders = Reminders(services, thread, self.aftercare.follow_up)
        self.answers = Answers(self.entrepreneur_desk.request)
        self.alerts = AlertDesk(services)
        self.referrals = ReferralDesk(services)  # warm referrals (docs/referrals.md)
        self.email_referrals = email_referrals  # the bot can send e-mail: referrals to partners' e-mail
        self.partners = PartnerDesk(services)
        self.announcer = Announcer(services)
        self.buttons = EntrepreneurButtons(
            store=store,
            answers=self.answers,
            desk=self.entrepreneur_desk,
            aftercare=self.aftercare,
            i18n=i18n,
            alerts=self.alerts,
            referrals=self.referrals,
        )
        self.commands = command_table(self.entrepreneur_desk, i18n, self.alerts)
        self.messages = message_table(self.entrepreneur_desk, self.aftercare)
        self.messages[Step.REFERRAL] = self.referrals.question

    def prepare(self, catalog: Catalog) -> Understander:
        """The understander of a catalog (it knows its places) and of this dialogue's language data, built once;
        a reload builds it off the loop. Kept on the catalog with the language data it was built from: a
        catalog shared by two dialogues with different language data (the tests do) never gets the other's."""
        cached: tuple[object, Understander] | None = catalog.__dict__.get("_understander")
        if cached is None or cached[0] is not self.language_data:
            # the languages read but not answered in (Arabic in Québec) are built on their first message (`_hear`)
            cached = (self.language_data, Understander(self.language_data, catalog))
            catalog.__dict__["_understander"] = cached
        return cached[1]

    def offered_languages(self, catalog: Catalog) -> tuple[str, ...]:
        """The network's languages that have translations."""
        return languages.offered(self.i18n, catalog)

    async def handle(self, event: Inbound) -> Outcome:
        """Handle one event from a private chat (entrepreneur) or a group (hub advisors)."""
        catalog = self.catalog
        if (event.button or event.command) and (partner := await self.partners.handle(event, catalog)):
            return partner  # a partner's answer to a referral, from any chat
        if not event.private:
            return await self.advisor_desk.handle(event, catalog)
        offered = self.offered_languages(catalog)
        conv = await self.store.get_conversation(chat_id=event.chat_id)
        if conv is None or conv.lang not in offered:
            lang = self._first_language(event, offered, catalog)
            conv = replace(conv, lang=lang) if conv else Conversation(chat_id=event.chat_id, lang=lang)
        turn = Turn(
            catalog,
            conv,
            self.i18n.get(conv.lang),
            self.i18n.get(catalog.default_language),
            event,
            self.retention_days,
            email_referrals=self.email_referrals,
        )
        if event.command:
            await self._command(turn, event.command)
        elif event.button:
            await self.buttons.press(turn, event.button)
        else:
            await self._message(turn, offered)
        if event.button and turn.conv.updated_at is None:
            turn.forgotten = True  # a stale button of a forgotten user must not recreate their row
        if not turn.forgotten:
            await self.store.save_conversation(turn.conv)
        if turn.unmet is not None:
            await self.store.record_unmet(network=catalog.network.id, profile=turn.unmet)
        if turn.gaps:
            await self.store.record_gaps(
                network=catalog.network.id, profile=turn.conv.profile, needs=turn.gaps
            )
        if turn.events:
            await self.entrepreneur_desk.services.record(catalog, *turn.events)
        return Outcome(tuple(turn.replies), turn.notice)

    def group_joined(self, chat_id: int, rights: GroupRights) -> Outcome:
        """The bot was added to a group or its rights changed: say what the group is for, report what is missing."""
        return self.hub_groups.group_joined(chat_id, self.catalog, rights, self.admin_chat_id)

    def group_left(self, chat_id: int) -> Outcome:
        """The bot was removed from a group: a hub's group is reported to the admins."""
        return self.hub_groups.group_left(chat_id, self.catalog, self.admin_chat_id)

    def lacks_rights(self, chat_id: int) -> Outcome:
        """A hub group where the bot cannot create topics: requests go on as replies to their card."""
        return self.hub_groups.lacks_rights(chat_id, self.catalog, self.admin_chat_id)

    async def tick(self) -> Outcome:
        """Reminders, escalations and follow-ups that are due."""
        outcome = await self.reminders.tick(self.catalog)
        return Outcome(outcome.replies + tuple(await self.referrals.tick(self.catalog)), outcome.notice)

    async def alerts_tick(self) -> Outcome:
        """Opportunity alerts due: a catalog not compared yet announced, deadline reminders (docs/alerts.md);
        the adapter posts them as a mass sending, after live replies."""
        return await self.announcer.tick(self.catalog)

    async def announce(self) -> Outcome:
        """After a catalog reload: its new or reopened opportunities, once to each subscriber they fit."""
        return await self.announcer.announce(self.catalog)

    async def load_links(self) -> None:
        """The hub groups linked with /link, from the database: routing uses them over hubs.yaml."""
        self.links.replace(await self.store.hub_links())

    async def user_blocked(self, chat_id: int) -> Outcome:
        """The entrepreneur blocked the bot: their opportunity alerts go; an open handoff closes and its thread
        is told why."""
        await self.store.drop_subscriber(chat_id=chat_id)
        conv = await self.store.get_conversation(chat_id=chat_id)
        if conv is None or conv.handoff_id is None:
            return Outcome()
        turn = Turn(
            self.catalog,
            conv,
            self.i18n.get(conv.lang),
            self.i18n.get(self.catalog.default_language),
            Inbound(chat_id, Person(chat_id)),
            self.retention_days,
        )
        await self.entrepreneur_desk.end_by_user(turn, reason="blocked")
        await self.store.save_conversation(turn.conv)
        return Outcome(tuple(turn.replies))

    def _first_language(self, event: Inbound, offered: tuple[str, ...], catalog: Catalog) -> str:
        """Telegram's language when the network offers it; else the language of the first message."""
        code = (event.sender.language_code or "").replace("_", "-").split("-")[0].lower()
        if code in offered or not event.text or event.command:
            return pick_language(event.sender.language_code, offered, catalog.default_language)
        understander = self.prepare(catalog)
        detected = understander.detect(event.text, normalize(event.text).split())
        return detected if detected in offered else catalog.default_language

    async def delivered(self, track: str, chat_id: int, message_id: int) -> None:
        """An adapter reports the id of a message it sent for a tracked reply: it joins the handoff's thread."""
        kind, _sep, raw_id = track.partition(":")
        if kind in ("card", "relay") and raw_id.isdigit():
            await self.store.link_message(
                hub_chat_id=chat_id, message_id=message_id, handoff_id=int(raw_id), card=kind == "card"
            )

    async def undelivered(self, track: str) -> Outcome:
        """An adapter could not send a tracked reply: a handoff card that never arrived closes its handoff; a
        referral that never reached its partner fails, and its entrepreneur is told."""
        if track.startswith("referral:"):
            return await self.partners.undelivered(track, self.catalog)
        return await self.entrepreneur_desk.undelivered(track, self.catalog)

    async def unreachable(self, chat_id: int, handoff_id: int | None) -> Outcome:
        """A chat the bot can no longer write to: an entrepreneur who blocked it, or a hub group it lost. Their
        open request closes, and whoever can still be reached is told."""
        if not is_group_chat(chat_id):
            return await self.user_blocked(chat_id)
        handoff = await self.store.get_handoff(handoff_id=handoff_id) if handoff_id else None
        if handoff is None or not handoff.is_open or handoff.hub_chat_id != chat_id:
            return Outcome()
        return await self.entrepreneur_desk.undelivered(f"card:{handoff.id}", self.catalog)

    async def thread_of(self, handoff_id: int) -> Handoff | None:
        """Where a handoff's thread is now (its hub chat, topic and card), for an adapter about to send."""
        return await self.store.get_handoff(handoff_id=handoff_id)

    async def topic_opened(self, handoff_id: int, topic_id: int | None, chat_id: int) -> None:
        """The handoff's forum topic in `chat_id` exists (or, with None, is gone: the thread falls back to its
        card). Nothing changes if the handoff has moved to another chat since."""
        await self.store.update_handoff(handoff_id=handoff_id, topic_id=topic_id, in_chat=chat_id)

    def is_hub_chat(self, chat_id: int) -> bool:
        """Whether this group is a hub's advisor chat (where members may act on requests)."""
        return self.advisor_desk.hub_of_chat(self.catalog, chat_id) is not None

    async def edited(self, event: Inbound) -> Outcome:
        """An entrepreneur edited a private message: during a request the advisors get the new version."""
        return await self.entrepreneur_desk.edited_by_user(event, self.catalog)

    def switch_language(self, turn: Turn, lang: str) -> None:
        """Speak `lang` from now on, and ask the open question again in it."""
        languages.switch(turn, self.i18n, lang)

    def request_advisor(self, turn: Turn) -> None:
        self.entrepreneur_desk.request(turn)

    # -- commands: a dispatch table by name ----------------------------------------------------------------

    async def _command(self, turn: Turn, command: str) -> None:
        _ = turn._
        if turn.conv.handoff_id is not None and command not in HANDOFF_COMMANDS:
            turn.say(fmt(_("You are talking with an advisor. Send {command} first."), command=bold("/end")))
        elif (run := self.commands.get(command)) is not None:
            await run(turn)
        else:
            turn.say(
                fmt(
                    _("I do not know that command. Send {command} to see what I can do."),
                    command=bold("/help"),
                )
            )

    # -- free text ---------------------------------------------------------------------------------------

    async def _message(self, turn: Turn, offered: tuple[str, ...]) -> None:
        step = turn.step
        if turn.conv.handoff_id is not None and step in (Step.HANDOFF, Step.FORGET):
            # While a request is open everything reaches the advisors, the /forget question pending or not.
            if not await self.entrepreneur_desk.relay_from_user(turn):
                self.aftercare.offer_new(turn)
        elif step is not None and (at_step := self.messages.get(step)) is not None:
            await at_step(turn)
        elif not turn.event.text:
            turn.say((plain(turn._("I can only read text here.")),))
        elif step is Step.FORGET:
            commands.confirm_forget(turn)
        else:
            heard = await self._hear(turn)
            if self.answers.typed(turn, heard):
                return
            greeted = step is None and turn.conv.updated_at is None
            if greeted:
                commands.start(turn, None)
            freetext.respond(turn, heard, self, offered, greeted=greeted)

    async def _hear(self, turn: Turn) -> Understanding:
        """What the message says; Arabic (script or Arabizi) is read as Arabic whatever the conversation's
        language, even in a network that does not answer in Arabic (understand.py: `reading_language`). The
        first such message has that language built in a worker thread (about 80 ms): it waits, no one else."""
        understander = self.prepare(turn.catalog)
        text = turn.event.text
        lang = understander.reading_language(text, turn.lang)
        if not understander.built(lang):
            async with self._building:  # two first messages build it once
                if not understander.built(lang):
                    await asyncio.to_thread(understander.build, lang)
        return understander.understand(text, lang)


# -- the tables: functions and other objects' methods, so that nothing in them refers back to the dialogue ---


def command_table(desk: EntrepreneurDesk, i18n: I18n, alerts: AlertDesk) -> dict[str, Command]:
    """The entrepreneur's commands, by name."""
    return {
        "start": at_once(lambda turn: commands.start(turn, turn.event.args[0] if turn.event.args else None)),
        "restart": at_once(lambda turn: commands.start(turn, turn.conv.hub_id)),
        "help": at_once(_help),
        "privacy": at_once(commands.privacy),
        "language": at_once(lambda turn: commands.language_menu(turn, languages.offered(i18n, turn.catalog))),
        "forget": at_once(commands.confirm_forget),
        "profile": at_once(commands.show_profile),
        "advisor": at_once(desk.request),
        "alerts": alerts.show,
        "end": partial(_end, desk),
    }


def message_table(desk: EntrepreneurDesk, aftercare: Aftercare) -> dict[Step, Command]:
    """What a message means at the steps that read it neither as an answer nor as free text."""
    return {
        Step.QUESTION: desk.submit,
        Step.CONSENT: at_once(desk.request),  # consent has its own button, never a guess at free text
        Step.COMMENT: aftercare.comment,
        Step.RATING: at_once(aftercare.offer_new),
        Step.CLOSED: at_once(aftercare.offer_new),
    }


def at_once(act: Callable[[Turn], None]) -> Command:
    """A synchronous step of the dialogue, in a table of awaitable ones."""

    async def run(turn: Turn) -> None:
        act(turn)

    return run


def _help(turn: Turn) -> None:
    commands.help_text(turn)
    freetext.reask(turn)


async def _end(desk: EntrepreneurDesk, turn: Turn) -> None:
    if turn.conv.handoff_id is not None:
        await desk.end_by_user(turn)
    else:
        turn.say((plain(turn._("You are not talking with an advisor right now.")),))
