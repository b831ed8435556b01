"""The outbox's "sent" marks of plain replies, recorded together: one transaction for the marks of a moment
(`DELAY`) instead of one per reply.

A plain reply of the bot's own (not a copy of what someone wrote, not in a request's thread, and with no
card, topic or relay link to record with its Telegram id) that Telegram accepted is kept here until the
marks are written. Until then its row still looks pending in the database, so the outbox
writes them first before it reads any pending row (`flush`), and a lane in step sends only from memory. A
crash before the write sends those replies again after the restart, as a crash between Telegram's answer and
the commit always could: relays are at-least-once, never lost (docs/handoff.md); the window is `DELAY`.
"""

from __future__ import annotations

import asyncio
import logging

from bot.storage import Store, describe, is_transient

log = logging.getLogger("bot.telegram.outbox")

DELAY = 0.2  # seconds a mark waits for others to be written with
MAX_PAUSE = 5.0


class SentMarks:
    """Replies sent and not recorded yet: row id -> (its token, its Telegram message id)."""

    def __init__(self, store: Store, delay: float = DELAY) -> None:
        self.store = store
        self.delay = delay
        self._marks: dict[int, tuple[str, int | None]] = {}
        self._lock = asyncio.Lock()
        self._writer: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._marks)

    def add(self, item_id: int, token: str, message_id: int | None) -> None:
        """Telegram accepted the row: recorded within `delay`, with the others of that moment."""
        self._marks[item_id] = (token, message_id)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_soon(), name="outbox sent marks")

    async def flush(self) -> None:
        """Record every mark held now, in one transaction (before the outbox reads pending rows)."""
        async with self._lock:
            if not self._marks:
                return
            marks = list(self._marks.items())
            async with self.store.unit_of_work():
                await self.store.outbox_sent_many(
                    marks=[(item_id, token, message_id) for item_id, (token, message_id) in marks]
                )
            for item_id, mark in marks:
                if self._marks.get(item_id) == mark:
                    del self._marks[item_id]

    async def _write_soon(self) -> None:
        await asyncio.sleep(self.delay)
        attempt = 0
        while self._marks:
            try:
                await self.flush()
            except Exception as exc:  # the database is busy or gone: the rows stay pending meanwhile
                attempt += 1
                pause = min(MAX_PAUSE, 0.2 * 2**attempt)
                if is_transient(exc):
                    log.warning(
                        "recording sent replies failed (%s): retrying in %.1f s", describe(exc), pause
                    )
                else:
                    log.exception("recording sent replies failed: retrying in %.1f s", pause)
                await asyncio.sleep(pause)

    async def stop(self) -> None:
        """At shutdown: record what is held (what cannot be is sent again at the next start)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
        try:
            await self.flush()
        except Exception as exc:
            log.warning("recording sent replies at shutdown failed (%s): they are sent again", describe(exc))
