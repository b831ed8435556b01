"""What the core needs from outside, declared as Protocols: the core is written against these, never against a
database, SQLAlchemy or Telegram.

`bot.storage.Store` implements every one (mypy checks it where `bot.bootstrap` hands the store to the core);
a test double needs only the methods the code under test calls. Each method belongs to the unit of work the
adapter opened around the update (storage's business: nothing here opens or commits a transaction).

The outbox is not a port of the core: the core returns an `Outcome` and the adapter writes it out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol, TypedDict, Unpack

from bot.core.funnel import FunnelEvent
from bot.core.types import Conversation, Handoff, Profile


class Clock(Protocol):
    """The time now, timezone-aware UTC (`bot.core.clock.utcnow` in production; a test moves its own)."""

    def __call__(self) -> dt.datetime: ...


class Conversations(Protocol):
    """One entrepreneur's private chat, read at the start of each event and saved at its end."""

    async def get_conversation(self, *, chat_id: int) -> Conversation | None: ...

    async def save_conversation(self, conversation: Conversation) -> Conversation:
        """Insert or replace; returns it with its new `updated_at`."""
        ...

    async def forget_user(self, *, chat_id: int) -> int:
        """/forget: delete everything about this entrepreneur (requests and their outbox rows too); returns how
        many rows went."""
        ...


class HandoffChanges(TypedDict, total=False):
    """The bookkeeping fields of a request that `Requests.update_handoff` may set."""

    topic_id: int | None
    advisor_name: str | None
    advisor_replied: bool
    acked: bool
    remind_at: dt.datetime | None
    reminders: int
    rating: int | None
    comment: str | None
    follow_up_at: dt.datetime | None
    helped: str | None


class Requests(Protocol):
    """An entrepreneur's requests for a human (handoffs) and their lifecycle. Each transition (claim, close,
    reopen, transfer) is applied only from the states `HANDOFF_TRANSITIONS` allows, as one atomic step, and
    says whether it happened: two advisors (or both sides) acting at once cannot both succeed."""

    async def create_handoff(
        self,
        *,
        user_chat_id: int,
        hub_id: str,
        hub_chat_id: int,
        lang: str,
        question: str,
        first_name: str,
        username: str | None,
        profile: Profile,
        matches: tuple[str, ...],
        remind_at: dt.datetime | None,
        at: dt.datetime | None = None,
    ) -> Handoff: ...

    async def get_handoff(self, *, handoff_id: int) -> Handoff | None: ...

    async def handoffs_of(self, *, user_chat_id: int) -> list[Handoff]:
        """Every request of one entrepreneur, open or closed, oldest first."""
        ...

    async def open_handoffs(self, *, hub_chat_id: int, advisor_id: int | None = None) -> list[Handoff]:
        """The open requests of a hub chat, oldest first (only one advisor's claimed ones when `advisor_id`)."""
        ...

    async def claim_handoff(
        self, *, handoff_id: int, advisor_id: int, advisor_name: str, at: dt.datetime | None = None
    ) -> bool: ...

    async def close_handoff(
        self,
        *,
        handoff_id: int,
        reason: str = "ended",
        follow_up_at: dt.datetime | None = None,
        at: dt.datetime | None = None,
    ) -> bool: ...

    async def reopen_handoff(
        self,
        *,
        handoff_id: int,
        closed_since: dt.datetime,
        advisor_id: int,
        advisor_name: str,
        at: dt.datetime | None = None,
    ) -> bool:
        """Reopen a request an advisor (or the end of the conversation) closed after `closed_since`."""
        ...

    async def transfer_handoff(
        self, *, handoff_id: int, hub_id: str, hub_chat_id: int, remind_at: dt.datetime | None
    ) -> bool:
        """Move an open request to another hub, where it waits in a new thread."""
        ...

    async def update_handoff(
        self, *, handoff_id: int, in_chat: int | None = None, **values: Unpack[HandoffChanges]
    ) -> None:
        """Set bookkeeping fields; with `in_chat`, only while the request still lives in that hub chat."""
        ...

    async def due_reminders(self, *, now: dt.datetime) -> list[Handoff]:
        """Waiting requests whose reminder (or escalation) is due, soonest first."""
        ...

    async def due_follow_ups(self, *, now: dt.datetime) -> list[Handoff]:
        """Closed requests whose one-time follow-up question is due, soonest first."""
        ...


class Threads(Protocol):
    """Which hub-chat message belongs to which request's thread (its card, the copies relayed both ways)."""

    async def link_message(
        self, *, hub_chat_id: int, message_id: int, handoff_id: int, card: bool = False
    ) -> None:
        """Remember the message as part of the request's thread (as its card when `card`); nothing when the
        request is gone."""
        ...

    async def thread_copies(self, *, handoff_id: int) -> list[int]:
        """The thread's messages other than the card, in its current hub chat (to delete after /forget)."""
        ...

    async def handoff_for_message(self, *, hub_chat_id: int, message_id: int) -> Handoff | None: ...

    async def handoff_for_topic(self, *, hub_chat_id: int, topic_id: int) -> Handoff | None: ...


class Statistics(Protocol):
    """What `aiguilleur report` counts: anonymous codes only, nothing that identifies anyone."""

    async def record_events(self, *, network: str, events: Iterable[FunnelEvent], at: dt.datetime) -> None:
        """The funnel's steps (`bot.core.funnel`)."""
        ...

    async def record_unmet(self, *, network: str, profile: Profile) -> None:
        """Nothing fitted this profile."""
        ...

    async def record_gaps(self, *, network: str, profile: Profile, needs: tuple[str, ...]) -> None:
        """Each of these stated needs found nothing for this profile."""
        ...


class Store(Conversations, Requests, Threads, Statistics, Protocol):
    """Everything the core keeps between events."""
