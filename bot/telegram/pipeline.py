"""Updates in, replies out, nothing lost: the durable inbox, the processing loop and the handlers' `respond`.

python-telegram-bot confirms `getUpdates` offsets as soon as updates sit in its in-memory queue, so a
SIGKILL would lose them. Here the Application is built with `.updater(None)` (PTB's supported route) and:
1. the receiver has each batch of raw updates (JSON as Telegram sent it, parsed only later) stored, then asks
   for the next batch with a higher offset, which is what tells Telegram they were received. The offset comes
   from what Telegram returned, never from the stored ids: after a quiet week Telegram starts update ids again
   at random, possibly lower. A duplicate is the same id with the same content, and each one is logged;
2. the processor feeds updates to `Application.process_update` one at a time, in arrival order, inside one
   database transaction that also holds the update's effects (state, outbox rows) and marks it handled:
   after a crash an update was either fully handled or is handled again from scratch;
3. after the commit, the replies are handed to the outbox and button presses are answered.

While the processor is in step (no older update waits in the inbox), an update just received is stored by
the transaction that handles it, as handled (one transaction instead of two): the receiver waits for that
commit before it confirms the batch, so an update is still stored before Telegram hears it arrived. If its
handling fails, it is stored as pending instead (with those after it) before the receiver goes on, and
retried from the inbox as below; if even that fails, the batch is not confirmed and Telegram sends it again.

Each update has its unit of work (`bot.storage.UnitOfWork`), opened here and given to its handlers as
`context.unit`: what they post to the outbox is committed with it, and what must wait for it waits on it
(docs/architecture.md, "One update's path"). Updates this process received are handed to the processor in
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
from dataclasses import dataclass, field
from typing import Any

from telegram import CallbackQuery, Update

from bot.core.types import Outcome
from bot.storage import InboxItem, Store, UnitOfWork, describe, is_transient
from bot.telegram import poller
from bot.telegram.context import App, AppContext
from bot.telegram.outbox import OutboxSender
from bot.telegram.sender import answer
from bot.telegram.services import services_of

log = logging.getLogger(__name__)

TRANSIENT_ATTEMPTS = 10  # a busy or unreachable database: about a minute of retries before setting aside
FAILING_ATTEMPTS = 3  # any other failure (a bug): tried again in case it was transient after all
FIRST_RETRY_PAUSE = 0.5  # seconds before the second attempt, doubled before each next one
MAX_RETRY_PAUSE = 10.0
READ_LIMIT = 100  # stored updates read at a time


@dataclass(eq=False)
class _Arrival:
    """An update received while the processor was in step, not stored yet: the transaction that handles it
    stores it. `stored` is resolved once it is (True: new, False: a duplicate), or fails when it could not be
    (the receiver then does not confirm it)."""

    update_id: int
    payload: str  # as stored (and fingerprinted)
    data: dict[str, Any]  # as received: read once, never parsed back from `payload`
    stored: asyncio.Future[bool] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def resolve(self, new: bool) -> None:
        if not self.stored.done():
            self.stored.set_result(new)

    def refuse(self, error: BaseException) -> None:
        if not self.stored.done():
            self.stored.set_exception(error)


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
        self._fresh: list[InboxItem | _Arrival] = []
        self._waiting: set[_Arrival] = set()  # received in step: the receivers wait for them to be stored
        self._in_step = False
        self._units = services_of(app.bot_data).units  # update id -> its unit of work, while it is handled

    def stored(self) -> None:
        """New updates were stored (by the poller or a webhook): process them."""
        self._stored.set()

    async def poll(self) -> None:
        """Long polling, forever (`bot.telegram.poller`)."""
        await poller.poll(self)

    async def receive(self, payloads: list[dict[str, Any]]) -> int:
        """Store raw updates before anyone tells Telegram they arrived; returns how many were new. In step,
        the processor stores each one with its handling, and this waits for that."""
        rows = [(int(p["update_id"]), json.dumps(p, ensure_ascii=False)) for p in payloads]
        if self._in_step:
            arrivals = [
                _Arrival(update_id, payload, data)
                for (update_id, payload), data in zip(rows, payloads, strict=True)
            ]
            self._waiting.update(arrivals)
            self._fresh.extend(arrivals)
            self.stored()
            try:
                results = await asyncio.gather(*(a.stored for a in arrivals), return_exceptions=True)
            finally:
                self._waiting.difference_update(arrivals)
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            return sum(bool(result) for result in results)
        async with self.store.unit_of_work():
            fresh, skipped = await self.store.inbox_store(updates=rows)
        self._fresh.extend(fresh)
        _duplicates(skipped)
        self.stored()
        return len(rows) - len(skipped)

    async def _store_arrivals(self, items: list[InboxItem | _Arrival]) -> list[InboxItem]:
        """Store as pending the arrivals among `items` (received, not handled: a failure came first), so the
        receiver may go on. If that fails too, they are dropped and the receiver does not confirm them
        (Telegram sends them again)."""
        arrivals = [item for item in items if isinstance(item, _Arrival) and not item.stored.done()]
        if not arrivals:
            return []
        self._fresh = [item for item in self._fresh if item not in arrivals]
        try:
            async with self.store.unit_of_work():
                fresh, skipped = await self.store.inbox_store(
                    updates=[(arrival.update_id, arrival.payload) for arrival in arrivals]
                )
        except BaseException as exc:
            for arrival in arrivals:
                arrival.refuse(exc if isinstance(exc, Exception) else RuntimeError("stopped"))
            raise
        _duplicates(skipped)
        for arrival in arrivals:
            arrival.resolve(True)  # a duplicate too: it was stored before
        return fresh

    async def process(self) -> None:
        """Handle stored updates in order, forever."""
        try:
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
        finally:  # stopped: what was received and not stored is not confirmed
            for arrival in list(self._waiting):
                arrival.refuse(RuntimeError("the processor stopped"))

    async def process_pending(self) -> int:
        """Handle what is stored (or received in step) now, in arrival order; returns how many updates were
        tried. A failed one stops the batch: it is first again at the next read, so later updates never
        overtake it (those received in step are stored behind it first)."""
        if self._in_step:
            pending, self._fresh = self._fresh, []
        else:
            await self._store_arrivals(self._fresh)
            stored = await self.store.inbox_pending(limit=READ_LIMIT)
            read = {item.id for item in stored}
            self._fresh = [i for i in self._fresh if isinstance(i, _Arrival) or i.id not in read]  # newer
            self._in_step = len(stored) < READ_LIMIT
            pending = list(stored)
        for tried, item in enumerate(pending, start=1):
            later = pending[tried:]
            if isinstance(item, _Arrival):
                handled = await self._handle_arrival(item, later)
            else:
                handled = await self._handle(item, later)
            if not handled:  # the rest is in the inbox now, read from there
                self._in_step = False
                self._fresh = [i for i in self._fresh if isinstance(i, _Arrival)]
                return tried
        return len(pending)

    async def _handle_arrival(self, arrival: _Arrival, later: list[InboxItem | _Arrival]) -> bool:
        """Store and handle an update received in step, in one transaction; False when it failed: then it is
        stored as pending, with the arrivals after it, and tried again from the inbox."""
        unit: UnitOfWork | None = None
        error: BaseException | None = None
        try:
            update = Update.de_json(arrival.data, self.app.bot)  # (it copies what it reads)
        except Exception:  # unreadable: stored as pending, and set aside by `_handle`
            update = None
        try:
            if update is not None:
                async with self.store.unit_of_work() as unit:
                    item_id = await self.store.inbox_store_handled(
                        update_id=arrival.update_id, payload=arrival.payload
                    )
                    if item_id is not None:
                        await self._process(update, unit)
                if item_id is None:
                    _duplicates([arrival.update_id])
                arrival.resolve(item_id is not None)
                self.handled += item_id is not None
                await _over(unit, arrival.update_id)
                return True
        except Exception as exc:  # a handler failed, or storage outside the handlers, or the commit itself
            error = _error_of(exc, unit)
        self._in_step = False  # what is received meanwhile is stored at once, behind it
        stored = await self._store_arrivals([arrival, *later, *self._fresh])
        if error is not None and stored and stored[0].update_id == arrival.update_id:
            await self._after_failure(stored[0], error, unit)
        return False

    async def _process(self, update: Update, unit: UnitOfWork) -> None:
        """The update's handlers, in its unit of work; raises `_Rollback` when one of them failed."""
        self._units[update.update_id] = unit  # the handlers' `context.unit`
        try:
            await self.app.process_update(update)
        finally:
            del self._units[update.update_id]
        if unit.failures:
            raise _Rollback

    async def _handle(self, item: InboxItem, later: list[InboxItem | _Arrival]) -> bool:
        """Handle one stored update; False when it failed (the arrivals in `later` are stored behind it)."""
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
                await self._process(update, unit)
                if not await self.store.inbox_handled(item_id=item.id):
                    raise _HandledElsewhere
            # committed: its replies are with the outbox and its buttons answered (`after_commit`)
        except _HandledElsewhere:
            log.warning(
                "update %s was handled by another process: this handling was rolled back", item.update_id
            )
            return True
        except Exception as exc:  # a handler failed, or storage outside the handlers, or the commit itself
            error = _error_of(exc, unit)
        if error is not None:  # rolled back, nothing said to anyone: tried again, or set aside
            self._in_step = False  # what is received meanwhile is stored at once, behind it
            await self._store_arrivals([*later, *self._fresh])
            await self._after_failure(item, error, unit)
            return False
        self._failures.pop(item.id, None)
        self.handled += 1
        await _over(unit, item.update_id)
        return True

    async def _after_failure(self, item: InboxItem, error: BaseException, unit: UnitOfWork | None) -> None:
        """A failed attempt counted (and paused after); the update's `over` actions once it is set aside."""
        if await self._failed(item, error):
            self._failures.pop(item.id, None)
            self.handled += 1
            await _over(unit, item.update_id)

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
        pause = min(MAX_RETRY_PAUSE, FIRST_RETRY_PAUSE * 2 ** (attempts - 1))
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


def _error_of(exc: Exception, unit: UnitOfWork | None) -> BaseException:
    """What made an update's handling fail: a handler's own error (`_Rollback`), or the exception itself."""
    if isinstance(exc, _Rollback) and unit is not None:
        return unit.failures[0] or RuntimeError("a handler failed")
    return exc


def _duplicates(update_ids: list[int]) -> None:
    for update_id in update_ids:
        log.info("update %s is already stored (same id, same content): skipped as a duplicate", update_id)


async def _over(unit: UnitOfWork | None, update_id: int) -> None:
    """What waits for the end of an update's handling (an apology after its last failed attempt)."""
    for action in unit.over if unit is not None else ():
        try:
            await action()
        except Exception:  # an apology that could not be sent: nothing to undo
            log.warning("a post-update action of update %s failed", update_id, exc_info=True)
