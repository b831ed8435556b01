"""The tables: the SQLModel row classes of the bot's own data, the naming convention of their constraints
(Alembic's migrations in bot/migrations/ compare against `metadata`), the inbox's statuses, and the
conversions between rows and the core's plain dataclasses (`Conversation`, `Handoff`, `Profile`). Times
are stored as timezone-aware UTC. The report's tables live in bot/storage/reports.py.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, overload

from sqlalchemy import BigInteger, Column, DateTime, Index, MetaData, UniqueConstraint, false, true
from sqlmodel import Field, SQLModel

from bot.core.types import Conversation, Handoff, Profile

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def _big(**kwargs: Any) -> Any:
    """A 64-bit integer column: Telegram ids exceed 32 bits."""
    return Field(sa_column=Column(BigInteger, **kwargs))


def _when(**kwargs: Any) -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), **kwargs))


class ConversationRow(SQLModel, table=True):
    """One entrepreneur's private chat: language, intake step, answers and open handoff."""

    __tablename__ = "conversation"
    chat_id: int = _big(primary_key=True, autoincrement=False)
    lang: str = Field(max_length=8)
    step: str | None = Field(default=None, max_length=24)
    stage: str | None = Field(default=None, max_length=24)
    sector: str | None = Field(default=None, max_length=24)
    region: str | None = Field(default=None, max_length=24)
    needs: str = Field(default="[]", max_length=1000)
    # The whole profile (sectors, eligibility) as JSON. The server defaults here and below are the ones the
    # migrations gave the columns they added: a database created from the models equals a migrated one.
    profile: str = Field(default="{}", max_length=2000, sa_column_kwargs={"server_default": "{}"})
    hub_id: str | None = Field(default=None, max_length=40)
    page: int = 0
    editing: bool = False
    handoff_id: int | None = Field(default=None)
    updated_at: dt.datetime = _when(nullable=False, index=True)
    consent_at: dt.datetime | None = _when(nullable=True)
    last_handoff_id: int | None = Field(default=None)


class HandoffRow(SQLModel, table=True):
    """A request for a human advisor and where its thread lives in the hub's chat."""

    __tablename__ = "handoff"
    id: int | None = Field(default=None, primary_key=True)
    user_chat_id: int = _big(nullable=False, index=True)
    hub_id: str = Field(max_length=40)
    hub_chat_id: int = _big(nullable=False)
    status: str = Field(default="waiting", max_length=16, index=True)
    lang: str = Field(max_length=8)
    question: str = Field(max_length=4096)
    first_name: str = Field(default="", max_length=256)
    username: str | None = Field(default=None, max_length=64)
    profile: str = Field(default="{}", max_length=2000)
    matches: str = Field(default="[]", max_length=4000)
    card_message_id: int | None = _big(nullable=True)
    advisor_replied: bool = False
    created_at: dt.datetime = _when(nullable=False)
    closed_at: dt.datetime | None = _when(nullable=True, index=True)
    advisor_id: int | None = _big(nullable=True)
    advisor_name: str | None = Field(default=None, max_length=256)
    claimed_at: dt.datetime | None = _when(nullable=True)
    topic_id: int | None = _big(nullable=True)
    remind_at: dt.datetime | None = _when(nullable=True, index=True)
    reminders: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    acked: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    close_reason: str | None = Field(default=None, max_length=16)
    rating: int | None = Field(default=None)
    comment: str | None = Field(default=None, max_length=4096)
    follow_up_at: dt.datetime | None = _when(nullable=True, index=True)
    helped: str | None = Field(default=None, max_length=8)


class RelayLinkRow(SQLModel, table=True):
    """A message in a hub chat that belongs to a handoff's thread: replying to it reaches the entrepreneur.
    `bot_copy`: the bot's copy of what the entrepreneur wrote (deleted after their /forget), not an advisor's
    own message (theirs to delete)."""

    __tablename__ = "relay_link"
    hub_chat_id: int = _big(primary_key=True, autoincrement=False)
    message_id: int = _big(primary_key=True, autoincrement=False)
    handoff_id: int = Field(foreign_key="handoff.id", index=True, ondelete="CASCADE")
    bot_copy: bool = Field(default=True, sa_column_kwargs={"server_default": true()})


class OutboxRow(SQLModel, table=True):
    """A message decided but maybe not yet sent: written with the event that caused it, sent after.

    `lane` is the destination chat: rows of one lane are sent in id order, and a lane waiting for a retry
    holds back its later rows, so an advisor never reads message 3 before message 2.
    """

    __tablename__ = "outbox"
    # AUTOINCREMENT: SQLite would otherwise give a deleted row's id to the next one while a worker still holds
    # it (a /forget during a send); PostgreSQL sequences never reuse an id.
    __table_args__ = (Index("ix_outbox_bulk_status", "bulk", "status"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    lane: int = _big(nullable=False, index=True)
    payload: str = Field(max_length=20000)
    status: str = Field(default="pending", max_length=8, index=True)
    attempts: int = 0
    not_before: dt.datetime = _when(nullable=False)
    message_id: int | None = _big(nullable=True)
    created_at: dt.datetime = _when(nullable=False)
    sent_at: dt.datetime | None = _when(nullable=True, index=True)
    token: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""})
    # A mass sending's row (an alert, a reminder): never read by the lane workers, paced by the bulk sender.
    bulk: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


INBOX_STATUSES = ("pending", "handled", "unreadable", "set_aside")


class InboxRow(SQLModel, table=True):
    """A raw Telegram update, stored before Telegram is told it was received; its `handled` mark is set in
    the same transaction as the update's effects, so a crash loses nothing and repeats nothing.

    `id` is the arrival order, the order updates are handled in. Update ids are not unique over time (after a
    week without updates Telegram starts them again at random), so a duplicate is the same id with the same
    content (`fingerprint`, a SHA-256 of the update's JSON), which is what Telegram sends again. An update
    that cannot be read, or that fails the same way again and again, is set aside (`status`), its payload
    kept for inspection until the retention period ends.
    """

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("update_id", "fingerprint"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    update_id: int = _big(nullable=False)
    fingerprint: str = Field(max_length=64)
    payload: str = Field(max_length=200000)
    received_at: dt.datetime = _when(nullable=False)
    handled_at: dt.datetime | None = _when(nullable=True, index=True)
    status: str = Field(default="pending", max_length=12, index=True)
    attempts: int = 0
    error: str | None = Field(default=None, max_length=200)


class UnmetRequestRow(SQLModel, table=True):
    """A profile nothing in the catalog fitted: what the network lacks. No id, no name, no text."""

    __tablename__ = "unmet_request"
    id: int | None = Field(default=None, primary_key=True)
    network: str = Field(max_length=40, index=True)
    region: str | None = Field(default=None, max_length=24)
    stage: str | None = Field(default=None, max_length=24)
    sector: str | None = Field(default=None, max_length=24)
    needs: str = Field(default="[]", max_length=1000)
    created_at: dt.datetime = _when(nullable=False, index=True)


class CoverageGapRow(SQLModel, table=True):
    """A need the entrepreneur stated that no entry covered for their profile: the gap table of the report.
    Codes only; no id, no name, no text."""

    __tablename__ = "coverage_gap"
    id: int | None = Field(default=None, primary_key=True)
    network: str = Field(max_length=40, index=True)
    region: str | None = Field(default=None, max_length=24)
    stage: str | None = Field(default=None, max_length=24)
    sector: str | None = Field(default=None, max_length=24)
    need: str = Field(max_length=24)
    created_at: dt.datetime = _when(nullable=False, index=True)


def _profile_json(profile: Profile) -> str:
    return json.dumps(profile.as_json())


def _profile_from(raw: str) -> Profile:
    data = json.loads(raw or "{}")
    return Profile.from_json(data if isinstance(data, dict) else {})


def _utc(value: Any) -> Any:
    """Datetimes are stored in UTC: SQLite compares them as text, so one zone for all or comparisons lie."""
    return value.astimezone(dt.UTC) if isinstance(value, dt.datetime) else value


@overload
def _aware(value: dt.datetime) -> dt.datetime: ...
@overload
def _aware(value: None) -> None: ...
@overload
def _aware(value: dt.datetime | None) -> dt.datetime | None: ...
def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back; everything we store is UTC."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def _conversation(row: ConversationRow) -> Conversation:
    return Conversation(
        chat_id=row.chat_id,
        lang=row.lang,
        step=row.step,
        profile=_profile_from(row.profile)
        if row.profile not in ("", "{}")
        else Profile(
            row.stage, (row.sector,) if row.sector else (), row.region, tuple(json.loads(row.needs or "[]"))
        ),
        hub_id=row.hub_id,
        page=row.page,
        editing=row.editing,
        handoff_id=row.handoff_id,
        updated_at=_aware(row.updated_at),
        consent_at=_aware(row.consent_at),
        last_handoff_id=row.last_handoff_id,
    )


def _handoff(row: HandoffRow) -> Handoff:
    assert row.id is not None
    return Handoff(
        id=row.id,
        user_chat_id=row.user_chat_id,
        hub_id=row.hub_id,
        hub_chat_id=row.hub_chat_id,
        status=row.status,
        lang=row.lang,
        question=row.question,
        first_name=row.first_name,
        username=row.username,
        profile=_profile_from(row.profile),
        matches=tuple(json.loads(row.matches or "[]")),
        card_message_id=row.card_message_id,
        advisor_replied=row.advisor_replied,
        created_at=_aware(row.created_at),
        closed_at=_aware(row.closed_at),
        advisor_id=row.advisor_id,
        advisor_name=row.advisor_name,
        claimed_at=_aware(row.claimed_at),
        topic_id=row.topic_id,
        remind_at=_aware(row.remind_at),
        reminders=row.reminders,
        acked=row.acked,
        close_reason=row.close_reason,
        rating=row.rating,
        comment=row.comment,
        follow_up_at=_aware(row.follow_up_at),
        helped=row.helped,
    )


class HubLinkRow(SQLModel, table=True):
    """A hub's advisor group set with `/link` in the group itself: it overrides `advisor_chat_id` of hubs.yaml
    (`aiguilleur catalog check` shows it). Who linked it and when, by Telegram user id."""

    __tablename__ = "hub_link"
    hub_id: str = Field(primary_key=True, max_length=40)
    chat_id: int = _big(nullable=False)
    linked_by: int = _big(nullable=False)
    linked_at: dt.datetime = _when(nullable=False)


class UserBanRow(SQLModel, table=True):
    """An entrepreneur a hub's advisors banned with `/ban`: their messages no longer reach that hub.
    Kept after /forget (it protects the advisors); `/unban` deletes it."""

    __tablename__ = "user_ban"
    hub_id: str = Field(primary_key=True, max_length=40)
    user_chat_id: int = _big(primary_key=True, autoincrement=False)
    banned_by: int = _big(nullable=False)
    banned_at: dt.datetime = _when(nullable=False)


class HandoffNoteRow(SQLModel, table=True):
    """An advisors' internal note on a request (`!` or `/note`), or the reason of a transfer: never shown to
    the entrepreneur; carried to the new hub with the request. Deleted with the request."""

    __tablename__ = "handoff_note"
    id: int | None = Field(default=None, primary_key=True)
    handoff_id: int = Field(foreign_key="handoff.id", index=True, ondelete="CASCADE")
    hub_id: str = Field(max_length=40)
    author: str = Field(default="", max_length=256)
    kind: str = Field(default="note", max_length=8)  # note, transfer
    text: str = Field(max_length=4096)
    at: dt.datetime = _when(nullable=False)


class AlertSubscriptionRow(SQLModel, table=True):
    """An entrepreneur who asked to be told of new opportunities that fit them (`/alerts`): their chat id,
    language and profile as codes only. Deleted by `/alerts` (Stop), `/forget`, or when they block the bot."""

    __tablename__ = "alert_subscription"
    chat_id: int = _big(primary_key=True, autoincrement=False)
    lang: str = Field(max_length=8)
    profile: str = Field(default="{}", max_length=2000)
    created_at: dt.datetime = _when(nullable=False)


class DeadlineReminderRow(SQLModel, table=True):
    """ "Remind me" on an opportunity: one message at `remind_at` (7 days before its deadline, in the network's
    time zone); `sent_at` is set in the transaction that queues it, so it is never sent twice."""

    __tablename__ = "deadline_reminder"
    chat_id: int = _big(primary_key=True, autoincrement=False)
    entry_id: str = Field(primary_key=True, max_length=40)
    deadline: dt.date
    lang: str = Field(max_length=8)
    remind_at: dt.datetime = _when(nullable=False, index=True)
    sent_at: dt.datetime | None = _when(nullable=True)
    created_at: dt.datetime = _when(nullable=False)


class AlertSentRow(SQLModel, table=True):
    """An opportunity (with the deadline it had) announced to a subscriber: never announced to them twice."""

    __tablename__ = "alert_sent"
    chat_id: int = _big(primary_key=True, autoincrement=False)
    entry_id: str = Field(primary_key=True, max_length=40)
    deadline: dt.date = Field(primary_key=True)
    sent_at: dt.datetime = _when(nullable=False)


class KnownOpportunityRow(SQLModel, table=True):
    """The opportunities of the catalog as last compared for alerts (id and deadline): a reload's new or
    reopened ones are those not here, or here with a deadline that had passed. A row with an empty id marks
    that the table was filled once (its first filling announces nothing)."""

    __tablename__ = "known_opportunity"
    entry_id: str = Field(primary_key=True, max_length=40)
    deadline: dt.date | None = None


class ReferralRow(SQLModel, table=True):
    """A warm referral to a partner (docs/referrals.md). /forget empties its personal fields (chat id, first
    name, profile, question) and keeps the codes the report counts: entry, channel, status, follow-up."""

    __tablename__ = "referral"
    id: int | None = Field(default=None, primary_key=True)
    token: str | None = Field(default=None, max_length=32, unique=True)  # `/referral TOKEN accept`
    network: str = Field(max_length=40)
    entry_id: str = Field(max_length=40, index=True)
    channel: str = Field(max_length=8)  # telegram, email
    partner_chat_id: int | None = _big(nullable=True)
    user_chat_id: int | None = _big(nullable=True, index=True)
    lang: str = Field(max_length=8)
    first_name: str = Field(default="", max_length=256)
    profile: str = Field(default="{}", max_length=2000)
    question: str = Field(default="", max_length=1000)
    status: str = Field(default="draft", max_length=8)  # draft, sent, accepted, declined, failed
    created_at: dt.datetime = _when(nullable=False)
    answered_at: dt.datetime | None = _when(nullable=True)
    follow_up_at: dt.datetime | None = _when(nullable=True, index=True)
    contacted: bool | None = None
    helped: bool | None = None


class ReferralEmailRow(SQLModel, table=True):
    """An e-mail to a partner, queued in the referral's transaction and sent after it by the mailer
    (bot/telegram/mailer.py), retried with backoff, marked sent once. Deleted with its referral's content."""

    __tablename__ = "referral_email"
    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True, ondelete="CASCADE")
    to_addr: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    body: str = Field(max_length=8000)
    status: str = Field(default="pending", max_length=8)  # pending, sent, failed
    attempts: int = 0
    next_at: dt.datetime = _when(nullable=False, index=True)
    sent_at: dt.datetime | None = _when(nullable=True)
