"""Mass sendings (opportunity alerts, deadline reminders): durable outbox rows marked `bulk`, sent apart from
the lanes, at a pace of their own and only while no live reply is being sent, so that an announcement to
10,000 subscribers never delays a conversation (docs/handoff.md, "Delivery guarantees")."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.storage import describe

if TYPE_CHECKING:
    from bot.telegram.outbox import OutboxSender

log = logging.getLogger(__name__)

READ_LIMIT = 100
IDLE_SECONDS = 30.0  # a look at the database when nothing wakes the sender
PER_CHAT_SECONDS = 1.0  # Telegram's pace for one chat
SLOW_DOWN_SECONDS = 1.0  # after a row that must wait (a 429, a network failure)


class BulkSender:
    """Sends the outbox's bulk rows, oldest first, at `per_second`; each row is delivered by the outbox like
    any other (retries, 429, a subscriber who blocked the bot)."""

    def __init__(self, outbox: OutboxSender, per_second: float) -> None:
        self.outbox = outbox
        self.interval = 1.0 / per_second
        self._wake = asyncio.Event()
        self.sent = 0

    def wake(self) -> None:
        """Bulk rows were committed: look now."""
        self._wake.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        last_to: dict[int, float] = {}
        while not self.outbox.stopping:
            self._wake.clear()
            try:
                rows = await self.outbox.store.pending_bulk(due=self.outbox.clock(), limit=READ_LIMIT)
            except Exception as exc:  # the database is busy or gone for a moment
                log.warning("reading the bulk outbox failed (%s); retrying", describe(exc))
                rows = []
            if not rows:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(IDLE_SECONDS):
                        await self._wake.wait()
                continue
            sent_before = self.sent
            for item in rows:
                if self.outbox.stopping:
                    return
                if loop.time() - last_to.get(item.lane, -PER_CHAT_SECONDS) < PER_CHAT_SECONDS:
                    continue  # read again at the next round
                await self.outbox.live_idle.wait()  # live replies first
                started = loop.time()
                last_to[item.lane] = started
                if await self.outbox.deliver(item):
                    self.sent += 1
                else:
                    await asyncio.sleep(SLOW_DOWN_SECONDS)
                await asyncio.sleep(max(0.0, self.interval - (loop.time() - started)))
            if self.sent == sent_before:  # only rows of chats served a moment ago: let a second pass
                await asyncio.sleep(PER_CHAT_SECONDS)
            if len(last_to) > 4 * READ_LIMIT:
                now = loop.time()
                last_to = {lane: at for lane, at in last_to.items() if now - at < PER_CHAT_SECONDS}
