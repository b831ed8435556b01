"""The entrepreneur's desk: asking for an advisor (consent, the question), the relay of their messages to the
hub's thread, and the end of a request from their side (/end, /forget, blocking the bot).

A handoff is `waiting` (no advisor yet), `claimed` or `closed` (see docs/handoff.md). Its thread in the hub
chat is a forum topic when the group has topics, else the replies to its card; replies say which handoff
they belong to and the adapter finds the thread when it sends. Relays are copies of the original message:
nothing is re-typed, so nothing is injected. Hub-side texts use the network's default language; the
entrepreneur's side uses theirs.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

from bot.catalog.model import Catalog
from bot.catalog.schema import Hub
from bot.core import card, freetext, funnel
from bot.core.aftercare import rating_question
from bot.core.buttons import Cancel, GiveConsent, OpenProfile, ProfileTarget, YesNo, button
from bot.core.intake import ask
from bot.core.moderation import Moderation
from bot.core.office_hours import opening_parts, reminder_due, schedule_for
from bot.core.results import PAGE_SIZE, contact_of, current_matches, top_ids
from bot.core.steps import Step
from bot.core.text import Rich, Span, bold, fmt, italic, lines, plain
from bot.core.thread import DeskServices, HandoffThread
from bot.core.turn import Turn
from bot.core.types import Handoff, Inbound, MessageRef, Outcome, Reply

log = logging.getLogger(__name__)


class EntrepreneurDesk:
    """Creates handoffs, relays the entrepreneur's messages and closes them from the entrepreneur's side."""

    def __init__(self, services: DeskServices, thread: HandoffThread, moderation: Moderation) -> None:
        self.services = services
        self.store = services.store
        self.thread = thread
        self.moderation = moderation

    def request(self, turn: Turn) -> None:
        """'Talk to an advisor': find the hub (asking the region if needed), ask consent once, then the question."""
        _ = turn._
        hub = self._hub_of(turn)
        if hub is None:
            ask(turn, Step.HUB_REGION)
            return
        name = bold(turn.catalog.text(hub.name, turn.lang))
        if self.services.advisor_chat(hub) is None:
            log.warning("hub %s has no advisor chat configured; handoff refused", hub.id)
            self._contact_directly(turn, hub, name)
            return
        turn.update(hub_id=hub.id)
        away = self.away_notice(turn, hub)
        if turn.conv.consent_at is None:
            turn.update(step=Step.CONSENT)
            turn.say(
                lines(
                    *((away,) if away else ()),
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
                (
                    (
                        button(_("I agree"), GiveConsent(YesNo.YES)),
                        button(_("No, thanks"), GiveConsent(YesNo.NO)),
                    ),
                ),
            )
            return
        self._ask_question(turn, name, away)

    def _contact_directly(self, turn: Turn, hub: Hub, name: Span) -> None:
        """A hub without an advisor group: how to reach it (website, e-mail, phone), or say plainly that the
        catalog has none and point to what can be reached: each result's own contact. Then the open
        question again, or the way to the results."""
        _ = turn._
        contact = contact_of(turn, hub.contact)
        if contact:
            after = fmt(_("Contact the hub directly: {contact}"), contact=tuple(contact))
        else:
            after = (
                plain(
                    _(
                        "I have no contact details for this hub yet. Each of your results says how to reach "
                        "that service directly."
                    )
                ),
            )
        text = lines(fmt(_("{hub} does not take questions through this bot yet."), hub=name), after)
        if turn.step in freetext.QUESTION_STEPS and turn.step is not Step.HUB_REGION:
            turn.say(text)
            freetext.reask(turn)  # asked in the middle of the questions: they go on
            return
        turn.say(text, ((button(_("See my results"), OpenProfile(ProfileTarget.RESULTS)),),))
        turn.update(step=Step.RESULTS)

    def away_notice(self, turn: Turn, hub: Hub) -> Rich | None:
        """Outside the hub's office hours, when to expect an answer: said before the person writes."""
        now = self.services.now()
        opening = schedule_for(turn.catalog, hub).next_opening(now)
        if opening <= now:
            return None
        when = self.when_to_expect(turn, opening, now)
        return when if isinstance(when, tuple) else (plain(when),)

    def consent(self, turn: Turn, agreed: bool) -> None:
        """The answer to the consent question: its own purpose, its own button, nothing pre-ticked."""
        _ = turn._
        turn.edit_pressed((plain(_("I agree") if agreed else _("No, thanks")),))
        if not agreed:
            turn.update(step=Step.RESULTS)
            turn.say((plain(_("Understood: nothing was shared. Your results are still here.")),))
            return
        turn.update(consent_at=self.services.now())
        hub = self._hub_of(turn)
        if hub is None:
            self.request(turn)
            return
        self._ask_question(turn, bold(turn.catalog.text(hub.name, turn.lang)))

    def _ask_question(self, turn: Turn, name: Span, away: Rich | None = None) -> None:
        """The question prompt; `away` (out of office hours) comes first, before the person writes."""
        _ = turn._
        turn.update(step=Step.QUESTION)
        text = fmt(_("In one message, what would you like to ask the advisors of {hub}?"), hub=name)
        turn.say(lines(away, text) if away else text, ((button(_("Cancel"), Cancel()),),))

    async def submit(self, turn: Turn) -> None:
        """The question arrived: open the handoff, its topic and its card; say when to expect an answer."""
        _ = turn._
        hub = self._hub_of(turn)
        chat = self.services.advisor_chat(hub) if hub else None
        question = turn.event.text.strip()
        if hub is None or chat is None or turn.conv.consent_at is None:
            self.request(turn)
            return
        if not question and not turn.event.has_media:
            turn.say((plain(_("Please write your question as text.")),))
            return
        if await self.store.is_banned(hub_id=hub.id, user_chat_id=turn.conv.chat_id):
            turn.update(step=Step.RESULTS)
            name = bold(turn.catalog.text(hub.name, turn.lang))
            turn.say(fmt(_("The advisors of {hub} no longer receive your messages."), hub=name))
            return
        catalog, now = turn.catalog, self.services.now()
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
        await self.services.record(catalog, funnel.of_handoff(funnel.Kind.REQUESTED, handoff))
        self.thread.announce(turn.send, catalog, handoff)
        whole = card.card_question(question) != question or turn.event.has_media  # a photo, a document...
        if whole and turn.event.message_id is not None:
            turn.send(
                self.thread.in_thread(
                    handoff, (plain(question),), copy_of=MessageRef(turn.conv.chat_id, turn.event.message_id)
                )
            )
        turn.update(step=Step.HANDOFF, handoff_id=handoff.id)
        name = bold(turn.catalog.text(hub.name, turn.lang))
        turn.say(
            lines(
                fmt(_("Your question was sent to {hub}."), hub=name),
                self.when_to_expect(turn, schedule.next_opening(now), now),
                _("Everything you write now goes to them."),
                fmt(_("Send {command} when you are done."), command=bold("/end")),
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
        if not await self.moderation.relay_allowed(
            turn.catalog, handoff, lambda text: turn.say((italic(text),))
        ):
            return True  # not relayed: banned (told once, at the ban), or over the rate limit (told)
        turn.send(
            self.thread.in_thread(
                handoff,
                (plain(turn.event.text),) if turn.event.text else (),
                copy_of=MessageRef(turn.conv.chat_id, turn.event.message_id),
            )
        )
        if handoff.status == "waiting" and not handoff.acked:
            await self.store.update_handoff(handoff_id=handoff.id, acked=True)
            turn.say((italic(turn._("Your message was passed on; an advisor will answer you here.")),))
        return True

    async def edited_by_user(self, event: Inbound, catalog: Catalog) -> Outcome:
        """The entrepreneur edited a message during a request: the advisors get the new version, a copy of it
        after a line saying it was edited (the first copy cannot be found again to be edited in place)."""
        conv = await self.store.get_conversation(chat_id=event.chat_id)
        handoff = (
            await self.store.get_handoff(handoff_id=conv.handoff_id) if conv and conv.handoff_id else None
        )
        if handoff is None or not handoff.is_open or event.message_id is None:
            return Outcome()  # an answer to the questions, edited: the answer given stands
        if await self.store.is_banned(hub_id=handoff.hub_id, user_chat_id=handoff.user_chat_id):
            return Outcome()  # banned: nothing of theirs reaches the hub
        _h = self.services.hub_gettext(catalog)
        log.info("handoff %s: the entrepreneur edited message %s", handoff.id, event.message_id)
        return Outcome(
            (
                self.thread.in_thread(handoff, (italic(_h("✏️ The entrepreneur edited a message:")),)),
                self.thread.in_thread(
                    handoff,
                    (plain(event.text),) if event.text else (),
                    copy_of=MessageRef(event.chat_id, event.message_id),
                ),
            )
        )

    async def end_by_user(self, turn: Turn, *, reason: str = "ended") -> None:
        """The entrepreneur ends, deletes their data or blocks the bot: close, and tell the hub's thread why."""
        if reason == "forget":
            await self.forget_in_threads(turn)
        await self._end(turn, reason)

    async def forget_in_threads(self, turn: Turn) -> None:
        """/forget reaches the hub groups too: every card of theirs, open or closed, is rewritten without their
        name, answers or question (placed now: the handoffs are deleted right after). The copies of their
        messages are deleted, the topic renamed to the request's number, and the thread is told to delete by
        hand what Telegram refuses to (copies older than 48 hours)."""
        catalog = turn.catalog
        for handoff in await self.store.handoffs_of(user_chat_id=turn.conv.chat_id):
            card_reply = Reply(
                handoff.hub_chat_id, card.forgotten_card(catalog, handoff, turn._h), action="edit_card"
            )
            if (placed := self.thread.pinned(handoff, card_reply)) is not None:
                turn.send(placed)
            if handoff.topic_id is None and handoff.card_message_id is None:
                continue  # nothing of theirs was ever posted
            for message_id in await self.store.thread_copies(handoff_id=handoff.id):
                turn.send(Reply(handoff.hub_chat_id, action="delete_message", edit_message_id=message_id))
            if handoff.topic_id is not None:
                name = (plain(turn._h("Request #{number} (data deleted)").format(number=handoff.id)),)
                turn.send(Reply(handoff.hub_chat_id, name, action="rename_topic", topic_id=handoff.topic_id))
            note = turn._h(
                "Their name and question were removed from the card, and the bot deleted the copies of their "
                "messages. Telegram refuses to delete copies older than 48 hours: please delete any that remain."
            )
            if (
                placed := self.thread.pinned(handoff, Reply(handoff.hub_chat_id, (italic(note),)))
            ) is not None:
                turn.send(placed)
            log.info("handoff %s: card rewritten after /forget", handoff.id)

    async def _end(self, turn: Turn, reason: str) -> None:
        _ = turn._
        handoff = await self._open_handoff(turn)
        turn.update(step=Step.RESULTS, handoff_id=None)
        catalog = turn.catalog
        follow_up = self.services.follow_up_at(catalog) if reason == "ended" else None
        if handoff is None or not await self.store.close_handoff(
            at=self.services.now(), handoff_id=handoff.id, reason=reason, follow_up_at=follow_up
        ):
            return
        closed = await self.store.get_handoff(handoff_id=handoff.id)
        assert closed is not None
        await self.services.record(catalog, funnel.of_handoff(funnel.Kind.CLOSED, closed))
        notes = {
            "ended": turn._h("The entrepreneur ended the conversation."),
            "forget": turn._h("The entrepreneur deleted their data: this request is closed."),
            "blocked": turn._h("The entrepreneur blocked the bot: this request is closed."),
        }
        thread = (
            self.thread.in_thread(closed, (italic(notes[reason]),)),
            self.thread.card_edit(catalog, closed),
            self.thread.topic_action(closed, "close_topic"),
        )
        for reply in thread:
            if reason == "forget" and reply.action == "edit_card":
                continue  # `forget_in_threads` rewrote the card without their name
            placed = (
                self.thread.pinned(closed, reply) if reason == "forget" else reply
            )  # its rows go right after
            if placed is not None:
                turn.send(placed)
        if reason == "ended":
            turn.update(step=Step.RATING, last_handoff_id=closed.id)
            turn.say((bold(_("Your conversation with the advisor is closed.")),))
            turn.say(*rating_question(closed, _))

    async def undelivered(self, track: str, catalog: Catalog) -> Outcome:
        """The card could not be posted (bot removed from the group, group gone): close, tell the entrepreneur."""
        kind, _sep, raw_id = track.partition(":")
        handoff = (
            await self.store.get_handoff(handoff_id=int(raw_id))
            if kind == "card" and raw_id.isdigit()
            else None
        )
        if handoff is None or not await self.store.close_handoff(
            at=self.services.now(), handoff_id=handoff.id, reason="undelivered"
        ):
            return Outcome()
        await self.services.record(catalog, funnel.of_handoff(funnel.Kind.CLOSED, handoff))
        log.error("handoff %s: card not delivered to the advisor chat of hub %s", handoff.id, handoff.hub_id)
        conv = await self.store.get_conversation(chat_id=handoff.user_chat_id)
        if conv and conv.handoff_id == handoff.id:
            await self.store.save_conversation(replace(conv, step=Step.RESULTS, handoff_id=None))
        _u = self.services.user_gettext(handoff)
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
