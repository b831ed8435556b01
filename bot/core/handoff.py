"""The handoff, entrepreneur's side: consent, the question, the relay to the hub's thread, the end, the
rating and the follow-up.

A handoff is `waiting` (no advisor yet), `claimed` or `closed` (see docs/handoff.md). Its thread in the hub
chat is a forum topic when the group has topics, else the replies to its card; replies say which handoff
they belong to and the adapter finds the thread when it sends. Relays are copies of the original message:
nothing is re-typed, so nothing is injected. Hub-side texts use the network's default language; the
entrepreneur's side uses theirs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace

from bot.catalog.model import Catalog
from bot.catalog.schema import Hub
from bot.core import card
from bot.core.intake import ask
from bot.core.office_hours import opening_parts, reminder_due, schedule_for
from bot.core.results import PAGE_SIZE, current_matches, top_ids
from bot.core.text import Rich, bold, fmt, italic, lines, plain
from bot.core.turn import Turn
from bot.core.types import Button, Conversation, Handoff, MessageRef, Outcome, Reply
from bot.i18n import I18n
from bot.storage import Store, utcnow

log = logging.getLogger(__name__)

AdvisorChat = Callable[[Hub], int | None]
Clock = Callable[[], dt.datetime]
COMMENT_LIMIT = 4096  # Telegram's own limit for a message: a comment is never cut


def catalog_advisor_chat(hub: Hub) -> int | None:
    """In production the advisor chat is the one the catalog names."""
    return hub.advisor_chat_id


class DeskBase:
    """What both sides of the desk share: storage, translations, the clock and thread-building helpers."""

    def __init__(
        self, store: Store, i18n: I18n, advisor_chat: AdvisorChat = catalog_advisor_chat, now: Clock = utcnow
    ) -> None:
        self.store = store
        self.i18n = i18n
        self.advisor_chat = advisor_chat
        self.now = now

    def hub_gettext(self, catalog: Catalog) -> Callable[[str], str]:
        return self.i18n.get(catalog.default_language).gettext

    def in_thread(self, handoff: Handoff, text: Rich, **options: object) -> Reply:
        """A message in the handoff's thread in its hub chat."""
        return Reply(handoff.hub_chat_id, text, handoff=handoff.id, track=f"relay:{handoff.id}", **options)  # type: ignore[arg-type]

    def card_edit(self, catalog: Catalog, handoff: Handoff) -> Reply:
        """The card, edited in place to show the handoff's current state."""
        _h = self.hub_gettext(catalog)
        return Reply(
            handoff.hub_chat_id,
            card.card_text(catalog, handoff, _h, self.now()),
            card.card_buttons(handoff, _h),
            handoff=handoff.id,
            action="edit_card",
        )

    def pinned(self, handoff: Handoff, reply: Reply) -> Reply | None:
        """The reply placed now, from what is known of the thread, for a handoff that is about to be deleted:
        the outbox could not look it up later. None when there is nothing to place it on."""
        if reply.action == "edit_card":
            return (
                replace(reply, handoff=None, edit_message_id=handoff.card_message_id)
                if handoff.card_message_id
                else None
            )
        if reply.action in ("close_topic", "reopen_topic"):
            return replace(reply, handoff=None, topic_id=handoff.topic_id) if handoff.topic_id else None
        reply_to = None if handoff.topic_id else handoff.card_message_id
        return replace(
            reply, handoff=None, track=None, topic_id=handoff.topic_id, reply_to_message_id=reply_to
        )

    def topic_action(self, handoff: Handoff, action: str) -> Reply:
        return Reply(handoff.hub_chat_id, handoff=handoff.id, action=action)  # type: ignore[arg-type]

    def rating_question(
        self, handoff: Handoff, _: Callable[[str], str]
    ) -> tuple[Rich, tuple[tuple[Button, ...], ...]]:
        stars = tuple(Button("★" * n, f"rt:{handoff.id}:{n}") for n in range(1, 6))
        return (
            (plain(_("How helpful was this conversation? 1 star: not at all, 5 stars: very.")),),
            (stars[:3], stars[3:], (Button(_("Skip"), f"rt:{handoff.id}:0"),)),
        )

    async def after_close(self, catalog: Catalog, handoff_id: int) -> Handoff | None:
        """The closed handoff, re-read, and the entrepreneur's conversation moved on to the rating."""
        handoff = await self.store.get_handoff(handoff_id=handoff_id)
        if handoff is None:
            return None
        conv = await self.store.get_conversation(chat_id=handoff.user_chat_id)
        if conv and conv.handoff_id == handoff.id:
            await self.store.save_conversation(_rating_step(conv, handoff.id))
        return handoff

    def follow_up_at(self, catalog: Catalog) -> dt.datetime | None:
        days = catalog.handoff_policy.follow_up_days
        return self.now() + dt.timedelta(days=days) if days else None


def _rating_step(conv: Conversation, handoff_id: int) -> Conversation:
    return replace(conv, step="rating", handoff_id=None, last_handoff_id=handoff_id)


class HandoffDesk(DeskBase):
    """Creates handoffs, relays the entrepreneur's messages and closes them from the entrepreneur's side."""

    def request(self, turn: Turn) -> None:
        """'Talk to an advisor': find the hub (asking the region if needed), ask consent once, then the question."""
        _ = turn._
        hub = self._hub_of(turn)
        if hub is None:
            ask(turn, "hub_region")
            return
        name = bold(turn.catalog.text(hub.name, turn.lang))
        if self.advisor_chat(hub) is None:
            log.warning("hub %s has no advisor chat configured; handoff refused", hub.id)
            text = fmt(_("{hub} does not take questions through this bot yet."), hub=name)
            turn.say(
                (*text, plain("\n"), plain(_("Please contact the hub directly; your results stay here.")))
            )
            turn.update(step="results")
            return
        turn.update(hub_id=hub.id)
        if turn.conv.consent_at is None:
            turn.update(step="consent")
            turn.say(
                lines(
                    fmt(
                        _("To put you in touch, I will share with the advisors of {hub}:"),
                        hub=name,
                    ),
                    _(
                        "your first name and Telegram username, your answers, the results you saw and the messages you write to them."
                    ),
                    _("They use them only to answer you. /forget deletes everything at any time."),
                    _(
                        "If another hub of the network is better placed to help you, your request may be passed on to it."
                    ),
                    bold(_("Do you agree?")),
                ),
                ((Button(_("I agree"), "ok:yes"), Button(_("No, thanks"), "ok:no")),),
            )
            return
        self._ask_question(turn, name)

    def consent(self, turn: Turn, agreed: bool) -> None:
        """The answer to the consent question: its own purpose, its own button, nothing pre-ticked."""
        _ = turn._
        turn.edit_pressed((plain(_("I agree") if agreed else _("No, thanks")),))
        if not agreed:
            turn.update(step="results")
            turn.say((plain(_("Understood: nothing was shared. Your results are still here.")),))
            return
        turn.update(consent_at=self.now())
        hub = self._hub_of(turn)
        if hub is None:
            self.request(turn)
            return
        self._ask_question(turn, bold(turn.catalog.text(hub.name, turn.lang)))

    def _ask_question(self, turn: Turn, name: object) -> None:
        _ = turn._
        turn.update(step="question")
        text = fmt(_("In one message, what would you like to ask the advisors of {hub}?"), hub=name)  # type: ignore[arg-type]
        turn.say(text, ((Button(_("Cancel"), "cancel"),),))

    async def submit(self, turn: Turn) -> None:
        """The question arrived: open the handoff, its topic and its card; say when to expect an answer."""
        _ = turn._
        hub = self._hub_of(turn)
        chat = self.advisor_chat(hub) if hub else None
        question = turn.event.text.strip()
        if hub is None or chat is None or turn.conv.consent_at is None:
            self.request(turn)
            return
        if not question and not turn.event.has_media:
            turn.say((plain(_("Please write your question as text.")),))
            return
        catalog, now = turn.catalog, self.now()
        schedule = schedule_for(catalog, hub)
        handoff = await self.store.create_handoff(
            user_chat_id=turn.conv.chat_id,
            hub_id=hub.id,
            hub_chat_id=chat,
            lang=turn.lang,
            question=question,
            first_name=turn.event.sender.first_name,
            username=turn.event.sender.username,
            profile=turn.conv.profile,
            matches=top_ids(current_matches(turn, limit=PAGE_SIZE)),
            remind_at=reminder_due(catalog, hub, schedule.next_opening(now)),
            at=now,
        )
        self.announce(turn.send, catalog, handoff)
        whole = card.card_question(question) != question or turn.event.has_media  # a photo, a document...
        if whole and turn.event.message_id is not None:
            turn.send(
                self.in_thread(
                    handoff, (plain(question),), copy_of=MessageRef(turn.conv.chat_id, turn.event.message_id)
                )
            )
        turn.update(step="handoff", handoff_id=handoff.id)
        name = bold(turn.catalog.text(hub.name, turn.lang))
        turn.say(
            lines(
                fmt(_("Your question was sent to {hub}."), hub=name),
                self.when_to_expect(turn, schedule.next_opening(now), now),
                _("Everything you write now goes to them."),
                fmt(_("Send {command} when you are done."), command=bold("/end")),
            )
        )

    def announce(self, send: Callable[[Reply], None], catalog: Catalog, handoff: Handoff) -> None:
        """A new thread for the handoff in its hub chat: the topic (in a forum), then the card."""
        _h = self.hub_gettext(catalog)
        send(
            Reply(
                handoff.hub_chat_id,
                (plain(card.topic_name(catalog, handoff, _h)),),
                handoff=handoff.id,
                action="open_topic",
            )
        )
        send(
            Reply(
                handoff.hub_chat_id,
                card.card_text(catalog, handoff, _h, self.now()),
                card.card_buttons(handoff, _h),
                handoff=handoff.id,
                track=f"card:{handoff.id}",
            )
        )

    def when_to_expect(self, turn: Turn, opening: dt.datetime, now: dt.datetime) -> Rich | str:
        """'An advisor will answer you here', or, outside office hours, when they are back."""
        _ = turn._
        if opening <= now:
            return _("An advisor will answer you here.")
        day, time = opening_parts(opening, turn.locale)
        when = _("{day} at {time}").format(day=day, time=time)
        return fmt(_("The advisors are away right now: expect an answer from {when}."), when=bold(when))

    async def relay_from_user(self, turn: Turn) -> bool:
        """A message of the entrepreneur during a handoff goes to the hub's thread as a copy, in order."""
        handoff = await self._open_handoff(turn)
        if handoff is None or turn.event.message_id is None:
            return False
        turn.send(
            self.in_thread(
                handoff,
                (plain(turn.event.text),) if turn.event.text else (),
                copy_of=MessageRef(turn.conv.chat_id, turn.event.message_id),
            )
        )
        if handoff.status == "waiting" and not handoff.acked:
            await self.store.update_handoff(handoff_id=handoff.id, acked=True)
            turn.say((italic(turn._("Your message was passed on; an advisor will answer you here.")),))
        return True

    async def end_by_user(self, turn: Turn, *, reason: str = "ended") -> None:
        """The entrepreneur ends, deletes their data or blocks the bot: close, and tell the hub's thread why."""
        _ = turn._
        handoff = await self._open_handoff(turn)
        turn.update(step="results", handoff_id=None)
        catalog = turn.catalog
        follow_up = self.follow_up_at(catalog) if reason == "ended" else None
        if handoff is None or not await self.store.close_handoff(
            at=self.now(), handoff_id=handoff.id, reason=reason, follow_up_at=follow_up
        ):
            return
        closed = await self.store.get_handoff(handoff_id=handoff.id)
        assert closed is not None
        _h = self.hub_gettext(catalog)
        notes = {
            "ended": _h("The entrepreneur ended the conversation."),
            "forget": _h("The entrepreneur deleted their data: this request is closed."),
            "blocked": _h("The entrepreneur blocked the bot: this request is closed."),
        }
        thread = (
            self.in_thread(closed, (italic(notes[reason]),)),
            self.card_edit(catalog, closed),
            self.topic_action(closed, "close_topic"),
        )
        for reply in thread:
            placed = self.pinned(closed, reply) if reason == "forget" else reply  # its rows go right after
            if placed is not None:
                turn.send(placed)
        if reason == "ended":
            turn.update(step="rating", last_handoff_id=closed.id)
            turn.say((bold(_("Your conversation with the advisor is closed.")),))
            turn.say(*self.rating_question(closed, _))

    # -- after the close: rating, comment, follow-up --------------------------------------------------------

    async def rate(self, turn: Turn, handoff_id: int, stars: int) -> bool:
        """A rating button: only for this user's last closed handoff, once."""
        handoff = await self._own_closed(turn, handoff_id)
        if handoff is None or handoff.rating is not None or not 0 <= stars <= 5:
            return False
        _ = turn._
        await self.store.update_handoff(handoff_id=handoff.id, rating=stars)
        if stars == 0:
            turn.edit_pressed((plain(_("No rating given.")),))
            self._closed(turn)
            return True
        turn.edit_pressed((plain("★" * stars + "☆" * (5 - stars)),))
        _h = self.hub_gettext(turn.catalog)
        turn.send(
            self.in_thread(
                handoff,
                (italic(_h("The entrepreneur rated the conversation {stars}/5.").format(stars=stars)),),
            )
        )
        turn.update(step="comment")
        turn.say(
            (
                plain(
                    _("Thank you! Anything to add for the advisors? Write it in one message, or press Skip.")
                ),
            ),
            ((Button(_("Skip"), f"cm:{handoff.id}"),),),
        )
        return True

    async def comment(self, turn: Turn) -> None:
        """The optional comment after a rating: relayed to the thread, then the conversation moves on."""
        handoff_id = turn.conv.last_handoff_id
        handoff = await self._own_closed(turn, handoff_id) if handoff_id else None
        text = turn.event.text.strip()
        if handoff is not None and text:
            await self.store.update_handoff(handoff_id=handoff.id, comment=text[:COMMENT_LIMIT])
            _h = self.hub_gettext(turn.catalog)
            turn.send(
                self.in_thread(
                    handoff,
                    fmt(_h("The entrepreneur's comment: {comment}"), comment=italic(text[:COMMENT_LIMIT])),
                )
            )
        self._closed(turn)

    def skip_comment(self, turn: Turn) -> None:
        turn.edit_pressed(
            (
                plain(
                    turn._(
                        "Thank you! Anything to add for the advisors? Write it in one message, or press Skip."
                    )
                ),
            )
        )
        self._closed(turn)

    def _closed(self, turn: Turn) -> None:
        _ = turn._
        turn.update(step="closed")
        turn.say((plain(_("Thank you! Your results are still here; send /start to begin again.")),))

    def offer_new(self, turn: Turn) -> None:
        """Writing after a close reopens nothing silently: the bot offers a new request instead."""
        _ = turn._
        turn.update(step="results")
        turn.say(
            lines(
                bold(_("Your conversation with the advisor is closed.")),
                _("Your message was not sent. Would you like to ask an advisor again?"),
            ),
            ((Button(_("Talk to an advisor"), "adv"), Button(_("My results"), "pf:results")),),
        )

    def follow_up(self, catalog: Catalog, handoff: Handoff) -> Reply:
        """The one-time question, days after a close: did the referral help?"""
        _u = self.i18n.get(handoff.lang).gettext
        name = card.hub_name(catalog, handoff.hub_id, handoff.lang)
        return Reply(
            handoff.user_chat_id,
            fmt(
                _u("A few days ago you talked with the advisors of {hub}. Did it help you move forward?"),
                hub=bold(name),
            ),
            (
                (Button(_u("Yes"), f"fu:{handoff.id}:yes"), Button(_u("No"), f"fu:{handoff.id}:no")),
                (Button(_u("Talk to an advisor again"), f"fu:{handoff.id}:adv"),),
            ),
        )

    async def follow_up_answer(self, turn: Turn, handoff_id: int, answer: str) -> bool:
        handoff = await self._own_closed(turn, handoff_id, any_closed=True)
        if handoff is None or handoff.helped is not None or answer not in ("yes", "no", "adv"):
            return False
        await self.store.update_handoff(handoff_id=handoff.id, helped=answer)
        _ = turn._
        labels = {"yes": _("Yes"), "no": _("No"), "adv": _("Talk to an advisor again")}
        turn.edit_pressed((plain(labels[answer]),))
        _h = self.hub_gettext(turn.catalog)
        notes = {
            "yes": _h("Follow-up: the entrepreneur says this referral helped."),
            "no": _h("Follow-up: the entrepreneur says this referral did not help."),
            "adv": _h("Follow-up: the entrepreneur asks to talk to an advisor again."),
        }
        turn.send(self.in_thread(handoff, (italic(notes[answer]),)))
        if answer == "yes":
            turn.say((plain(_("Glad to hear it! Good luck with your project.")),))
        elif answer == "no":
            turn.say(
                (plain(_("Sorry to hear that. An advisor can look at it again with you.")),),
                ((Button(_("Talk to an advisor"), "adv"),),),
            )
        elif turn.conv.handoff_id is None:
            turn.update(hub_id=handoff.hub_id)
            self.request(turn)
        return True

    async def undelivered(self, track: str, catalog: Catalog) -> Outcome:
        """The card could not be posted (bot removed from the group, group gone): close, tell the entrepreneur."""
        kind, _sep, raw_id = track.partition(":")
        handoff = (
            await self.store.get_handoff(handoff_id=int(raw_id))
            if kind == "card" and raw_id.isdigit()
            else None
        )
        if handoff is None or not await self.store.close_handoff(
            at=self.now(), handoff_id=handoff.id, reason="undelivered"
        ):
            return Outcome()
        log.error("handoff %s: card not delivered to the advisor chat of hub %s", handoff.id, handoff.hub_id)
        conv = await self.store.get_conversation(chat_id=handoff.user_chat_id)
        if conv and conv.handoff_id == handoff.id:
            await self.store.save_conversation(replace(conv, step="results", handoff_id=None))
        _u = self.i18n.get(handoff.lang).gettext
        name = card.hub_name(catalog, handoff.hub_id, handoff.lang)
        text = fmt(
            _u(
                "Sorry, I could not reach the advisors of {hub} just now. Please try again later with /advisor."
            ),
            hub=bold(name),
        )
        return Outcome((Reply(handoff.user_chat_id, text),))

    # -- helpers ---------------------------------------------------------------------------------------

    def _hub_of(self, turn: Turn) -> Hub | None:
        if turn.conv.hub_id and (hub := turn.catalog.hub(turn.conv.hub_id)):
            return hub
        return turn.catalog.hub_for_region(turn.conv.profile.region)

    async def _open_handoff(self, turn: Turn) -> Handoff | None:
        if turn.conv.handoff_id is None:
            return None
        handoff = await self.store.get_handoff(handoff_id=turn.conv.handoff_id)
        return handoff if handoff and handoff.is_open else None

    async def _own_closed(self, turn: Turn, handoff_id: int, *, any_closed: bool = False) -> Handoff | None:
        """A closed handoff of this very chat (the last one, unless `any_closed`); None for anything else."""
        if not any_closed and handoff_id != turn.conv.last_handoff_id:
            return None
        handoff = await self.store.get_handoff(handoff_id=handoff_id)
        if handoff is None or handoff.user_chat_id != turn.conv.chat_id or handoff.status != "closed":
            return None
        return handoff
