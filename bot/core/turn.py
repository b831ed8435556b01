"""One inbound event being handled: who, where, in which languages, and the replies so far.

A `Turn` is an event of an entrepreneur's private chat, a `HubTurn` one of a hub's advisor group. Each is
created per event and thrown away after, so nothing of one turn (language above all) can leak into the next.
Both speak the hub's language (the network's default) with `_h`, for what advisors read.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from babel.support import NullTranslations

from bot.catalog.model import Catalog
from bot.catalog.schema import Hub
from bot.core.funnel import FunnelEvent
from bot.core.steps import Step
from bot.core.text import Rich
from bot.core.types import Button, Conversation, Inbound, Profile, Reply

Keyboard = tuple[tuple[Button, ...], ...]


@dataclass
class Turn:
    """The working state of one event; `conv` is saved at the end unless the user was forgotten."""

    catalog: Catalog
    conv: Conversation
    tr: NullTranslations
    hub_tr: NullTranslations  # the hub's language, for what goes to the advisors
    event: Inbound
    retention_days: int
    replies: list[Reply] = field(default_factory=list)
    notice: str | None = None
    forgotten: bool = False
    unmet: Profile | None = None
    gaps: tuple[str, ...] = ()  # stated needs nothing covered, recorded for the network's report
    events: list[FunnelEvent] = field(default_factory=list)  # the funnel's steps, stored with the turn
    email_referrals: bool = False  # the bot can send e-mail: "Put me in touch" reaches partners' e-mail too

    def _(self, message: str) -> str:
        """Translate into the user's language."""
        return self.tr.gettext(message)

    def _h(self, message: str) -> str:
        """Translate into the hub's language, for the advisors."""
        return self.hub_tr.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.tr.ngettext(singular, plural, count)

    @property
    def step(self) -> Step | None:
        """The conversation's step (None before the first question, or for a value no step has)."""
        return Step.of(self.conv.step)

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


@dataclass
class HubTurn:
    """One event in a hub's advisor group: who, where, and what to answer; `_h` speaks the hub's language."""

    event: Inbound
    catalog: Catalog
    hub: Hub
    tr: NullTranslations
    replies: list[Reply] = field(default_factory=list)
    notice: str | None = None

    def _h(self, message: str) -> str:
        return self.tr.gettext(message)

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
