"""The durable outbox: every reply is written to the database with the event that caused it, then sent here.

Delivery rules (docs/handoff.md):
- one lane per destination chat, each with its own worker; a lane sends its rows in order, and a row waiting
  for a retry holds back the rows behind it (only in that lane), so an advisor never reads message 3 before
  message 2 and a busy hub group never delays anyone else;
- 429 `RetryAfter` waits exactly what Telegram asks; network errors, timeouts and 5xx are retried with
  backoff; `BadRequest` and `Forbidden` are permanent (PTB makes `BadRequest` a `NetworkError`: it is
  caught first) and are never retried;
- a row is marked sent, with its Telegram message id, in the same transaction as its effects (the card's id,
  the thread's links), by its id and its token: ids are never reused (AUTOINCREMENT), and a row deleted while
  it was being sent (/forget) is never confused with a newer one. A crash between Telegram's answer and that commit sends the row again after the
  restart: relays are at-least-once, never lost. A timed-out send is the same case.

Every reply reaches the outbox through `post` (docs/architecture.md, "One update's path"): its rows are written
in the caller's unit of work and, once that commits, handed to their lanes in memory, so a lane sends them
without reading them back. The database is read only to catch up: at start-up, for a lane that must wait (a
retry, a 429), and every `IDLE_SECONDS` in case another process queued rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import replace

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.core.clock import utcnow
from bot.core.types import Outcome, Reply, is_group_chat
from bot.storage import OutboxItem, Store, describe, is_transient
from bot.telegram import sender
from bot.telegram.bulk import BulkSender
from bot.telegram.courier import Courier, ThreadMoved, Tracker
from bot.telegram.marks import SentMarks

log = logging.getLogger(__name__)

LANES_AT_ONCE = 8
IDLE_SECONDS = 30.0  # the catch-up read when nothing happens; new rows wake the outbox at once
MAX_BACKOFF = 300.0
MAX_ATTEMPTS = 295  # with the backoff below, about 24 hours of retries before a row is given up
STOP_GRACE = 5.0
READ_LIMIT = 20  # rows of one lane read at a time
RECORD_ATTEMPTS = 8  # about 20 s of a busy or unreachable database after a send, before giving up (resent)


class OutboxSender:
    """Sends pending outbox rows, lane by lane, until stopped."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        tracker: Tracker,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        bulk_per_second: float = 15.0,
    ) -> None:
        self.bot = bot
        self.store = store
        self.tracker = tracker
        self.clock = clock
        self._wake = asyncio.Event()
        self.courier = Courier(bot, store, tracker, self.post)
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._limit = asyncio.Semaphore(LANES_AT_ONCE)
        self.stopping = False
        # A lane is in step when every pending row of it is known in memory (`_posted`): it sends without
        # reading. `_behind` holds the lanes that are not: rows left by a previous run (found by the first
        # look at the database, before which no lane is in step), a row that must wait (the database keeps
        # the order then); a lane is in step again once a read of it was sent in full.
        self._behind: set[int] = set()
        self._posted: dict[int, list[OutboxItem]] = {}
        self._caught_up = False
        self.bulk = BulkSender(self, bulk_per_second)
        self.marks = SentMarks(store)  # plain replies sent, recorded together (written before any read)
        self.live_idle = asyncio.Event()  # set while no lane worker runs: the bulk sender's turn
        self.live_idle.set()

    def wake(self) -> None:
        """Rows were committed that `post` did not hand over (or a lane must be looked at): look now."""
        self._wake.set()

    async def post(self, outcome: Outcome | list[Reply] | tuple[Reply, ...], *, bulk: bool = False) -> None:
        """The one way replies are sent: written to the outbox in the caller's unit of work (or one of their
        own), and handed to their lanes once it has committed, never before (a rolled-back update sends
        nothing). `bulk`: a mass sending (alerts, reminders), paced by `BulkSender` after live replies."""
        replies = outcome.replies if isinstance(outcome, Outcome) else outcome
        if not replies:
            return
        async with self.store.unit_of_work() as unit:
            items = await self.store.enqueue(sender.expand(replies), bulk=bulk)
            unit.after_commit(self.bulk.wake if bulk else lambda: self.accept(items))

    def accept(self, items: list[OutboxItem]) -> None:
        """Committed rows, to send: kept in memory for their lane; a lane in step sends them at once, any
        other lane is looked at by `dispatch` (it may have to wait, and reads the database then)."""
        for item in items:
            if not self._caught_up:  # the first look at the database will find them
                self.wake()
                continue
            self._posted.setdefault(item.lane, []).append(item)
            if item.lane in self._workers or self.stopping:
                continue  # the running worker takes them (or a read of the lane does, if it is behind)
            if self._in_step(item.lane):
                self._start(item.lane)
            else:
                self.wake()

    def _in_step(self, lane: int) -> bool:
        return self._caught_up and lane not in self._behind

    def _fall_behind(self, lane: int) -> None:
        """The lane is read from the database from now on (what memory held of it is there too)."""
        self._behind.add(lane)
        self._posted.pop(lane, None)

    def _start(self, lane: int) -> None:
        self.live_idle.clear()
        self._workers[lane] = asyncio.create_task(self._lane(lane), name=f"outbox lane {lane}")

    async def run(self) -> None:
        """Start a worker for every lane with due rows; a slow or waiting lane never holds up the others."""
        while True:
            self._wake.clear()
            try:
                pause = await self.dispatch()
            except Exception:  # the database was busy or gone for a moment: try again shortly
                log.exception("outbox round failed")
                pause = 1.0
            # Not `asyncio.wait_for`: on Python 3.11 it swallows a cancellation that arrives as the event is
            # set (a lane ending at shutdown wakes this loop), and the bot's shutdown then waited forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await self._wake.wait()

    async def dispatch(self) -> float:
        """Give each lane with a due row its worker (one per lane, never two); returns when to look again."""
        now = self.clock()
        pause = IDLE_SECONDS
        await self.marks.flush()
        lanes = await self.store.pending_lanes()
        if not self._caught_up:  # every lane without rows left from before is in step from now on
            self._caught_up = True
            self._behind = set(lanes)
        for lane, due in lanes.items():
            wait = (due - now).total_seconds()
            if wait > 0:
                pause = min(pause, wait)
            elif lane not in self._workers:
                self._fall_behind(lane)  # rows nobody handed over (another process, a retry): read them
                self._start(lane)
        return pause

    async def stop(self) -> None:
        """Stop the lane workers (at shutdown); unsent rows stay in the outbox for the next start. A send
        under way is let finish and recorded first (up to `STOP_GRACE` seconds): cancelling it between
        Telegram's answer and our commit would send it again at the next start."""
        self.stopping = True
        workers = list(self._workers.values())
        if workers:
            await asyncio.wait(workers, timeout=STOP_GRACE)
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await self.marks.stop()

    async def _lane(self, lane: int) -> None:
        """Send a lane's rows in order until it is empty or must wait; then hand back to `run`."""
        in_step = False
        try:
            async with self._limit:
                while rows := await self._next_rows(lane):
                    for item in rows:
                        if self.stopping:
                            return
                        if item.not_before > self.clock() or not await self.deliver(item, live=True):
                            self._fall_behind(lane)  # it waits: the database keeps its order now
                            return
                in_step = True
        except Exception:
            self._fall_behind(lane)
            log.exception("outbox lane %s failed; it will be retried in 1 s", lane)
            await asyncio.sleep(1.0)  # a poison row or a failing database must not make the lane spin
        finally:
            self._workers.pop(lane, None)
            if not self._workers:
                self.live_idle.set()
            if not in_step:
                self.wake()  # when it is due again, `dispatch` gives it a worker

    async def _next_rows(self, lane: int) -> list[OutboxItem]:
        """What the lane sends next: the rows handed over in memory, or its oldest rows in the database
        (those handed over meanwhile are among them, or newer: kept for after)."""
        if self._in_step(lane):
            return self._posted.pop(lane, [])
        await self.marks.flush()
        rows = await self.store.pending_outbox(lane=lane, limit=READ_LIMIT)
        known = {row.id for row in rows}
        later = [item for item in self._posted.pop(lane, []) if item.id not in known]
        if len(rows) < READ_LIMIT:  # the whole lane was read: from now on memory has it all
            self._behind.discard(lane)
            if later:
                self._posted[lane] = later
        return rows

    async def deliver(self, item: OutboxItem, *, live: bool = False) -> bool:
        """Send one row; True when the lane may go on (sent, skipped or failed for good). `live`: a lane's
        row, whose plain "sent" mark may wait for others (`SentMarks`)."""
        try:
            reply = await self.courier.place(item.reply)
            message_id = None if reply is None else await self.courier.send(reply)
        except ThreadMoved as moved:
            async with self.store.unit_of_work():
                await self.post([replace(item.reply, chat_id=moved.chat_id)])
                await self.store.outbox_sent(item_id=item.id, token=item.token, message_id=None)
            return True
        except RetryAfter as exc:
            seconds = (
                exc.retry_after
                if isinstance(exc.retry_after, int | float)
                else exc.retry_after.total_seconds()
            )
            log.info("outbox %s: Telegram asks to wait %ss", item.id, seconds)
            await self.store.outbox_retry(
                item_id=item.id,
                token=item.token,
                not_before=self.clock() + dt.timedelta(seconds=seconds),
                attempts=item.attempts,
            )
            return False
        except (BadRequest, Forbidden) as exc:
            return await self._permanent(item, exc)
        except NetworkError as exc:  # 5xx, connection refused, timed out (may have arrived: at-least-once)
            return await self._transient(item, exc)
        except TelegramError as exc:  # ChatMigrated, InvalidToken...: retrying would not help
            return await self._permanent(item, exc)
        except Exception as exc:  # a bug or a broken row: retried with backoff, then given up, never spinning
            log.exception("outbox %s could not be sent", item.id)
            return await self._transient(item, exc)
        if live and _bot_reply(item.reply) and not _records_more(reply, message_id):
            self.marks.add(item.id, item.token, message_id)
            return True
        # Sent for sure: record it, never send it again for a DB hiccup.
        for attempt in range(RECORD_ATTEMPTS):
            try:
                await self._record_sent(item, reply, message_id)
                return True
            except Exception as exc:
                if not is_transient(exc) or attempt == RECORD_ATTEMPTS - 1:
                    raise
                log.warning("outbox %s sent, recording it failed (%s): retrying", item.id, describe(exc))
                await asyncio.sleep(min(5.0, 0.2 * 2**attempt))
        return True

    async def _record_sent(self, item: OutboxItem, reply: Reply | None, message_id: int | None) -> None:
        """Mark the row sent with its Telegram id, and what that id means (the card, the topic, the thread)."""
        async with self.store.unit_of_work():
            if not await self.store.outbox_sent(item_id=item.id, token=item.token, message_id=message_id):
                await self._forgotten_on_the_way(item, reply, message_id)
                return
            if reply is not None and message_id is not None:
                if reply.action == "open_topic" and reply.handoff is not None:
                    await self.tracker.topic_opened(reply.handoff, message_id, reply.chat_id)
                elif reply.track:
                    await self.tracker.delivered(reply.track, reply.chat_id, message_id)

    async def _forgotten_on_the_way(
        self, item: OutboxItem, reply: Reply | None, message_id: int | None
    ) -> None:
        """The row was deleted while it was being sent: its person used /forget in that moment. A message it
        left in a group (the copy of what they wrote, their card) is deleted like the ones sent before."""
        if (
            reply is not None
            and reply.action == "send"
            and message_id is not None
            and is_group_chat(reply.chat_id)
        ):
            log.info(
                "outbox %s was deleted while it was being sent (/forget): its message is deleted", item.id
            )
            await self.post((Reply(reply.chat_id, action="delete_message", edit_message_id=message_id),))
        else:
            log.info("outbox %s was deleted while it was being sent (/forget): nothing to record", item.id)

    async def _permanent(self, item: OutboxItem, exc: Exception) -> bool:
        log.warning("outbox %s to chat %s failed for good: %s", item.id, item.lane, type(exc).__name__)
        gone = isinstance(exc, Forbidden | ChatMigrated) or "chat not found" in str(exc).lower()
        async with self.store.unit_of_work():
            await self.store.outbox_failed(item_id=item.id, token=item.token)
            track = item.reply.track or ""
            if track.startswith("referral:"):  # a partner's chat: the referral fails, its entrepreneur told
                outcome = await self.tracker.undelivered(track)
            elif gone:  # blocked by the entrepreneur, or removed from (or lost) the hub's group
                outcome = await self.tracker.unreachable(item.lane, item.reply.handoff)
            elif track.startswith("card:"):
                outcome = await self.tracker.undelivered(track)
            else:
                outcome = Outcome()
            await self.post(outcome)
        return True

    async def _transient(self, item: OutboxItem, exc: Exception) -> bool:
        attempts = item.attempts + 1
        if attempts > MAX_ATTEMPTS:
            return await self._permanent(item, exc)
        backoff = min(MAX_BACKOFF, 0.5 * 2 ** min(attempts, 10)) * (0.75 + random.random() / 2)  # noqa: S311
        log.info("outbox %s: %s, retry %s in %.1fs", item.id, type(exc).__name__, attempts, backoff)
        await self.store.outbox_retry(
            item_id=item.id,
            token=item.token,
            not_before=self.clock() + dt.timedelta(seconds=backoff),
            attempts=attempts,
        )
        return False


def _bot_reply(reply: Reply) -> bool:
    """The bot's own words outside a request's thread, whose "sent" mark may wait (`SentMarks`); what people
    relay to each other is recorded at once (the narrowest window for a repeat after a crash)."""
    return reply.copy_of is None and reply.handoff is None


def _records_more(reply: Reply | None, message_id: int | None) -> bool:
    """A sent row whose Telegram id means more (a card, a topic, a relay link): recorded with its mark."""
    return (
        reply is not None
        and message_id is not None
        and ((reply.action == "open_topic" and reply.handoff is not None) or bool(reply.track))
    )
