"""The advisors' desk: what happens in a hub's advisor group.

Only the chat the catalog names for a hub can act on that hub's handoffs: every button and command is
checked against the handoff's current hub chat, and anything else is refused, logged and changes nothing.
Advisors claim (exactly one wins: the database decides), answer in the handoff's thread, keep internal
notes (`!` or `/note`), transfer, close and reopen (`advisor_actions`), and ask for their queue
(`advisor_queue`). Buttons and commands go through dispatch tables: a card's button by its kind
(`bot.core.buttons`), a command by its name.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Any

from bot.catalog.model import Catalog
from bot.catalog.schema import Hub
from bot.core import advisor_queue, card, funnel
from bot.core.advisor_actions import AdvisorActions
from bot.core.buttons import (
    MAX_INT,
    Action,
    BackToCard,
    CardAction,
    Claim,
    CloseRequest,
    ForwardEntry,
    ShowTransfer,
    TransferTo,
    parse,
)
from bot.core.copilot import Copilot
from bot.core.moderation import Moderation
from bot.core.text import italic, plain
from bot.core.thread import DeskServices, HandoffThread
from bot.core.turn import HubTurn
from bot.core.types import Handoff, Inbound, MessageRef, Outcome, Reply

log = logging.getLogger(__name__)

# A card's button: the desk, the turn, the button's handoff (checked to be this chat's), the action.
Press = Callable[["AdvisorDesk", HubTurn, Handoff, Any], Awaitable[bool]]


class AdvisorDesk:
    """Claims, relays, notes, transfers, closes and reopens handoffs from a hub's advisor chat."""

    def __init__(
        self,
        services: DeskServices,
        thread: HandoffThread,
        moderation: Moderation,
        admin_chat_id: int | None = None,
    ) -> None:
        self.services = services
        self.store = services.store
        self.thread = thread
        self.actions = AdvisorActions(services, thread)
        self.copilot = Copilot(services, thread, self.actions, admin_chat_id)
        self.moderation = moderation
        self.commands: dict[str, Callable[[HubTurn], Awaitable[None]]] = {
            "queue": partial(advisor_queue.queue, services, mine=False),
            "mine": partial(advisor_queue.queue, services, mine=True),
            "help": advisor_queue.help_text,
        }
        self.request_commands: dict[str, Callable[[HubTurn, Handoff], Awaitable[object]]] = {
            "claim": self.actions.claim,
            "close": self.actions.close,
            "end": self.actions.close,
            "reopen": self.actions.reopen,
            "transfer": self.actions.transfer_command,
            "suggest": self.copilot.suggest,
            "ban": moderation.ban,
            "unban": moderation.unban,
        }
        # in a request's thread or not: the command says what it needs
        self.thread_commands: dict[str, Callable[[HubTurn, Handoff | None], Awaitable[None]]] = {
            "r": self.copilot.canned,
            "missing": self.copilot.missing,
        }
        # /note (and an unknown command): nothing is relayed, nothing is said
        self.known_commands = (
            *self.commands,
            *self.request_commands,
            *self.thread_commands,
            "note",
            "link",
        )

    def hub_of_chat(self, catalog: Catalog, chat_id: int) -> Hub | None:
        """The hub whose advisor chat this is, if any."""
        return self.services.hub_of_chat(catalog, chat_id)

    async def handle(self, event: Inbound, catalog: Catalog) -> Outcome:
        """A message, command or button press in a group."""
        if event.command == "link" and not event.edited:
            return await self.moderation.link(event, catalog)
        hub = self.services.hub_of_chat(catalog, event.chat_id)
        if hub is None:
            return self._not_a_hub(event, catalog)
        turn = HubTurn(event, catalog, hub, self.services.i18n.get(catalog.default_language))
        if event.edited:
            if not event.command and not event.text.lstrip().startswith("!"):
                await self._edited(turn)
        elif event.button:
            await self._button(turn)
        elif event.command:
            await self._command(turn)
        elif not event.text.lstrip().startswith("!"):
            await self._message(turn)
        else:
            await self._note(turn, event.text.lstrip()[1:])
        return Outcome(tuple(turn.replies), turn.notice)

    def _not_a_hub(self, event: Inbound, catalog: Catalog) -> Outcome:
        """A group that is no hub's advisor chat: its buttons are expired, its desk commands refused."""
        _h = self.services.hub_gettext(catalog)
        if event.button or event.command in self.known_commands:
            log.warning(
                "chat %s is no hub's advisor chat: %s refused", event.chat_id, event.button or event.command
            )
        if event.button:
            return Outcome(notice=_h("This button has expired."))
        if event.command in self.known_commands:
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
        args = turn.event.args
        if turn.event.command == "transfer" and args and not args[0].startswith("#"):
            # `/transfer 03` or `/transfer hub-03 reason...` names the target, not a request; in
            # `/transfer 12 hub-03 reason...` the target comes second
            catalog = turn.catalog
            if len(args) == 1 or not (catalog.hub(args[1]) or catalog.hub_for_region(args[1])):
                args = ()
        raw = args[0].lstrip("#") if args else ""
        number = raw.isascii() and raw.isdigit()  # not '²', which str.isdigit takes and int() refuses
        handoff = (
            await self.store.get_handoff(handoff_id=int(raw))
            if number and len(raw) < 12 and int(raw) <= MAX_INT
            else None
        )
        if handoff is None and not number:
            handoff = await self._thread_handoff(turn)
        if handoff is None or handoff.hub_chat_id != turn.event.chat_id:
            if handoff is not None:
                log.warning(
                    "chat %s tried to act on handoff %s of another chat", turn.event.chat_id, handoff.id
                )
            turn.answer(
                (
                    plain(
                        turn._h(
                            "Which request? Write this in its topic, reply to its card, or give its number: /close 12."
                        )
                    ),
                )
            )
            return None
        return handoff

    # -- buttons: a card's, checked against the handoff's current chat ----------------------------------

    async def _button(self, turn: HubTurn) -> None:
        data = turn.event.button or ""
        action = parse(data)
        press = PRESSES.get(type(action)) if action is not None else None
        handoff = (
            await self.store.get_handoff(handoff_id=action.handoff_id)
            if press is not None and isinstance(action, CardAction)
            else None
        )
        if press is None or handoff is None or handoff.hub_chat_id != turn.event.chat_id:
            log.warning("refused button %r in chat %s", data[:64], turn.event.chat_id)
            turn.notice = turn._h("This button has expired.")
        elif not await press(self, turn, handoff, action):
            turn.notice = turn._h("This button has expired.")

    async def _claim(self, turn: HubTurn, handoff: Handoff, _action: Claim) -> bool:
        await self.actions.claim(turn, handoff)
        return True

    async def _close(self, turn: HubTurn, handoff: Handoff, _action: CloseRequest) -> bool:
        await self.actions.close(turn, handoff)
        return True

    async def _show_transfer(self, turn: HubTurn, handoff: Handoff, _action: ShowTransfer) -> bool:
        """The card's buttons become one per other hub, then Back."""
        if not handoff.is_open:
            return False
        buttons = card.transfer_buttons(turn.catalog, handoff, turn._h, self.services.advisor_chat)
        turn.replies.append(replace(self.thread.card_edit(turn.catalog, handoff), buttons=buttons))
        return True

    async def _back_to_card(self, turn: HubTurn, handoff: Handoff, _action: BackToCard) -> bool:
        turn.replies.append(self.thread.card_edit(turn.catalog, handoff))
        return True

    async def _transfer_to(self, turn: HubTurn, handoff: Handoff, action: TransferTo) -> bool:
        target = turn.catalog.hub(action.hub_id)
        if target is None:
            return False
        await self.actions.transfer(turn, handoff, target)
        return True

    # -- commands ----------------------------------------------------------------------------------------

    async def _command(self, turn: HubTurn) -> None:
        command = turn.event.command or ""
        if (general := self.commands.get(command)) is not None:
            await general(turn)
        elif (in_thread := self.thread_commands.get(command)) is not None:
            await in_thread(turn, await self._thread_handoff(turn))
        elif command == "note":
            await self._note(turn, " ".join(turn.event.text.split()[1:]))
        elif (on_request := self.request_commands.get(command)) is not None and (
            handoff := await self._target(turn)
        ):
            await on_request(turn, handoff)

    async def _note(self, turn: HubTurn, text: str) -> None:
        """An internal note in a request's thread is kept with the request (a transfer carries it)."""
        handoff = await self._thread_handoff(turn)
        if handoff is None or handoff.hub_chat_id != turn.event.chat_id or not text.strip():
            return
        await self.store.add_note(
            handoff_id=handoff.id,
            hub_id=handoff.hub_id,
            author=turn.event.sender.first_name,
            text=text.strip(),
            kind="note",
            at=self.services.now(),
        )

    async def _forward(self, turn: HubTurn, handoff: Handoff, action: ForwardEntry) -> bool:
        return await self.copilot.forward(turn, handoff, action)

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
        _u = self.services.user_gettext(handoff)
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
            turn.answer(
                (
                    italic(
                        turn._h(
                            "I cannot tell which request this is for; it was not sent. Reply to the request's card, or write in its topic."
                        )
                    ),
                )
            )
            return
        if handoff is None or event.message_id is None:
            return  # chatter in the group's general thread
        if handoff.hub_chat_id != event.chat_id:
            log.warning("chat %s wrote in the old thread of handoff %s", event.chat_id, handoff.id)
            turn.answer(
                (italic(turn._h("This request was transferred to another hub; this message was not sent.")),)
            )
            return
        if not handoff.is_open:
            turn.answer(
                (italic(turn._h("This request is closed; this message was not sent. /reopen reopens it.")),)
            )
            return
        if handoff.status == "waiting":
            await self.actions.claim(turn, handoff)
            turn.notice = None
        turn.replies.append(
            Reply(
                handoff.user_chat_id,
                (plain(event.text),) if event.text else (),
                copy_of=MessageRef(event.chat_id, event.message_id),
            )
        )
        await self.store.link_message(
            hub_chat_id=event.chat_id, message_id=event.message_id, handoff_id=handoff.id, bot_copy=False
        )
        if not handoff.advisor_replied:  # the first answer at this hub: the report's response time
            await self.store.update_handoff(handoff_id=handoff.id, advisor_replied=True, remind_at=None)
            await self.services.record(turn.catalog, funnel.of_handoff(funnel.Kind.ANSWERED, handoff))


# One handler per kind of card button: functions of the class, so the table holds no instance.
PRESSES: dict[type[Action], Press] = {
    Claim: AdvisorDesk._claim,
    CloseRequest: AdvisorDesk._close,
    ShowTransfer: AdvisorDesk._show_transfer,
    BackToCard: AdvisorDesk._back_to_card,
    TransferTo: AdvisorDesk._transfer_to,
    ForwardEntry: AdvisorDesk._forward,
}
