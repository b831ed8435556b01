"""One inbound event being handled: the conversation, the user's language, and the replies so far.

A `Turn` is created per event and thrown away after, so nothing of one user's turn (language above all)
can leak into the next user's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from babel.support import NullTranslations

from bot.catalog.model import Catalog
from bot.core.text import Rich
from bot.core.types import Button, Conversation, Inbound, Profile, Reply

Keyboard = tuple[tuple[Button, ...], ...]


@dataclass
class Turn:
    """The working state of one event; `conv` is saved at the end unless the user was forgotten."""

    catalog: Catalog
    conv: Conversation
    tr: NullTranslations
    event: Inbound
    retention_days: int
    replies: list[Reply] = field(default_factory=list)
    notice: str | None = None
    forgotten: bool = False
    unmet: Profile | None = None
    gaps: tuple[str, ...] = ()  # stated needs nothing covered, recorded for the network's report

    def _(self, message: str) -> str:
        """Translate into the user's language."""
        return self.tr.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.tr.ngettext(singular, plural, count)

    @property
    def lang(self) -> str:
        return self.conv.lang

    @property
    def locale(self) -> str:
        return self.catalog.locale(self.conv.lang)

    def say(self, text: Rich, buttons: Keyboard = (), **options: Any) -> None:
        """Send a message to the user's own chat."""
        self.replies.append(Reply(self.conv.chat_id, text, buttons, **options))

    def send(self, reply: Reply) -> None:
        """Send something elsewhere (a hub's advisor chat)."""
        self.replies.append(reply)

    def edit_pressed(self, text: Rich, buttons: Keyboard = ()) -> None:
        """Replace the message whose button was pressed (e.g. to tick a need), if there is one."""
        if self.event.button_message_id is not None:
            self.say(text, buttons, edit_message_id=self.event.button_message_id)

    def update(self, **changes: Any) -> None:
        self.conv = replace(self.conv, **changes)

    def update_profile(self, **changes: object) -> None:
        self.conv = self.conv.with_profile(**changes)


def grid(buttons: list[Button], columns: int = 2) -> list[tuple[Button, ...]]:
    """Lay buttons out in rows of `columns`."""
    return [tuple(buttons[i : i + columns]) for i in range(0, len(buttons), columns)]
