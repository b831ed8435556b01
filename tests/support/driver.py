"""Drive the transport-free core the way an adapter does: number messages per chat, report tracked sends."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from bot.core.dialogue import Dialogue
from bot.core.placement import Moved, parse_command, place
from bot.core.text import as_plain
from bot.core.types import Inbound, Outcome, Person, Reply
from tests.support.personas import ADVISOR, ENTREPRENEUR


@dataclass
class Sent:
    """A reply as the user of that chat would see it."""

    message_id: int
    reply: Reply

    @property
    def text(self) -> str:
        return as_plain(self.reply.text)

    @property
    def buttons(self) -> list[str]:
        return [button.data for row in self.reply.buttons for button in row]


@dataclass
class CoreDriver:
    dialogue: Dialogue
    person: Person = ENTREPRENEUR
    sent: dict[int, list[Sent]] = field(default_factory=lambda: defaultdict(list))
    notices: list[str | None] = field(default_factory=list)
    _ids: dict[int, int] = field(default_factory=lambda: defaultdict(lambda: 100))

    def _next_id(self, chat_id: int) -> int:
        self._ids[chat_id] += 1
        return self._ids[chat_id]

    async def run(self, event: Inbound) -> Outcome:
        outcome = await self.dialogue.handle(event)
        self.notices.append(outcome.notice)
        await self.deliver(outcome)
        return outcome

    async def deliver(self, outcome: Outcome) -> None:
        """What the outbox does, in a group without topics: cards edited in place, threads under the card."""
        for reply in outcome.replies:
            if reply.action in ("open_topic", "close_topic", "reopen_topic"):
                continue
            handoff = await self.dialogue.thread_of(reply.handoff) if reply.handoff else None
            if handoff is not None:
                placed = place(reply, handoff)
                if placed is None:
                    continue
                reply = replace(reply, chat_id=placed.chat_id) if isinstance(placed, Moved) else placed
            elif reply.action == "edit_card":
                continue
            message_id = reply.edit_message_id or self._next_id(reply.chat_id)
            self.sent[reply.chat_id].append(Sent(message_id, reply))
            if reply.track:
                await self.dialogue.delivered(reply.track, reply.chat_id, message_id)

    async def tick(self) -> Outcome:
        outcome = await self.dialogue.tick()
        await self.deliver(outcome)
        return outcome

    async def say(self, text: str, *, has_media: bool = False) -> Outcome:
        """The entrepreneur writes in their private chat (a leading / makes it a command)."""
        command, args = parse_command(text)
        message_id = self._next_id(self.person.id)
        event = Inbound(
            self.person.id,
            self.person,
            text=text,
            command=command,
            args=args,
            message_id=message_id,
            has_media=has_media,
        )
        return await self.run(event)

    async def press(self, data: str) -> Outcome:
        """The entrepreneur presses a button of the latest message that has buttons."""
        carrier = next((s for s in reversed(self.sent[self.person.id]) if s.buttons), None)
        message_id = carrier.message_id if carrier else None
        return await self.run(Inbound(self.person.id, self.person, button=data, button_message_id=message_id))

    async def advisor_says(
        self, chat_id: int, text: str, *, reply_to: int | None, advisor: Person = ADVISOR
    ) -> Outcome:
        """An advisor writes in a hub group, as a reply to `reply_to`."""
        command, args = parse_command(text)
        event = Inbound(
            chat_id,
            advisor,
            text=text,
            command=command,
            args=args,
            message_id=self._next_id(chat_id),
            reply_to_message_id=reply_to,
            private=False,
        )
        return await self.run(event)

    async def advisor_presses(self, chat_id: int, data: str, *, advisor: Person = ADVISOR) -> Outcome:
        """An advisor presses a button of the latest message of the group that has it."""
        carrier = next(s for s in reversed(self.sent[chat_id]) if data in s.buttons)
        event = Inbound(chat_id, advisor, button=data, button_message_id=carrier.message_id, private=False)
        return await self.run(event)

    def card(self, chat_id: int) -> Sent:
        """The card as it reads now (its latest edit)."""
        cards = [
            s
            for s in self.sent[chat_id]
            if (s.reply.track or "").startswith("card") or s.reply.action == "edit_card"
        ]
        return cards[-1]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [s.text for s in self.sent[self.person.id if chat_id is None else chat_id]]

    def last(self, chat_id: int | None = None) -> Sent:
        return self.sent[self.person.id if chat_id is None else chat_id][-1]

    def last_buttons(self) -> list[str]:
        return next((s.buttons for s in reversed(self.sent[self.person.id]) if s.buttons), [])
