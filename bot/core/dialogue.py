"""The dialogue: one inbound event in, what to say out. Knows nothing of Telegram or the terminal.

State lives in the database (one row per private chat), read at the start of each event and saved at its
end, so a restart in the middle of an intake or a handoff continues where it was. The catalog is read once
per event from `self.catalog`, which a reload replaces whole.
"""

from __future__ import annotations

from dataclasses import replace

from bot.catalog.model import Catalog
from bot.core import commands, eligibility, freetext
from bot.core.aftercare import Aftercare
from bot.core.answers import SINGLE_STEPS, Answers
from bot.core.handoff import HandoffDesk
from bot.core.hub_desk import HubDesk
from bot.core.hub_groups import GroupRights, HubGroups
from bot.core.intake import DIMENSION, PREFIX, ask, next_step, question
from bot.core.reminders import Reminders
from bot.core.results import show_results
from bot.core.text import bold, fmt, plain
from bot.core.thread import AdvisorChat, Clock, catalog_advisor_chat
from bot.core.turn import Turn
from bot.core.types import Conversation, Handoff, Inbound, Outcome, Person
from bot.i18n import I18n, language_name, pick_language
from bot.storage import Store, utcnow
from bot.understanding.normalize import has_arabic, normalize
from bot.understanding.schema import LanguageFile
from bot.understanding.understand import Understander, Understanding

HANDOFF_COMMANDS = ("end", "help", "privacy", "forget", "language")


class Dialogue:
    """Turns inbound events into outcomes, for every adapter alike."""

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
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.i18n = i18n
        self.retention_days = retention_days
        self.language_data = language_data or {}
        self.admin_chat_id = admin_chat_id
        self.desk = HandoffDesk(store, i18n, advisor_chat, now)
        self.hub_desk = HubDesk(self.desk)
        self.hub_groups = HubGroups(store, i18n, advisor_chat, now)
        self.aftercare = Aftercare(self.desk)
        self.reminders = Reminders(self.desk, self.aftercare)
        self.answers = Answers(self.desk.request)

    def prepare(self, catalog: Catalog) -> Understander:
        """The understander of a catalog (it knows its places), built once; a reload builds it off the loop."""
        cached: Understander | None = catalog.__dict__.get("_understander")
        if cached is None:
            cached = catalog.__dict__.setdefault("_understander", Understander(self.language_data, catalog))
        return cached

    def offered_languages(self, catalog: Catalog) -> tuple[str, ...]:
        """The network's languages that have translations."""
        return tuple(lang for lang in catalog.languages if lang in self.i18n.languages) or (
            catalog.default_language,
        )

    async def handle(self, event: Inbound) -> Outcome:
        """Handle one event from a private chat (entrepreneur) or a group (hub advisors)."""
        catalog = self.catalog
        if not event.private:
            return await self.hub_desk.handle(event, catalog)
        offered = self.offered_languages(catalog)
        conv = await self.store.get_conversation(chat_id=event.chat_id)
        if conv is None or conv.lang not in offered:
            lang = self._first_language(event, offered, catalog)
            conv = replace(conv, lang=lang) if conv else Conversation(chat_id=event.chat_id, lang=lang)
        turn = Turn(catalog, conv, self.i18n.get(conv.lang), event, self.retention_days)
        if event.command:
            await self._command(turn, event.command, offered)
        elif event.button:
            await self._button(turn, event.button, offered)
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
        return await self.reminders.tick(self.catalog)

    async def user_blocked(self, chat_id: int) -> Outcome:
        """The entrepreneur blocked the bot: an open handoff closes and its thread is told why."""
        conv = await self.store.get_conversation(chat_id=chat_id)
        if conv is None or conv.handoff_id is None:
            return Outcome()
        turn = Turn(
            self.catalog,
            conv,
            self.i18n.get(conv.lang),
            Inbound(chat_id, Person(chat_id)),
            self.retention_days,
        )
        await self.desk.end_by_user(turn, reason="blocked")
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
        """An adapter could not send a tracked reply: a handoff card that never arrived closes its handoff."""
        return await self.desk.undelivered(track, self.catalog)

    async def unreachable(self, chat_id: int, handoff_id: int | None) -> Outcome:
        """A chat the bot can no longer write to: an entrepreneur who blocked it, or a hub group it lost. Their
        open request closes, and whoever can still be reached is told."""
        if chat_id > 0:
            return await self.user_blocked(chat_id)
        handoff = await self.store.get_handoff(handoff_id=handoff_id) if handoff_id else None
        if handoff is None or not handoff.is_open or handoff.hub_chat_id != chat_id:
            return Outcome()
        return await self.desk.undelivered(f"card:{handoff.id}", self.catalog)

    async def thread_of(self, handoff_id: int) -> Handoff | None:
        """Where a handoff's thread is now (its hub chat, topic and card), for an adapter about to send."""
        return await self.store.get_handoff(handoff_id=handoff_id)

    async def topic_opened(self, handoff_id: int, topic_id: int | None, chat_id: int) -> None:
        """The handoff's forum topic in `chat_id` exists (or, with None, is gone: the thread falls back to its
        card). Nothing changes if the handoff has moved to another chat since."""
        await self.store.update_handoff(handoff_id=handoff_id, topic_id=topic_id, in_chat=chat_id)

    # -- commands ----------------------------------------------------------------------------------------

    async def _command(self, turn: Turn, command: str, offered: tuple[str, ...]) -> None:
        _ = turn._
        if turn.conv.handoff_id is not None and command not in HANDOFF_COMMANDS:
            turn.say(fmt(_("You are talking with an advisor. Send {command} first."), command=bold("/end")))
            return
        if command == "start":
            commands.start(turn, turn.event.args[0] if turn.event.args else None)
        elif command == "restart":
            commands.start(turn, turn.conv.hub_id)
        elif command == "help":
            commands.help_text(turn)
            freetext.reask(turn)
        elif command == "privacy":
            commands.privacy(turn)
        elif command == "language":
            commands.language_menu(turn, offered)
        elif command == "forget":
            commands.confirm_forget(turn)
        elif command == "profile":
            commands.show_profile(turn)
        elif command == "advisor":
            self.desk.request(turn)
        elif command == "end":
            if turn.conv.handoff_id is not None:
                await self.desk.end_by_user(turn)
            else:
                turn.say((plain(_("You are not talking with an advisor right now.")),))
        else:
            turn.say(
                fmt(
                    _("I do not know that command. Send {command} to see what I can do."),
                    command=bold("/help"),
                )
            )

    # -- buttons -----------------------------------------------------------------------------------------

    async def _button(self, turn: Turn, data: str, offered: tuple[str, ...]) -> None:
        """Every button is checked against the current state; anything else is politely 'expired'."""
        prefix, _sep, value = data.partition(":")
        step = turn.conv.step
        catalog = turn.catalog
        handled = True
        if turn.conv.handoff_id is not None and prefix not in ("fg", "lg"):
            handled = False  # while an advisor has the chat, only the deletion and language buttons count
        elif prefix == "sc" and value == "+" and step == "sector":
            turn.edit_pressed(question(turn, "sector"))
            ask(turn, "sectors")
        elif prefix in ("st", "sc", "rg") and step in SINGLE_STEPS and PREFIX[step] == prefix:
            handled = catalog.has_code(DIMENSION[step], value) and self.answers.answer(turn, step, value)
        elif prefix == "sk" and value == step and step in SINGLE_STEPS:
            self.answers.answer(turn, step, None)
        elif step is not None and (prefix, step) in (("nd", "needs"), ("ss", "sectors")):
            handled = self.answers.ticked(turn, step, value)
        elif step in eligibility.CRITERIA and (
            prefix == eligibility.PREFIX[step] or (prefix, value) == ("sk", step)
        ):
            handled = self.answers.criterion(turn, step, prefix, value)
        elif prefix == "more" and step == "results":
            show_results(turn, turn.conv.page + 1)
        elif prefix in ("edit", "pf") and step not in ("handoff", "question", "forget"):
            handled = self._profile_button(turn, value if prefix == "pf" else "")
        elif prefix == "adv" and step not in ("handoff", "question", "consent"):
            self.desk.request(turn)
        elif prefix == "cancel" and step in ("question", "hub_region", "consent"):
            show_results(turn, turn.conv.page)
        elif prefix == "lg" and value in offered:
            self.switch_language(turn, value)
        elif prefix == commands.SURE and (sure := commands.parse_sure(value, step, offered)):
            self._sure(turn, *sure)
        elif prefix == "fg" and step == "forget" and value in ("yes", "no"):
            await self._forget(turn, value == "yes")
        elif prefix == "cf" and step == "confirm" and value in ("yes", "no"):
            freetext.answer_confirmation(turn, value == "yes")
        elif prefix == "ok" and step == "consent" and value in ("yes", "no"):
            self.desk.consent(turn, value == "yes")
        elif (
            prefix in ("rt", "fu") and (parts := value.split(":")) and len(parts) == 2 and parts[0].isdigit()
        ):
            handoff_id = int(parts[0][:12])
            if prefix == "rt":
                handled = parts[1].isdigit() and await self.aftercare.rate(
                    turn, handoff_id, int(parts[1][:2])
                )
            else:
                handled = await self.aftercare.follow_up_answer(turn, handoff_id, parts[1])
        elif prefix == "cm" and step == "comment" and value == str(turn.conv.last_handoff_id):
            self.aftercare.skip_comment(turn)
        else:
            handled = False
        if not handled:
            turn.notice = turn._("This button has expired. Please use the latest message.")

    def _profile_button(self, turn: Turn, value: str) -> bool:
        if value == "results":
            eligibility.results_or_question(turn)
        elif value == "about":
            turn.update_profile(age=None, groups=None, legal_form=None, size=None, skipped=())
            turn.update(editing=True)
            eligibility.results_or_question(turn)
        elif value in ("stage", "sector", "region", "needs"):
            turn.update(editing=True)
            ask(turn, value)
        elif value == "":
            commands.show_profile(turn)
        else:
            return False
        return True

    def switch_language(self, turn: Turn, lang: str) -> None:
        """Speak `lang` from now on, and ask the open question again in it."""
        turn.update(lang=lang)
        turn.tr = self.i18n.get(lang)
        turn.say((plain(turn._("Done: I will speak {language}.").format(language=language_name(lang))),))
        freetext.reask(turn)

    def request_advisor(self, turn: Turn) -> None:
        self.desk.request(turn)

    def _sure(self, turn: Turn, action: str, argument: str, yes: bool) -> None:
        """The answer to 'Start the questions again?' or 'Shall I speak English?'."""
        _ = turn._
        title = commands.sure_title(turn, action, argument)
        turn.edit_pressed((bold(title), plain(" "), plain(_("Yes") if yes else _("No"))))
        if not yes:
            if not freetext.reask(turn):
                turn.say((plain(_("Nothing changed.")),))
        elif action == "rs":
            commands.start(turn, turn.conv.hub_id)
        else:
            self.switch_language(turn, argument)

    async def _forget(self, turn: Turn, confirmed: bool) -> None:
        if not confirmed:
            turn.say((plain(turn._("Nothing was deleted.")),))
            turn.update(step="handoff" if turn.conv.handoff_id else "results")
            if turn.conv.handoff_id is None and (following := next_step(turn)) is not None:
                ask(turn, following)  # in the middle of the questions: go on where they were
            return
        await self.desk.end_by_user(turn, reason="forget")
        rows = await self.store.forget_user(chat_id=turn.conv.chat_id)
        commands.forgotten(turn, rows)

    # -- free text ---------------------------------------------------------------------------------------

    async def _message(self, turn: Turn, offered: tuple[str, ...]) -> None:
        _ = turn._
        step = turn.conv.step
        if turn.conv.handoff_id is not None and step in ("handoff", "forget"):
            # While a request is open everything reaches the advisors, the /forget question pending or not.
            if not await self.desk.relay_from_user(turn):
                self.aftercare.offer_new(turn)
        elif step == "question":
            await self.desk.submit(turn)
        elif step == "consent":
            self.desk.request(turn)  # consent is given with its own button, never by a guess at free text
        elif step == "comment":
            await self.aftercare.comment(turn)
        elif step in ("rating", "closed"):
            self.aftercare.offer_new(turn)
        elif not turn.event.text:
            turn.say((plain(_("I can only read text here.")),))
        elif step == "forget":
            commands.confirm_forget(turn)
        else:
            heard = self._hear(turn)
            if self.answers.typed(turn, heard):
                return
            greeted = step is None and turn.conv.updated_at is None
            if greeted:
                commands.start(turn, None)
            freetext.respond(turn, heard, self, offered, greeted=greeted)

    def _hear(self, turn: Turn) -> Understanding:
        """What the message says; Arabic script is read as Arabic whatever the conversation's language."""
        understander = self.prepare(turn.catalog)
        text = turn.event.text
        lang = "ar" if has_arabic(text) and "ar" in understander.languages else turn.lang
        return understander.understand(text, lang)
