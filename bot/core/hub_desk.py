"""The handoff, advisors' side: what happens in a hub's advisor chat.

Only the chat the catalog names for a hub can act on that hub's handoffs: every button and command is
checked against the handoff's current hub chat, and anything else is refused, logged and changes nothing.
Advisors claim (exactly one wins: the database decides), answer in the handoff's thread, keep internal
notes (`!` or `/note`), transfer, close and reopen.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.catalog.model import Catalog
from bot.catalog.schema import Hub
from bot.core import card
from bot.core.handoff import HandoffDesk
from bot.core.office_hours import reminder_due, schedule_for
from bot.core.text import Rich, Span, bold, fmt, italic, lines, plain
from bot.core.thread import DeskBase
from bot.core.types import Handoff, Inbound, MessageRef, Outcome, Reply

log = logging.getLogger(__name__)

HUB_COMMANDS = ("queue", "mine", "claim", "close", "end", "transfer", "reopen", "note", "help")
BUTTONS = ("hc", "ht", "hx", "hb", "hz")


@dataclass
class HubTurn:
    """One event in a hub chat: who, where, and what to answer."""

    event: Inbound
    catalog: Catalog
    hub: Hub
    replies: list[Reply]
    notice: str | None = None

    def answer(self, text: Rich) -> None:
        """Answer in place: in the topic the command was written in, replying to it."""
        self.replies.append(
            Reply(
                self.event.chat_id,
                text,
                reply_to_message_id=self.event.message_id,
                topic_id=self.event.thread_id,
            )
        )


class HubDesk(DeskBase):
    """Claims, relays, notes, transfers, closes and reopens handoffs from a hub's advisor chat."""

    def __init__(self, entrepreneur_desk: HandoffDesk) -> None:
        super().__init__(
            entrepreneur_desk.store,
            entrepreneur_desk.i18n,
            entrepreneur_desk.advisor_chat,
            entrepreneur_desk.now,
        )
        self.entrepreneur_desk = entrepreneur_desk

    async def handle(self, event: Inbound, catalog: Catalog) -> Outcome:
        """A message, command or button press in a group."""
        _h = self.hub_gettext(catalog)
        hub = self.hub_of_chat(catalog, event.chat_id)
        if hub is None:
            if event.button or event.command in HUB_COMMANDS:
                log.warning(
                    "chat %s is no hub's advisor chat: %s refused",
                    event.chat_id,
                    event.button or event.command,
                )
            if event.button:
                return Outcome(notice=_h("This button has expired."))
            if event.command in HUB_COMMANDS:
                return Outcome(
                    (
                        Reply(
                            event.chat_id,
                            (plain(_h("This group is not the advisor group of a hub.")),),
                            reply_to_message_id=event.message_id,
                        ),
                    )
                )
            return Outcome()
        turn = HubTurn(event, catalog, hub, [])
        if event.edited:
            if not event.command and not event.text.lstrip().startswith("!"):
                await self._edited(turn)
        elif event.button:
            await self._button(turn)
        elif event.command:
            await self._command(turn)
        elif not event.text.lstrip().startswith("!"):
            await self._message(turn)
        return Outcome(tuple(turn.replies), turn.notice)

    # -- finding the handoff an event is about --------------------------------------------------------------

    async def _thread_handoff(self, turn: HubTurn) -> Handoff | None:
        """The handoff whose topic, or whose thread of replies, the event was written in."""
        event = turn.event
        if event.thread_id is not None:
            found = await self.store.handoff_for_topic(hub_chat_id=event.chat_id, topic_id=event.thread_id)
            if found is not None:
                return found
        if event.reply_to_message_id is not None:
            return await self.store.handoff_for_message(
                hub_chat_id=event.chat_id, message_id=event.reply_to_message_id
            )
        return None

    async def _target(self, turn: HubTurn) -> Handoff | None:
        """`/close 12` or `/close #12`, else the thread's handoff; None (and an answer) when there is none."""
        _h = self.hub_gettext(turn.catalog)
        args = turn.event.args
        if turn.event.command == "transfer" and len(args) == 1 and not args[0].startswith("#"):
            args = ()  # `/transfer 03` names the target hub or region, not a request
        raw = args[0].lstrip("#") if args else ""
        handoff = (
            await self.store.get_handoff(handoff_id=int(raw)) if raw.isdigit() and len(raw) < 12 else None
        )
        if handoff is None and not raw.isdigit():
            handoff = await self._thread_handoff(turn)
        if handoff is None or handoff.hub_chat_id != turn.event.chat_id:
            if handoff is not None:
                log.warning(
                    "chat %s tried to act on handoff %s of another chat", turn.event.chat_id, handoff.id
                )
            turn.answer(
                (
                    plain(
                        _h(
                            "Which request? Write this in its topic, reply to its card, or give its number: /close 12."
                        )
                    ),
                )
            )
            return None
        return handoff

    # -- buttons -----------------------------------------------------------------------------------------

    async def _button(self, turn: HubTurn) -> None:
        _h = self.hub_gettext(turn.catalog)
        prefix, _sep, rest = (turn.event.button or "").partition(":")
        raw_id, _sep, value = rest.partition(":")
        handoff = (
            await self.store.get_handoff(handoff_id=int(raw_id))
            if raw_id.isdigit() and len(raw_id) < 12
            else None
        )
        if prefix not in BUTTONS or handoff is None or handoff.hub_chat_id != turn.event.chat_id:
            log.warning("refused button %r in chat %s", (turn.event.button or "")[:64], turn.event.chat_id)
            turn.notice = _h("This button has expired.")
            return
        if prefix == "hc":
            await self.claim(turn, handoff)
        elif prefix == "hz":
            await self.close(turn, handoff)
        elif prefix == "ht" and handoff.is_open:
            turn.replies.append(
                replace(
                    self.card_edit(turn.catalog, handoff),
                    buttons=card.transfer_buttons(turn.catalog, handoff, _h),
                )
            )
        elif prefix == "hb":
            turn.replies.append(self.card_edit(turn.catalog, handoff))
        elif prefix == "hx" and (target := turn.catalog.hub(value)) is not None:
            await self.transfer(turn, handoff, target)
        else:
            turn.notice = _h("This button has expired.")

    # -- commands ----------------------------------------------------------------------------------------

    async def _command(self, turn: HubTurn) -> None:
        command = turn.event.command
        if command == "queue":
            await self.queue(turn, mine=False)
        elif command == "mine":
            await self.queue(turn, mine=True)
        elif command == "help":
            self.help(turn)
        elif command in ("claim", "close", "end", "transfer", "reopen") and (
            handoff := await self._target(turn)
        ):
            if command == "claim":
                await self.claim(turn, handoff)
            elif command in ("close", "end"):
                await self.close(turn, handoff)
            elif command == "reopen":
                await self.reopen(turn, handoff)
            else:
                await self._transfer_command(turn, handoff)
        # /note and unknown commands: nothing is relayed, nothing is said

    async def queue(self, turn: HubTurn, *, mine: bool) -> None:
        """`/queue`: open requests, oldest first, with their age; `/mine`: the ones I claimed."""
        _h = self.hub_gettext(turn.catalog)
        catalog, now = turn.catalog, self.now()
        locale = catalog.locale(catalog.default_language)
        handoffs = await self.store.open_handoffs(
            hub_chat_id=turn.event.chat_id, advisor_id=turn.event.sender.id if mine else None
        )
        if not handoffs:
            turn.answer(
                (plain(_h("You have no open request.") if mine else _h("No open request. Well done!")),)
            )
            return
        rows: list[str | Span | Rich] = [
            bold(_h("Your requests") if mine else _h("Open requests, oldest first"))
        ]
        for h in handoffs:
            state = (
                _h("waiting {age}").format(age=card.age(h.created_at, now, locale))
                if h.status == "waiting"
                else _h("claimed by {advisor}").format(advisor=card.advisor_label(h, _h))
            )
            sector = (
                ", ".join(catalog.label("sectors", c, catalog.default_language) for c in h.profile.sectors)
                if h.profile.sectors
                else "—"
            )
            rows.append(f"#{h.id} · {h.first_name or '—'} · {sector} · {state}")
        turn.answer(lines(*rows))

    def help(self, turn: HubTurn) -> None:
        _h = self.hub_gettext(turn.catalog)
        turn.answer(
            lines(
                bold(_h("Commands of the advisor group")),
                _h("/queue: open requests, oldest first"),
                _h("/mine: the requests you claimed"),
                _h(
                    "/claim, /close, /transfer, /reopen: in a request's topic, as a reply to its card, or with its number (/close 12)"
                ),
                _h("Start a message with ! (or use /note) for a note the entrepreneur will not see."),
            )
        )

    # -- actions -----------------------------------------------------------------------------------------

    async def claim(self, turn: HubTurn, handoff: Handoff) -> bool:
        """Exactly one advisor wins a claim; the entrepreneur is told who is with them."""
        _h = self.hub_gettext(turn.catalog)
        sender = turn.event.sender
        if not await self.store.claim_handoff(
            handoff_id=handoff.id, advisor_id=sender.id, advisor_name=sender.first_name
        ):
            current = await self.store.get_handoff(handoff_id=handoff.id)
            if current is not None and current.status == "claimed":
                turn.notice = _h("Already claimed by {advisor}.").format(
                    advisor=card.advisor_label(current, _h)
                )
            else:
                turn.notice = _h("This request is closed.")
            if turn.event.command:
                turn.answer((plain(turn.notice),))
            return False
        claimed = await self.store.get_handoff(handoff_id=handoff.id)
        assert claimed is not None
        turn.notice = _h("You claimed request #{number}.").format(number=claimed.id)
        turn.replies.append(self.card_edit(turn.catalog, claimed))
        _u = self.i18n.get(claimed.lang).gettext
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
        _h = self.hub_gettext(turn.catalog)
        if handoff.advisor_name is None and turn.event.sender.first_name:
            await self.store.update_handoff(
                handoff_id=handoff.id, advisor_name=turn.event.sender.first_name[:256]
            )
        if not await self.store.close_handoff(
            at=self.now(),
            handoff_id=handoff.id,
            reason="advisor",
            follow_up_at=self.follow_up_at(turn.catalog),
        ):
            turn.notice = _h("This request is closed.")
            if turn.event.command:
                turn.answer((plain(turn.notice),))
            return
        closed = await self.after_close(turn.catalog, handoff.id)
        assert closed is not None
        turn.notice = _h("Request closed. The entrepreneur has been told.")
        turn.replies.append(self.in_thread(closed, (italic(turn.notice),)))
        turn.replies.append(self.card_edit(turn.catalog, closed))
        turn.replies.append(self.topic_action(closed, "close_topic"))
        _u = self.i18n.get(closed.lang).gettext
        turn.replies.append(Reply(closed.user_chat_id, (bold(_u("The advisor closed the conversation.")),)))
        text, buttons = self.rating_question(closed, _u)
        turn.replies.append(Reply(closed.user_chat_id, text, buttons))

    async def reopen(self, turn: HubTurn, handoff: Handoff) -> None:
        """Reopen a request closed recently (the network says how recently), claimed by whoever reopens it."""
        _h = self.hub_gettext(turn.catalog)
        hours = turn.catalog.handoff_policy.reopen_within_hours
        conv = await self.store.get_conversation(chat_id=handoff.user_chat_id)
        sender = turn.event.sender
        if handoff.is_open:
            turn.answer((plain(_h("This request is still open.")),))
            return
        if (
            conv is None
            or conv.handoff_id is not None
            or not hours
            or not await self.store.reopen_handoff(
                handoff_id=handoff.id,
                closed_since=self.now() - dt.timedelta(hours=hours),
                advisor_id=sender.id,
                advisor_name=sender.first_name,
            )
        ):
            turn.answer(
                (
                    plain(
                        _h(
                            "This request cannot be reopened any more: ask the entrepreneur to write to the bot again."
                        )
                    ),
                )
            )
            return
        reopened = await self.store.get_handoff(handoff_id=handoff.id)
        assert reopened is not None
        await self.store.save_conversation(
            replace(conv, step="handoff", handoff_id=reopened.id, hub_id=reopened.hub_id)
        )
        turn.replies.append(self.topic_action(reopened, "reopen_topic"))
        turn.replies.append(self.card_edit(turn.catalog, reopened))
        turn.replies.append(self.in_thread(reopened, (italic(_h("Request reopened.")),)))
        _u = self.i18n.get(reopened.lang).gettext
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

    async def _transfer_command(self, turn: HubTurn, handoff: Handoff) -> None:
        _h = self.hub_gettext(turn.catalog)
        args = turn.event.args  # `/transfer hub-03`, `/transfer 03`, `/transfer 12 hub-03`, `/transfer #12`
        wanted = args[-1] if args and not args[-1].startswith("#") and len(args) <= 2 else None
        if len(args) == 1 and args[0].isdigit() and turn.catalog.hub_for_region(args[0]) is None:
            wanted = None  # a bare number that is no region: the request's number
        target = (turn.catalog.hub(wanted) or turn.catalog.hub_for_region(wanted)) if wanted else None
        if target is None:
            turn.replies.append(
                Reply(
                    turn.event.chat_id,
                    (plain(_h("Transfer request #{number} to which hub?").format(number=handoff.id)),),
                    card.transfer_buttons(turn.catalog, handoff, _h),
                    reply_to_message_id=turn.event.message_id,
                    topic_id=turn.event.thread_id,
                )
            )
            return
        await self.transfer(turn, handoff, target)

    async def transfer(self, turn: HubTurn, handoff: Handoff, target: Hub) -> None:
        """Move the request to another hub: a new thread there; the old one says where it went."""
        _h = self.hub_gettext(turn.catalog)
        catalog = turn.catalog
        chat = self.advisor_chat(target)
        if chat is None or target.id == handoff.hub_id or not handoff.is_open:
            turn.notice = _h("This request cannot be transferred there.")
            if turn.event.command:
                turn.answer((plain(turn.notice),))
            return
        start = schedule_for(catalog, target).next_opening(self.now())
        if not await self.store.transfer_handoff(
            handoff_id=handoff.id,
            hub_id=target.id,
            hub_chat_id=chat,
            remind_at=reminder_due(catalog, target, start),
        ):
            turn.notice = _h("This request is closed.")
            return
        moved = await self.store.get_handoff(handoff_id=handoff.id)
        assert moved is not None
        name = catalog.text(target.name, catalog.default_language)
        by = turn.event.sender.first_name or _h("an advisor")
        turn.notice = _h("Transferred to {hub}.").format(hub=name)
        old = replace(handoff, status="closed", close_reason="transferred")
        turn.replies.append(
            Reply(
                handoff.hub_chat_id,
                (italic(_h("Transferred to {hub} by {advisor}.").format(hub=name, advisor=by)),),
                reply_to_message_id=handoff.card_message_id,
                topic_id=handoff.topic_id,
            )
        )
        if handoff.card_message_id is not None:
            turn.replies.append(
                Reply(
                    handoff.hub_chat_id,
                    card.card_text(catalog, old, _h, self.now()),
                    edit_message_id=handoff.card_message_id,
                )
            )
        if handoff.topic_id is not None:
            turn.replies.append(Reply(handoff.hub_chat_id, action="close_topic", topic_id=handoff.topic_id))
        self.announce(turn.replies.append, catalog, moved, transferred_from=handoff.hub_id)
        _u = self.i18n.get(moved.lang).gettext
        turn.replies.append(
            Reply(
                moved.user_chat_id,
                lines(
                    fmt(
                        _u("Your request was passed to {hub}."),
                        hub=bold(catalog.text(target.name, moved.lang)),
                    ),
                    _u("An advisor there will answer you here."),
                ),
            )
        )

    def announce(
        self,
        send: Callable[[Reply], None],
        catalog: Catalog,
        handoff: Handoff,
        *,
        transferred_from: str | None = None,
    ) -> None:
        self.entrepreneur_desk.announce(send, catalog, handoff)
        if transferred_from:
            _h = self.hub_gettext(catalog)
            origin = card.hub_name(catalog, transferred_from, catalog.default_language)
            send(self.in_thread(handoff, (italic(_h("Transferred here by {hub}.").format(hub=origin)),)))

    # -- messages in a thread: relayed to the entrepreneur ---------------------------------------------------

    async def _edited(self, turn: HubTurn) -> None:
        """An advisor edited a message of a thread: the entrepreneur gets the new version, in their language,
        as a copy after a line saying it was edited. Only for an open request still in this chat."""
        event = turn.event
        handoff = await self._thread_handoff(turn)
        if handoff is None or event.message_id is None:
            return
        if not handoff.is_open or handoff.hub_chat_id != event.chat_id:
            return  # what was not relayed then is not relayed now
        _u = self.i18n.get(handoff.lang).gettext
        log.info("handoff %s: an advisor edited message %s", handoff.id, event.message_id)
        turn.replies.append(Reply(handoff.user_chat_id, (italic(_u("✏️ The advisor edited a message:")),)))
        turn.replies.append(
            Reply(
                handoff.user_chat_id,
                (plain(event.text),) if event.text else (),
                copy_of=MessageRef(event.chat_id, event.message_id),
            )
        )

    async def _message(self, turn: HubTurn) -> None:
        event = turn.event
        handoff = await self._thread_handoff(turn)
        if handoff is None and event.reply_to_bot and event.thread_id is None:
            _h = self.hub_gettext(turn.catalog)
            turn.answer(
                (
                    italic(
                        _h(
                            "I cannot tell which request this is for; it was not sent. Reply to the request's card, or write in its topic."
                        )
                    ),
                )
            )
            return
        if handoff is None or event.message_id is None:
            return  # chatter in the group's general thread
        _h = self.hub_gettext(turn.catalog)
        if handoff.hub_chat_id != event.chat_id:
            log.warning("chat %s wrote in the old thread of handoff %s", event.chat_id, handoff.id)
            turn.answer(
                (italic(_h("This request was transferred to another hub; this message was not sent.")),)
            )
            return
        if not handoff.is_open:
            turn.answer(
                (italic(_h("This request is closed; this message was not sent. /reopen reopens it.")),)
            )
            return
        if handoff.status == "waiting":
            await self.claim(turn, handoff)
            turn.notice = None
        turn.replies.append(
            Reply(
                handoff.user_chat_id,
                (plain(event.text),) if event.text else (),
                copy_of=MessageRef(event.chat_id, event.message_id),
            )
        )
        await self.store.link_message(
            hub_chat_id=event.chat_id, message_id=event.message_id, handoff_id=handoff.id
        )
