"""Updates in, replies out, nothing lost: the durable inbox, the processing loop and the handlers' `respond`.

python-telegram-bot confirms `getUpdates` offsets as soon as updates sit in its in-memory queue, so a
SIGKILL would lose them. Here the Application is built with `.updater(None)` (PTB's supported route) and:
1. the receiver stores each batch of raw updates (JSON as Telegram sent it, parsed only later), then asks
   for the next batch with a higher offset, which is what tells Telegram they were received. The offset comes
   from what Telegram returned, never from the stored ids: after a quiet week Telegram starts update ids again
   at random, possibly lower. A duplicate is the same id with the same content, and each one is logged;
2. the processor feeds stored updates to `Application.process_update` one at a time, in arrival order,
   inside one database transaction that also holds the update's effects (state, outbox rows) and marks it
   handled: after a crash an update was either fully handled or is handled again from scratch;
3. after the commit, the replies are handed to the outbox and button presses are answered.

Each update has its unit of work (`bot.storage.UnitOfWork`), opened here and given to its handlers as
`context.unit`: what they post to the outbox is committed with it, and what must wait for it waits on it
(docs/architecture.md, "One update's path"). Updates this process stored are handed to the processor in
memory; it reads the inbox only after a start or a failure, until it is in step again.

An update the library cannot read is set aside at once (kept, not handled) and the others go on. An update
whose handling fails is rolled back and retried: a transient database error (locked, connection lost,
serialization failure) up to `TRANSIENT_ATTEMPTS` times, anything else up to `FAILING_ATTEMPTS` times; only
then is it set aside for inspection and the person gets the apology, never for a failure that a retry cured.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import CallbackQuery, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut

from bot.core.types import Outcome
from bot.storage import InboxItem, Store, UnitOfWork, describe, is_transient
from bot.telegram.context import App, AppContext
from bot.telegram.outbox import OutboxSender
from bot.telegram.sender import answer
from bot.telegram.services import services_of

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10
TRANSIENT_ATTEMPTS = 10  # a busy or unreachable database: about a minute of retries before setting aside
FAILING_ATTEMPTS = 3  # any other failure (a bug): tried again in case it was transient after all
MAX_RETRY_PAUSE = 10.0
READ_LIMIT = 100  # stored updates read at a time


class _Rollback(Exception):
    """A handler failed: its partial effects are rolled back, the update is retried or set aside."""


class _HandledElsewhere(Exception):
    """Another process marked the update handled first: this one's effects are rolled back."""


async def respond(context: AppContext, outcome: Outcome, query: CallbackQuery | None = None) -> None:
    """What every handler does with the core's outcome: its replies posted to the outbox in the update's unit
    of work, the button answered once that has committed."""
    await context.services.outbox.post(outcome)
    if context.unit is None:  # outside the pipeline (a job): committed already
        await answer(query, outcome.notice)
        return
    context.unit.after_commit(lambda: answer(query, outcome.notice))


async def publish(app: App, outcome: Outcome, *, bulk: bool = False) -> None:
    """Replies decided outside an update (a job, the catalog watcher): posted in a transaction of their own
    (or the caller's). `bulk`: a mass sending (alerts, reminders), paced after live replies."""
    await services_of(app.bot_data).outbox.post(outcome, bulk=bulk)


async def after_transaction(context: AppContext, action: Callable[[], Awaitable[None]]) -> None:
    """Run `action` once the update is over: committed, or given up after its last attempt (network calls
    never hold the database's write lock, and a retried update apologises for nothing); at once outside
    the pipeline."""
    if context.unit is None:
        await action()
    else:
        context.unit.when_over(action)


def handler_failed(context: AppContext, error: BaseException | None = None) -> None:
    """Called by the error handler: roll the update's effects back (retried if `error` is transient)."""
    if context.unit is not None:
        context.unit.fail(error)


class Pipeline:
    """Receives, stores and processes updates for one Application; the outbox sends what they decided."""

    def __init__(
        self,
        app: App,
        store: Store,
        outbox: OutboxSender,
        *,
        allowed_updates: list[str],
    ) -> None:
        self.app = app
        self.store = store
        self.outbox = outbox
        self.allowed_updates = allowed_updates
        self._stored = asyncio.Event()
        self._failures: dict[int, int] = {}  # inbox id -> failed attempts in this process
        self.handled = 0
        # Updates stored by this process, handed to the processor in memory (`receive`), in arrival order.
        # Used only while the processor is in step (it has read every older pending update); after a start
        # or a failure it reads the inbox until it is in step again.
        self._fresh: list[InboxItem] = []
        self._in_step = False
        self._units = services_of(app.bot_data).units  # update id -> its unit of work, while it is handled

    def stored(self) -> None:
        """New updates were stored (by the poller or a webhook): process them."""
        self._stored.set()

    async def receive(self, payloads: list[dict[str, Any]]) -> int:
        """Store raw updates before anyone tells Telegram they arrived; returns how many were new."""
        rows = [(int(p["update_id"]), json.dumps(p, ensure_ascii=False)) for p in payloads]
        async with self.store.unit_of_work():
            fresh, skipped = await self.store.inbox_store(updates=rows)
        self._fresh.extend(fresh)
        for update_id in skipped:
            log.info("update %s is already stored (same id, same content): skipped as a duplicate", update_id)
        self.stored()
        return len(rows) - len(skipped)

    async def _get_updates(self, offset: int | None) -> list[dict[str, Any]]:
        """getUpdates as raw JSON: `Bot.get_updates` parses the whole batch, so one update shaped by a newer
        Bot API would raise for all of them (and PTB would log its content). Parsing happens per update,
        later; this is the same request PTB makes, through the same connection pool and rate limiter."""
        # Pinned PTB 22.8: `_post` is what get_updates calls, without the de_list after it.
        result = await self.app.bot._post(
            "getUpdates",
            {"offset": offset, "timeout": POLL_TIMEOUT, "allowed_updates": self.allowed_updates},
            read_timeout=POLL_TIMEOUT + 5,
        )
        updates = result if isinstance(result, list) else []
        readable = [u for u in updates if isinstance(u, dict) and isinstance(u.get("update_id"), int)]
        if len(readable) != len(updates):
            log.warning(
                "getUpdates returned %s entries without an update id: ignored", len(updates) - len(readable)
            )
        return readable

    async def poll(self) -> None:
        """Long polling: store a batch, then confirm it by asking for the next one. Survives outages."""
        offset: int | None = None  # none at start-up: Telegram sends what was not confirmed yet
        backoff = 1.0
        while True:
            try:
                updates = await self._get_updates(offset)
            except InvalidToken:
                log.critical("Telegram refuses the token (TELEGRAM_BOT_TOKEN): no update can be received")
                raise
            except RetryAfter as exc:
                await asyncio.sleep(
                    float(
                        exc.retry_after
                        if isinstance(exc.retry_after, int | float)
                        else exc.retry_after.total_seconds()
                    )
                )
                continue
            except TimedOut:
                continue
            except TelegramError as exc:  # network, 5xx, 409 Conflict (another poller): keep polling
                log.warning("getUpdates failed (%s); retrying in %.0fs", type(exc).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 1.5, 30.0)
                continue
            backoff = 1.0
            if not updates:
                # Everything up to `offset` is confirmed now; asking without an offset returns the oldest
                # unconfirmed update whatever its id, so ids that start again lower are still received.
                offset = None
                continue
            try:
                await self.receive(updates)
            except (
                Exception
            ) as exc:  # database busy or gone: not stored, so not confirmed; Telegram keeps them
                log.warning("storing received updates failed (%s); polling them again", describe(exc))
                await asyncio.sleep(1.0)
                continue
            offset = int(updates[-1]["update_id"]) + 1

    async def process(self) -> None:
        """Handle stored updates in order, forever."""
        while True:
            self._stored.clear()
            try:
                while await self.process_pending():
                    pass
            except Exception as exc:
                if is_transient(exc):
                    log.warning("reading the inbox failed (%s); retrying", describe(exc))
                else:
                    log.exception("processing stored updates failed; retrying")
                await asyncio.sleep(1.0)
                continue
            await self._stored.wait()

    async def process_pending(self) -> int:
        """Handle what is stored now, in arrival order; returns how many updates were tried. A failed one
        stops the batch: it is first again at the next read, so later updates never overtake it."""
        if self._in_step:
            pending, self._fresh = self._fresh, []
        else:
            pending = await self.store.inbox_pending(limit=READ_LIMIT)
            read = {item.id for item in pending}
            self._fresh = [item for item in self._fresh if item.id not in read]  # newer than the read
            self._in_step = len(pending) < READ_LIMIT
        for tried, item in enumerate(pending, start=1):
            if not await self._handle(item):
                self._in_step, self._fresh = False, []  # it is first again at the next read
                return tried
        return len(pending)

    async def _handle(self, item: InboxItem) -> bool:
        """Handle one stored update; False when it failed and must be tried again."""
        try:
            update = Update.de_json(json.loads(item.payload), self.app.bot)
        except Exception as exc:  # shaped by a newer Bot API, or not JSON: kept aside, the others go on
            log.warning(
                "update %s could not be read (%s): set aside, not handled", item.update_id, describe(exc)
            )
            async with self.store.unit_of_work():
                await self.store.inbox_failed(item_id=item.id, error=describe(exc), set_aside="unreadable")
            return True
        error: BaseException | None = None
        unit: UnitOfWork | None = None
        try:
            async with self.store.unit_of_work() as unit:
                self._units[update.update_id] = unit  # the handlers' `context.unit`
                try:
                    await self.app.process_update(update)
                finally:
                    del self._units[update.update_id]
                if unit.failures:
                    raise _Rollback
                if not await self.store.inbox_handled(item_id=item.id):
                    raise _HandledElsewhere
            # committed: its replies are with the outbox and its buttons answered (`after_commit`)
        except _HandledElsewhere:
            log.warning(
                "update %s was handled by another process: this handling was rolled back", item.update_id
            )
            return True
        except _Rollback:
            assert unit is not None
            error = unit.failures[0] or RuntimeError("a handler failed")
        except Exception as exc:  # storage outside the handlers, or the commit itself
            error = exc
        if error is not None and not await self._failed(item, error):
            return False  # rolled back, nothing said to anyone: it is tried again
        self._failures.pop(item.id, None)
        self.handled += 1
        for action in unit.over if unit is not None else ():
            try:
                await action()
            except Exception:  # an apology that could not be sent: nothing to undo
                log.warning("a post-update action of update %s failed", item.update_id, exc_info=True)
        return True

    async def _failed(self, item: InboxItem, error: BaseException) -> bool:
        """Count a failed attempt; True when the update is set aside (enough of them), False to retry it
        after a pause."""
        transient = is_transient(error)
        attempts = self._failures.get(item.id, 0) + 1
        self._failures[item.id] = attempts
        limit = TRANSIENT_ATTEMPTS if transient else FAILING_ATTEMPTS
        final = attempts >= limit
        try:
            async with self.store.unit_of_work():
                await self.store.inbox_failed(
                    item_id=item.id, error=describe(error), set_aside="set_aside" if final else None
                )
        except Exception as exc:  # the database is still busy: the count stays in memory
            log.warning("update %s: recording the failure failed too (%s)", item.update_id, describe(exc))
            final = False
        if final:
            log.error(
                "update %s failed %s times (%s): set aside for inspection, not marked handled",
                item.update_id,
                attempts,
                describe(error),
            )
            return True
        pause = min(MAX_RETRY_PAUSE, 0.5 * 2 ** (attempts - 1))
        log.warning(
            "update %s failed (%s, %s, attempt %s of %s): rolled back, retrying in %.1f s",
            item.update_id,
            describe(error),
            "transient" if transient else "not transient",
            attempts,
            limit,
            pause,
        )
        await asyncio.sleep(pause)
        return False
