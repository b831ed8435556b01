"""Privacy: /forget (every row about an entrepreneur, then the outbox rows sent meanwhile and the SQLite WAL
file scrubbed once the transaction commits) and the retention purge of old handoffs, idle conversations
and spent inbox and outbox bookkeeping.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import col, select

from bot.core.clock import utcnow
from bot.storage import reports as storage_reports
from bot.storage.delivery import _about
from bot.storage.engine import StoreBase
from bot.storage.referrals import forget_referrals
from bot.storage.tables import (
    AlertSentRow,
    AlertSubscriptionRow,
    ConversationRow,
    DeadlineReminderRow,
    HandoffRow,
    InboxRow,
    OutboxRow,
    RelayLinkRow,
)

log = logging.getLogger(__name__)


class PrivacyRepo(StoreBase):
    """Forgetting an entrepreneur, and forgetting everything after the retention period."""

    async def forget_user(self, *, chat_id: int) -> int:
        """Delete every row about an entrepreneur (their opportunity alerts too); returns how many rows went.

        The outbox goes too: every row of their chat (sent ones keep its id), and the rows still waiting in a
        hub's lane that copy their messages or belong to their threads. Once this transaction commits,
        `_scrub` removes the rows of their chat sent meanwhile (the confirmation) and empties the WAL file.
        """
        async with self.unit_of_work() as unit:
            session = unit.session
            ids = (await session.exec(select(HandoffRow.id).where(HandoffRow.user_chat_id == chat_id))).all()
            links = await session.exec(delete(RelayLinkRow).where(col(RelayLinkRow.handoff_id).in_(ids)))
            await storage_reports.unlink_events(session, ids)  # the report's events keep no link to them
            handoffs = await session.exec(delete(HandoffRow).where(col(HandoffRow.user_chat_id) == chat_id))
            conversations = await session.exec(
                delete(ConversationRow).where(col(ConversationRow.chat_id) == chat_id)
            )
            alerts = 0  # opportunity alerts: the subscription, the reminders, what was announced
            for table in (AlertSubscriptionRow, DeadlineReminderRow, AlertSentRow):
                alerts += int(
                    (await session.exec(delete(table).where(col(table.chat_id) == chat_id))).rowcount
                )
            alerts += await forget_referrals(session, chat_id)  # their content; the report's codes stay
            waiting = select(OutboxRow.id, OutboxRow.payload).where(
                OutboxRow.status == "pending", OutboxRow.lane != chat_id
            )
            theirs = [
                row_id
                for row_id, payload in (await session.exec(waiting)).all()
                if _about(payload, chat_id, ids)
            ]
            await session.exec(
                delete(OutboxRow).where((col(OutboxRow.lane) == chat_id) | col(OutboxRow.id).in_(theirs))
            )
            unit.after_commit(lambda: self._after_forget(chat_id))
            return int(links.rowcount + handoffs.rowcount + conversations.rowcount) + alerts

    def _after_forget(self, chat_id: int) -> None:
        """Called when the /forget transaction commits: scrub in the background, in a context of its own."""
        loop = asyncio.get_running_loop()
        task = loop.create_task(self._scrub(chat_id), context=contextvars.Context())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _scrub(self, chat_id: int, *, wait: float = 300.0) -> None:
        """Once the outbox has sent what was still due to that chat (the confirmation), delete those rows too,
        then checkpoint: the WAL file is emptied and keeps no copy of the deleted rows."""
        for _ in range(int(wait / 0.25)):
            async with self._sessions() as session, session.begin():
                due = select(func.count()).select_from(OutboxRow)
                due = due.where(OutboxRow.lane == chat_id, OutboxRow.status == "pending")
                if not (await session.exec(due)).one():
                    await session.exec(delete(OutboxRow).where(col(OutboxRow.lane) == chat_id))
                    break
            await asyncio.sleep(0.25)
        await self.checkpoint()

    async def checkpoint(self, *, attempts: int = 40) -> bool:
        """SQLite: copy the WAL into the database and truncate it (readers may delay it: retried). True once done."""
        if self.engine.dialect.name != "sqlite":
            return True
        for attempt in range(attempts):
            async with self.engine.connect() as connection:
                raw = await connection.get_raw_connection()
                driver: Any = raw.driver_connection  # aiosqlite's connection: never None while connected
                cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy = (await cursor.fetchone())[0]
                await cursor.close()
            if not busy:
                return True
            await asyncio.sleep(min(0.05 * (attempt + 1), 1.0))
        log.warning("the WAL file could not be emptied after /forget: the next checkpoint will")
        return False

    async def purge(self, *, older_than: dt.datetime) -> int:
        """Delete closed handoffs and idle conversations not touched since `older_than`, and day-old
        inbox, outbox and alerts bookkeeping (subscriptions last until stopped: docs/alerts.md)."""
        async with self._session() as session:
            old = select(HandoffRow.id).where(
                HandoffRow.status == "closed", col(HandoffRow.closed_at) < older_than
            )
            ids = (await session.exec(old)).all()
            links = await session.exec(delete(RelayLinkRow).where(col(RelayLinkRow.handoff_id).in_(ids)))
            await storage_reports.unlink_events(session, ids)
            handoffs = await session.exec(delete(HandoffRow).where(col(HandoffRow.id).in_(ids)))
            idle = delete(ConversationRow).where(
                col(ConversationRow.updated_at) < older_than,
                col(ConversationRow.handoff_id).is_(None),  # never orphan an open handoff
            )
            conversations = await session.exec(idle)
            day_ago = utcnow() - dt.timedelta(days=1)  # bookkeeping only, already emptied of content
            await session.exec(
                delete(InboxRow).where(col(InboxRow.status) == "handled", col(InboxRow.handled_at) < day_ago)
            )
            await session.exec(  # set aside for inspection, with their content: kept no longer than the rest
                delete(InboxRow).where(
                    col(InboxRow.status) != "handled", col(InboxRow.handled_at) < older_than
                )
            )
            await session.exec(delete(OutboxRow).where(col(OutboxRow.sent_at) < day_ago))
            # Alerts' bookkeeping: reminders sent, announcements of deadlines now past (a reopening has a new one).
            await session.exec(delete(DeadlineReminderRow).where(col(DeadlineReminderRow.sent_at) < day_ago))
            await session.exec(delete(AlertSentRow).where(col(AlertSentRow.deadline) < day_ago.date()))
            return int(links.rowcount + handoffs.rowcount + conversations.rowcount)
