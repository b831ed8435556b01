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
from bot.core.types import (
    Conversation,
    DeadlineReminder,
    Handoff,
    HubLink,
    Note,
    Profile,
    Referral,
    Subscription,
)


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
        """Open requests whose reminder (or escalation) is due, soonest first: waiting for a claim, or claimed
        and still without the advisor's first answer."""
        ...

    async def due_follow_ups(self, *, now: dt.datetime) -> list[Handoff]:
        """Closed requests whose one-time follow-up question is due, soonest first."""
        ...


class Threads(Protocol):
    """Which hub-chat message belongs to which request's thread: its card, the bot's copies of what the
    entrepreneur wrote, and the advisors' own messages there."""

    async def link_message(
        self, *, hub_chat_id: int, message_id: int, handoff_id: int, card: bool = False, bot_copy: bool = True
    ) -> None:
        """Remember the message as part of the request's thread (as its card when `card`; an advisor's own
        message when not `bot_copy`); nothing when the request is gone."""
        ...

    async def thread_copies(self, *, handoff_id: int) -> list[int]:
        """The bot's copies in the thread (not its card, not the advisors' own messages), in its current hub
        chat: what /forget deletes."""
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


class Copilot(Protocol):
    """The advisor's co-pilot: hub groups linked with /link, bans, the advisors' notes on a request."""

    async def hub_links(self) -> list[HubLink]:
        """Every hub group set with /link."""
        ...

    async def link_hub(self, *, hub_id: str, chat_id: int, linked_by: int, at: dt.datetime) -> None:
        """Make `chat_id` the hub's advisor group (one group per hub, one hub per group)."""
        ...

    async def ban_user(self, *, hub_id: str, user_chat_id: int, banned_by: int, at: dt.datetime) -> bool:
        """Ban an entrepreneur from a hub; False when they already were."""
        ...

    async def unban_user(self, *, hub_id: str, user_chat_id: int) -> bool:
        """Lift a ban; False when there was none."""
        ...

    async def is_banned(self, *, hub_id: str, user_chat_id: int) -> bool: ...

    async def add_note(
        self, *, handoff_id: int, hub_id: str, author: str, text: str, kind: str, at: dt.datetime
    ) -> None:
        """Keep an internal note (kind "note") or a transfer's reason ("transfer") with its request."""
        ...

    async def notes_of(self, *, handoff_id: int) -> list[Note]:
        """A request's notes and transfer reasons, oldest first."""
        ...


class Alerts(Protocol):
    """Opportunity alerts (docs/alerts.md): subscriptions, "remind me" before a deadline, what was announced
    to whom, and the catalog's opportunities as last compared."""

    async def subscribe(self, *, chat_id: int, lang: str, profile: Profile, at: dt.datetime) -> bool:
        """Subscribe (or update the profile of) a chat; True when it was not subscribed before."""
        ...

    async def subscription(self, *, chat_id: int) -> Subscription | None: ...

    async def unsubscribe(self, *, chat_id: int) -> bool:
        """Stop the alerts (the reminders stay); False when there was no subscription."""
        ...

    async def subscriptions(self) -> list[Subscription]:
        """Every subscription, oldest first."""
        ...

    async def drop_subscriber(self, *, chat_id: int) -> None:
        """A chat that blocked the bot: its subscription and reminders go."""
        ...

    async def save_reminder(self, reminder: DeadlineReminder, *, at: dt.datetime) -> bool:
        """Keep a reminder (or move it to this deadline); False when the same one was saved already."""
        ...

    async def reminders_of(self, *, chat_id: int) -> list[DeadlineReminder]:
        """A chat's reminders not sent yet, soonest first."""
        ...

    async def cancel_reminder(self, *, chat_id: int, entry_id: str) -> bool: ...

    async def due_deadline_reminders(self, *, now: dt.datetime) -> list[DeadlineReminder]:
        """Reminders due and not sent yet, soonest first."""
        ...

    async def reminder_sent(self, *, chat_id: int, entry_id: str, at: dt.datetime) -> None:
        """Mark a reminder sent (in the transaction that queues it)."""
        ...

    async def known_opportunities(self) -> dict[str, dt.date] | None:
        """The catalog's opportunities as last compared, by id; None before the first comparison."""
        ...

    async def remember_opportunities(self, opportunities: dict[str, dt.date]) -> None:
        """Replace the opportunities as last compared."""
        ...

    async def record_announced(
        self, *, entry_id: str, deadline: dt.date, chat_ids: list[int], at: dt.datetime
    ) -> list[int]:
        """Record that this opportunity (with this deadline) is announced to these chats; returns those it had
        not been announced to before, the only ones to tell."""
        ...


class Referrals(Protocol):
    """Warm referrals to partners (docs/referrals.md): drafted at consent, sent, answered, followed up; the
    e-mails to partners queued for the adapter's mailer."""

    async def create_referral(
        self,
        *,
        user_chat_id: int,
        network: str,
        entry_id: str,
        channel: str,
        partner_chat_id: int | None,
        lang: str,
        first_name: str,
        profile: Profile,
        at: dt.datetime,
    ) -> Referral:
        """A draft (consent given; the chat's earlier drafts are dropped)."""
        ...

    async def draft_of(self, *, user_chat_id: int) -> Referral | None: ...

    async def get_referral(self, *, referral_id: int) -> Referral | None: ...

    async def referral_by_token(self, *, token: str) -> Referral | None: ...

    async def send_referral(
        self,
        *,
        referral_id: int,
        question: str,
        token: str,
        follow_up_at: dt.datetime | None,
        at: dt.datetime,
    ) -> bool:
        """Draft -> sent (once); False when it was no longer a draft."""
        ...

    async def drop_draft(self, *, referral_id: int) -> bool: ...

    async def answer_referral(self, *, referral_id: int, accepted: bool, at: dt.datetime) -> bool:
        """Sent -> accepted or declined (once); False otherwise."""
        ...

    async def referral_failed(self, *, referral_id: int) -> bool:
        """Sent -> failed (the partner's chat could not be reached); no follow-up."""
        ...

    async def due_referral_follow_ups(self, *, now: dt.datetime) -> list[Referral]:
        """Referrals (sent or accepted, their entrepreneur still known) whose follow-up is due; each is
        cleared here, in the unit of work that queues the question."""
        ...

    async def record_referral_follow_up(self, *, referral_id: int, contacted: bool, helped: bool) -> bool:
        """The follow-up's answer, once; False when it was given already."""
        ...

    async def queue_referral_email(
        self, *, referral_id: int, to: str, subject: str, body: str, at: dt.datetime
    ) -> None:
        """An e-mail to the partner, sent by the adapter's mailer after the commit."""
        ...


class Store(Conversations, Requests, Threads, Statistics, Copilot, Alerts, Referrals, Protocol):
    """Everything the core keeps between events."""
