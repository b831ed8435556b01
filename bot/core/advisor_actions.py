"""The advisors' desk, its actions on a request: claim, close, reopen, transfer.

Each is decided by the database (one conditional UPDATE), so two advisors acting at once, or an advisor and
the entrepreneur, cannot both succeed; the loser is told where the request stands. The entrepreneur hears
about each in their own language, advisors in the hub's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.catalog.schema import Hub
from bot.core import card, funnel
from bot.core.aftercare import rating_question
from bot.core.office_hours import reminder_due, schedule_for
from bot.core.steps import Step
from bot.core.text import Rich, Span, bold, fmt, italic, lines, plain
from bot.core.thread import DeskServices, HandoffThread
from bot.core.turn import HubTurn
from bot.core.types import Handoff, MessageRef, Note, Reply


class AdvisorActions:
    """What an advisor does to one request, by a card's button or a command."""

    def __init__(self, services: DeskServices, thread: HandoffThread) -> None:
        self.services = services
        self.store = services.store
        self.thread = thread

    async def claim(self, turn: HubTurn, handoff: Handoff) -> bool:
        """Exactly one advisor wins a claim; the entrepreneur is told who is with them."""
        sender = turn.event.sender
        if not await self.store.claim_handoff(
            handoff_id=handoff.id, advisor_id=sender.id, advisor_name=sender.first_name
        ):
            current = await self.store.get_handoff(handoff_id=handoff.id)
            if current is not None and current.status == "claimed":
                turn.notice = turn._h("Already claimed by {advisor}.").format(
                    advisor=card.advisor_label(current, turn._h)
                )
            else:
                turn.notice = turn._h("This request is closed.")
            if turn.event.command:
                turn.answer((plain(turn.notice),))
            return False
        claimed = await self.store.get_handoff(handoff_id=handoff.id)
        assert claimed is not None
        await self.services.record(turn.catalog, funnel.of_handoff(funnel.Kind.CLAIMED, claimed))
        at_hub = turn.catalog.hub(claimed.hub_id)
        if at_hub is not None and not claimed.advisor_replied:  # flagged if no answer follows (reminders.py)
            due = schedule_for(turn.catalog, at_hub).next_opening(
                self.services.now() + turn.catalog.unanswered_after(at_hub)
            )
            await self.store.update_handoff(handoff_id=claimed.id, remind_at=due, reminders=0)
        turn.notice = turn._h("You claimed request #{number}.").format(number=claimed.id)
        turn.replies.append(self.thread.card_edit(turn.catalog, claimed))
        _u = self.services.user_gettext(claimed)
        hub = card.hub_name(turn.catalog, claimed.hub_id, claimed.lang)
        text = (
            fmt(
                _u("{advisor} from {hub} is taking over: you can write to them here."),
                advisor=bold(sender.first_name),
                hub=bold(hub),
            )
            if sender.first_name
            else fmt(_u("An advisor from {hub} is taking over: you can write to them here."), hub=bold(hub))
        )
        turn.replies.append(Reply(claimed.user_chat_id, text))
        return True

    async def close(self, turn: HubTurn, handoff: Handoff) -> None:
        """Close from the hub: the entrepreneur is told and asked for a rating."""
        if handoff.advisor_name is None and turn.event.sender.first_name:
            await self.store.update_handoff(
                handoff_id=handoff.id, advisor_name=turn.event.sender.first_name[:256]
            )
        if not await self.store.close_handoff(
            at=self.services.now(),
            handoff_id=handoff.id,
            reason="advisor",
            follow_up_at=self.services.follow_up_at(turn.catalog),
        ):
            turn.notice = turn._h("This request is closed.")
            if turn.event.command:
                turn.answer((plain(turn.notice),))
            return
        closed = await self._after_close(handoff.id)
        assert closed is not None
        await self.services.record(turn.catalog, funnel.of_handoff(funnel.Kind.CLOSED, closed))
        turn.notice = turn._h("Request closed. The entrepreneur has been told.")
        turn.replies.append(self.thread.in_thread(closed, (italic(turn.notice),)))
        turn.replies.append(self.thread.card_edit(turn.catalog, closed))
        turn.replies.append(self.thread.topic_action(closed, "close_topic"))
        _u = self.services.user_gettext(closed)
        turn.replies.append(Reply(closed.user_chat_id, (bold(_u("The advisor closed the conversation.")),)))
        text, buttons = rating_question(closed, _u)
        turn.replies.append(Reply(closed.user_chat_id, text, buttons))

    async def reopen(self, turn: HubTurn, handoff: Handoff) -> None:
        """Reopen a request closed recently (the network says how recently), claimed by whoever reopens it."""
        hours = turn.catalog.handoff_policy.reopen_within_hours
        conv = await self.store.get_conversation(chat_id=handoff.user_chat_id)
        sender = turn.event.sender
        if handoff.is_open:
            turn.answer((plain(turn._h("This request is still open.")),))
            return
        if (
            conv is None
            or conv.handoff_id is not None
            or not hours
            or not await self.store.reopen_handoff(
                handoff_id=handoff.id,
                closed_since=self.services.now() - dt.timedelta(hours=hours),
                advisor_id=sender.id,
                advisor_name=sender.first_name,
            )
        ):
            turn.answer(
                (
                    plain(
                        turn._h(
                            "This request cannot be reopened any more: ask the entrepreneur to write to the bot again."
                        )
                    ),
                )
            )
            return
        reopened = await self.store.get_handoff(handoff_id=handoff.id)
        assert reopened is not None
        await self.store.save_conversation(
            replace(conv, step=Step.HANDOFF, handoff_id=reopened.id, hub_id=reopened.hub_id)
        )
        turn.replies.append(self.thread.topic_action(reopened, "reopen_topic"))
        turn.replies.append(self.thread.card_edit(turn.catalog, reopened))
        turn.replies.append(self.thread.in_thread(reopened, (italic(turn._h("Request reopened.")),)))
        _u = self.services.user_gettext(reopened)
        hub = card.hub_name(turn.catalog, reopened.hub_id, reopened.lang)
        turn.replies.append(
            Reply(
                reopened.user_chat_id,
                lines(
                    fmt(_u("The advisors of {hub} reopened your conversation."), hub=bold(hub)),
                    _u("Everything you write now goes to them."),
                    fmt(_u("Send {command} when you are done."), command=bold("/end")),
                ),
            )
        )

    async def transfer_command(self, turn: HubTurn, handoff: Handoff) -> None:
        """`/transfer hub-03`, `/transfer 03`, `/transfer 12 hub-03`, `/transfer #12`, each maybe followed by
        the reason, which the new hub and the entrepreneur read: `/transfer hub-03 they fund exports`."""
        catalog = turn.catalog
        words = list(turn.event.args)
        if words and words[0].startswith("#"):
            words.pop(0)  # the request's number (`_target` used it)
        elif (
            len(words) >= 2
            and words[0].isdigit()
            and catalog.hub(words[0]) is None
            and (catalog.hub(words[1]) or catalog.hub_for_region(words[1]))
        ):
            # `/transfer 12 hub-03`: the request's number, then the hub (never a hub, then a reason)
            words.pop(0)
        wanted = words[0] if words else None
        if len(words) == 1 and wanted and wanted.isdigit() and catalog.hub_for_region(wanted) is None:
            wanted = None  # a bare number that is no region: the request's number
        target = (catalog.hub(wanted) or catalog.hub_for_region(wanted)) if wanted else None
        reason = " ".join(words[1:]).strip()[:1000]
        if target is None:
            turn.replies.append(
                Reply(
                    turn.event.chat_id,
                    (plain(turn._h("Transfer request #{number} to which hub?").format(number=handoff.id)),),
                    card.transfer_buttons(turn.catalog, handoff, turn._h, self.services.advisor_chat),
                    reply_to_message_id=turn.event.message_id,
                    topic_id=turn.event.thread_id,
                )
            )
            return
        await self.transfer(turn, handoff, target, reason)

    async def transfer(self, turn: HubTurn, handoff: Handoff, target: Hub, reason: str = "") -> None:
        """Move the request to another hub: a new thread there, with the reason, the notes and the history;
        the old one says where it went; the entrepreneur is told where, and why."""
        catalog = turn.catalog
        chat = self.services.advisor_chat(target)
        if chat is None or target.id == handoff.hub_id or not handoff.is_open:
            turn.notice = turn._h("This request cannot be transferred there.")
            if turn.event.command:
                turn.answer((plain(turn.notice),))
            return
        history = await self.store.thread_copies(handoff_id=handoff.id)  # before the thread moves
        if reason:
            await self.store.add_note(
                handoff_id=handoff.id,
                hub_id=handoff.hub_id,
                author=turn.event.sender.first_name,
                text=reason,
                kind="transfer",
                at=self.services.now(),
            )
        start = schedule_for(catalog, target).next_opening(self.services.now())
        if not await self.store.transfer_handoff(
            handoff_id=handoff.id,
            hub_id=target.id,
            hub_chat_id=chat,
            remind_at=reminder_due(catalog, target, start),
        ):
            turn.notice = turn._h("This request is closed.")
            return
        moved = await self.store.get_handoff(handoff_id=handoff.id)
        assert moved is not None
        # The new hub's first answer is counted anew (`advisor_replied`), and so is its wait.
        await self.store.update_handoff(handoff_id=moved.id, advisor_replied=False)
        await self.services.record(
            catalog,
            funnel.of_handoff(funnel.Kind.TRANSFER_OUT, moved, hub_id=handoff.hub_id),
            funnel.of_handoff(funnel.Kind.TRANSFER_IN, moved),
        )
        name = catalog.text(target.name, catalog.default_language)
        by = turn.event.sender.first_name or turn._h("an advisor")
        turn.notice = turn._h("Transferred to {hub}.").format(hub=name)
        old = replace(handoff, status="closed", close_reason="transferred")
        turn.replies.append(
            Reply(
                handoff.hub_chat_id,
                (italic(turn._h("Transferred to {hub} by {advisor}.").format(hub=name, advisor=by)),),
                reply_to_message_id=handoff.card_message_id,
                topic_id=handoff.topic_id,
            )
        )
        if handoff.card_message_id is not None:
            turn.replies.append(
                Reply(
                    handoff.hub_chat_id,
                    card.card_text(catalog, old, turn._h, self.services.now()),
                    edit_message_id=handoff.card_message_id,
                )
            )
        if handoff.topic_id is not None:
            turn.replies.append(Reply(handoff.hub_chat_id, action="close_topic", topic_id=handoff.topic_id))
        self.thread.announce(turn.replies.append, catalog, moved, transferred_from=handoff.hub_id)
        notes = await self.store.notes_of(handoff_id=moved.id)
        carry_over(self.thread, turn, moved, handoff.hub_chat_id, history, notes)
        _u = self.services.user_gettext(moved)
        turn.replies.append(
            Reply(
                moved.user_chat_id,
                lines(
                    fmt(
                        _u("Your request was passed to {hub}."),
                        hub=bold(catalog.text(target.name, moved.lang)),
                    ),
                    *((fmt(_u("Why: {reason}"), reason=italic(reason)),) if reason else ()),
                    _u("An advisor there will answer you here."),
                ),
            )
        )

    async def _after_close(self, handoff_id: int) -> Handoff | None:
        """The closed handoff, re-read, and the entrepreneur's conversation moved on to the rating."""
        handoff = await self.store.get_handoff(handoff_id=handoff_id)
        if handoff is None:
            return None
        conv = await self.store.get_conversation(chat_id=handoff.user_chat_id)
        if conv and conv.handoff_id == handoff.id:
            await self.store.save_conversation(
                replace(conv, step=Step.RATING, handoff_id=None, last_handoff_id=handoff.id)
            )
        return handoff


HISTORY_LIMIT = 30  # the last messages of the thread copied to the new hub; the card there has the question


def carry_over(
    thread: HandoffThread, turn: HubTurn, moved: Handoff, old_chat: int, history: list[int], notes: list[Note]
) -> None:
    """After a transfer, the new thread gets the reasons and the notes of the hubs before it, then copies of
    the last messages exchanged there (the entrepreneur's and the advisors')."""
    _h = turn._h
    catalog = turn.catalog
    if notes:
        rows: list[str | Span | Rich] = [bold(_h("Reasons and internal notes so far:"))]
        for note in notes:
            hub = card.hub_name(catalog, note.hub_id, catalog.default_language)
            label = _h("transfer") if note.kind == "transfer" else _h("note")
            rows.append(f"• {label} · {hub} · {note.author or '-'}: {note.text}")
        turn.replies.append(thread.in_thread(moved, lines(*rows)))
    if history:
        shown = history[-HISTORY_LIMIT:]
        header = _h("The conversation so far ({count} messages):").format(count=len(shown))
        turn.replies.append(thread.in_thread(moved, (italic(header),)))
        for message_id in shown:
            turn.replies.append(thread.in_thread(moved, (), copy_of=MessageRef(old_chat, message_id)))
