"""Opportunity alerts (the `Alerts` port, docs/alerts.md): subscriptions, deadline reminders, what was
announced to whom, and the catalog's opportunities as last compared for new or reopened ones.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, update
from sqlmodel import col, select

from bot.core.types import DeadlineReminder, Profile, Subscription
from bot.storage.engine import StoreBase
from bot.storage.tables import (
    AlertSentRow,
    AlertSubscriptionRow,
    DeadlineReminderRow,
    KnownOpportunityRow,
    _aware,
    _profile_from,
    _profile_json,
    _utc,
)

SEEDED = ""  # the id of the row that marks the known opportunities as filled once
CHUNK = 500  # ids per IN (...) list


class AlertsRepo(StoreBase):
    """Subscriptions, reminders, announcements."""

    async def subscribe(self, *, chat_id: int, lang: str, profile: Profile, at: dt.datetime) -> bool:
        """Subscribe (or update the profile of) a chat; True when it was not subscribed before."""
        async with self._session() as session:
            row = await session.get(AlertSubscriptionRow, chat_id)
            if row is not None:
                row.lang, row.profile = lang, _profile_json(profile)
                session.add(row)
                return False
            session.add(
                AlertSubscriptionRow(
                    chat_id=chat_id, lang=lang, profile=_profile_json(profile), created_at=_utc(at)
                )
            )
            return True

    async def subscription(self, *, chat_id: int) -> Subscription | None:
        async with self._session() as session:
            row = await session.get(AlertSubscriptionRow, chat_id)
            return _subscription(row) if row is not None else None

    async def unsubscribe(self, *, chat_id: int) -> bool:
        """Stop the alerts (the reminders stay); False when there was no subscription."""
        async with self._session() as session:
            result = await session.exec(
                delete(AlertSubscriptionRow).where(col(AlertSubscriptionRow.chat_id) == chat_id)
            )
            return bool(result.rowcount)

    async def subscriptions(self) -> list[Subscription]:
        """Every subscription, oldest first."""
        async with self._session() as session:
            query = select(AlertSubscriptionRow).order_by(
                col(AlertSubscriptionRow.created_at), col(AlertSubscriptionRow.chat_id)
            )
            return [_subscription(row) for row in (await session.exec(query)).all()]

    async def drop_subscriber(self, *, chat_id: int) -> None:
        """A chat that blocked the bot: its subscription and reminders go (what was announced stays, codes;
        /forget deletes that too: `PrivacyRepo.forget_user`)."""
        async with self._session() as session:
            await session.exec(
                delete(AlertSubscriptionRow).where(col(AlertSubscriptionRow.chat_id) == chat_id)
            )
            await session.exec(delete(DeadlineReminderRow).where(col(DeadlineReminderRow.chat_id) == chat_id))

    async def save_reminder(self, reminder: DeadlineReminder, *, at: dt.datetime) -> bool:
        """Keep a reminder (or move it to this deadline); False when the same one was saved already."""
        async with self._session() as session:
            row = await session.get(DeadlineReminderRow, (reminder.chat_id, reminder.entry_id))
            if row is not None and row.deadline == reminder.deadline and row.sent_at is None:
                return False
            if row is None:
                row = DeadlineReminderRow(
                    chat_id=reminder.chat_id,
                    entry_id=reminder.entry_id,
                    deadline=reminder.deadline,
                    lang=reminder.lang,
                    remind_at=_utc(reminder.remind_at),
                    created_at=_utc(at),
                )
            else:
                row.deadline, row.lang = reminder.deadline, reminder.lang
                row.remind_at, row.sent_at = _utc(reminder.remind_at), None
            session.add(row)
            return True

    async def reminders_of(self, *, chat_id: int) -> list[DeadlineReminder]:
        """A chat's reminders not sent yet, soonest first."""
        async with self._session() as session:
            query = (
                select(DeadlineReminderRow)
                .where(
                    col(DeadlineReminderRow.chat_id) == chat_id, col(DeadlineReminderRow.sent_at).is_(None)
                )
                .order_by(col(DeadlineReminderRow.remind_at), col(DeadlineReminderRow.entry_id))
            )
            return [_reminder(row) for row in (await session.exec(query)).all()]

    async def cancel_reminder(self, *, chat_id: int, entry_id: str) -> bool:
        async with self._session() as session:
            result = await session.exec(
                delete(DeadlineReminderRow).where(
                    col(DeadlineReminderRow.chat_id) == chat_id,
                    col(DeadlineReminderRow.entry_id) == entry_id,
                    col(DeadlineReminderRow.sent_at).is_(None),
                )
            )
            return bool(result.rowcount)

    async def due_deadline_reminders(self, *, now: dt.datetime) -> list[DeadlineReminder]:
        """Reminders due and not sent yet, soonest first."""
        async with self._session() as session:
            query = (
                select(DeadlineReminderRow)
                .where(
                    col(DeadlineReminderRow.sent_at).is_(None),
                    col(DeadlineReminderRow.remind_at) <= _utc(now),
                )
                .order_by(col(DeadlineReminderRow.remind_at), col(DeadlineReminderRow.chat_id))
            )
            return [_reminder(row) for row in (await session.exec(query)).all()]

    async def reminder_sent(self, *, chat_id: int, entry_id: str, at: dt.datetime) -> None:
        """Mark a reminder sent (in the transaction that queues it)."""
        async with self._session() as session:
            await session.exec(
                update(DeadlineReminderRow)
                .where(
                    col(DeadlineReminderRow.chat_id) == chat_id,
                    col(DeadlineReminderRow.entry_id) == entry_id,
                )
                .values(sent_at=_utc(at))
            )

    async def known_opportunities(self) -> dict[str, dt.date] | None:
        """The catalog's opportunities as last compared, by id; None before the first comparison."""
        async with self._session() as session:
            rows = (await session.exec(select(KnownOpportunityRow))).all()
            known = {row.entry_id: row.deadline for row in rows if row.deadline is not None}
            return known if any(row.entry_id == SEEDED for row in rows) else None

    async def remember_opportunities(self, opportunities: dict[str, dt.date]) -> None:
        """Replace the opportunities as last compared (and mark the table as filled)."""
        async with self._session() as session:
            await session.exec(delete(KnownOpportunityRow))
            session.add(KnownOpportunityRow(entry_id=SEEDED, deadline=None))
            session.add_all(
                KnownOpportunityRow(entry_id=entry_id, deadline=deadline)
                for entry_id, deadline in opportunities.items()
            )

    async def record_announced(
        self, *, entry_id: str, deadline: dt.date, chat_ids: list[int], at: dt.datetime
    ) -> list[int]:
        """Record the announcement of this opportunity (with this deadline) to these chats; returns those it
        had not been announced to before, the only ones to tell."""
        fresh: list[int] = []
        async with self._session() as session:
            for start in range(0, len(chat_ids), CHUNK):
                chunk = chat_ids[start : start + CHUNK]
                told = set(
                    (
                        await session.exec(
                            select(AlertSentRow.chat_id).where(
                                col(AlertSentRow.entry_id) == entry_id,
                                col(AlertSentRow.deadline) == deadline,
                                col(AlertSentRow.chat_id).in_(chunk),
                            )
                        )
                    ).all()
                )
                new = [chat_id for chat_id in dict.fromkeys(chunk) if chat_id not in told]
                session.add_all(
                    AlertSentRow(chat_id=chat_id, entry_id=entry_id, deadline=deadline, sent_at=_utc(at))
                    for chat_id in new
                )
                fresh.extend(new)
            return fresh


def _subscription(row: AlertSubscriptionRow) -> Subscription:
    return Subscription(row.chat_id, row.lang, _profile_from(row.profile), _aware(row.created_at))


def _reminder(row: DeadlineReminderRow) -> DeadlineReminder:
    return DeadlineReminder(
        row.chat_id, row.entry_id, row.deadline, row.lang, _aware(row.remind_at), _aware(row.sent_at)
    )
