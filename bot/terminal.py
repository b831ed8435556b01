"""The terminal adapter: talk with the real dialogue core without Telegram, and play the hub's advisor.

Buttons are printed as numbered choices (typing the number or the label both work). Messages for a hub's
advisor chat are printed with the hub's name; a line starting with `@advisor` answers in that chat as a
reply to the latest handoff card, so the whole loop is visible on one screen.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass, field
from typing import TextIO

from bot.bootstrap import build_core
from bot.catalog.schema import Hub
from bot.core.dialogue import Dialogue
from bot.core.placement import parse_command
from bot.core.text import as_plain
from bot.core.types import Button, Inbound, Outcome, Person, Reply
from bot.settings import Settings

ADVISOR_PREFIX = "@advisor"


def local_user() -> Person:
    """The person at the keyboard; their language comes from the locale (LANG=fr_CA.UTF-8 -> fr)."""
    locale = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    code = locale.split(".")[0].split("_")[0].lower()
    return Person(id=1, first_name="", language_code=code if code.isalpha() and len(code) == 2 else None)


def terminal_advisor_chat(hub: Hub) -> int:
    """Every hub gets an advisor chat in the terminal, even when the catalog names none yet."""
    return hub.advisor_chat_id or -(10**12 + sum(map(ord, hub.id)))


@dataclass
class TerminalChat:
    """One entrepreneur at the keyboard, plus the advisors of whichever hub they reach."""

    dialogue: Dialogue
    inp: TextIO
    out: TextIO
    user: Person = field(default_factory=local_user)
    _messages: dict[int, dict[int, str]] = field(default_factory=dict)
    _buttons: list[Button] = field(default_factory=list)
    _buttons_message: int | None = None
    _card: tuple[int, int] | None = None

    def _store(self, chat_id: int, text: str) -> int:
        chat = self._messages.setdefault(chat_id, {})
        message_id = len(chat) + 1
        chat[message_id] = text
        return message_id

    def _print(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    async def run(self) -> None:
        """Greet, then read lines until end of input or /quit."""
        self._print(
            "Aiguilleur · terminal chat. Numbers pick buttons; '@advisor <text>' answers as the hub's "
            "advisor; /quit leaves."
        )
        await self._say("/start")
        while True:
            line = await asyncio.to_thread(self.inp.readline)
            if not line or line.strip() in ("/quit", "/exit"):
                break
            if line.strip():
                await self._say(line.strip())

    async def _say(self, line: str) -> None:
        if line.startswith(ADVISOR_PREFIX):
            await self._advisor(line.removeprefix(ADVISOR_PREFIX).strip())
            return
        message_id = self._store(self.user.id, line)
        button = self._pressed(line)
        if button is not None:
            event = Inbound(
                self.user.id, self.user, button=button.data, button_message_id=self._buttons_message
            )
        elif (parsed := parse_command(line))[0] is not None:
            command, args = parsed
            event = Inbound(
                self.user.id, self.user, text=line, command=command, args=args, message_id=message_id
            )
        else:
            event = Inbound(self.user.id, self.user, text=line, message_id=message_id)
        await self._apply(await self.dialogue.handle(event))

    def _pressed(self, line: str) -> Button | None:
        if line.isdigit() and 1 <= int(line) <= len(self._buttons):
            return self._buttons[int(line) - 1]
        lowered = line.casefold().removeprefix("✓ ")
        return next((b for b in self._buttons if b.label.casefold().removeprefix("✓ ") == lowered), None)

    async def _advisor(self, text: str) -> None:
        if self._card is None:
            self._print("(no handoff yet: ask for an advisor first)")
            return
        chat_id, card_id = self._card
        message_id = self._store(chat_id, text)
        command, args = parse_command(text)
        advisor = Person(id=2, first_name="Advisor")
        event = Inbound(
            chat_id,
            advisor,
            text=text,
            command=command,
            args=args,
            message_id=message_id,
            reply_to_message_id=card_id,
            private=False,
        )
        await self._apply(await self.dialogue.handle(event))

    async def _apply(self, outcome: Outcome) -> None:
        if outcome.notice:
            self._print(f"  ({outcome.notice})")
        for reply in outcome.replies:
            await self._show(reply)

    async def _show(self, reply: Reply) -> None:
        if reply.action in ("open_topic", "close_topic", "reopen_topic"):
            return  # no topics in a terminal: the thread is this screen
        text = as_plain(reply.text)
        if reply.action == "edit_card":
            text = "(card updated) " + text.split("\n")[-2] if "\n" in text else text
        if reply.copy_of is not None:
            text = self._messages.get(reply.copy_of.chat_id, {}).get(reply.copy_of.message_id, text)
        message_id = self._store(reply.chat_id, text)
        if reply.chat_id == self.user.id:
            self._print(
                "\n".join(
                    f"bot> {line}" if i == 0 else f"     {line}" for i, line in enumerate(text.split("\n"))
                )
            )
            self._show_buttons(reply, message_id)
        else:
            self._print("\n".join(f"[advisors {reply.chat_id}] {line}" for line in text.split("\n")))
        if reply.track:
            if reply.track.startswith("card:"):
                self._card = (reply.chat_id, message_id)
            await self.dialogue.delivered(reply.track, reply.chat_id, message_id)

    def _show_buttons(self, reply: Reply, message_id: int) -> None:
        """One line per keyboard row, numbered across rows."""
        if not reply.buttons:
            return
        self._buttons = [button for row in reply.buttons for button in row]
        self._buttons_message = message_id
        number = 0
        for row in reply.buttons:
            labels = []
            for button in row:
                number += 1
                labels.append(f"[{number}] {button.label}")
            self._print("     " + "   ".join(labels))


async def run_terminal(settings: Settings, inp: TextIO | None = None, out: TextIO | None = None) -> int:
    """`aiguilleur chat`: the real core on the configured database, in this terminal."""
    core = await build_core(settings, advisor_chat=terminal_advisor_chat)
    try:
        await TerminalChat(core.dialogue, inp or sys.stdin, out or sys.stdout).run()
    finally:
        await core.close()
    return 0
