"""Updates in, replies out, nothing lost: the durable inbox, the processing loop and the handlers' `respond`.

python-telegram-bot confirms `getUpdates` offsets as soon as updates sit in its in-memory queue, so a
SIGKILL would lose them. Here the Application is built with `.updater(None)` (PTB's supported route) and:
1. the receiver stores each batch of raw updates, then asks for the next batch with a higher offset, which
   is what tells Telegram they were received;
2. the processor feeds stored updates to `Application.process_update` one at a time, in update_id order,
   inside one database transaction that also holds the update's effects (state, outbox rows) and marks it
   handled: after a crash an update was either fully handled or is handled again from scratch;
3. after the commit, button presses are answered and the outbox is woken up to send the replies.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from telegram import CallbackQuery, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.core.types import Outcome
from bot.storage import Store
from bot.telegram.context import AppContext
from bot.telegram.outbox import OutboxSender
from bot.telegram.sender import answer, expand

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10
OUTBOX_KEY = "outbox"
_AFTER_COMMIT: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar(
    "after_commit", default=None
)
_FAILED: ContextVar[list[bool] | None] = ContextVar("update_failed", default=None)
_AFTER_ANYWAY: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar(
    "after_anyway", default=None
)


class _Rollback(Exception):
    """A handler failed: its partial effects are rolled back, the update is recorded as handled."""


async def respond(context: AppContext, outcome: Outcome, query: CallbackQuery | None = None) -> None:
    """What every handler does with the core's outcome: replies to the outbox, the button answered after."""
    await context.core.store.enqueue(expand(outcome.replies))
    after = _AFTER_COMMIT.get()
    if after is None:  # outside the pipeline (a job): committed already
        await answer(query, outcome.notice)
        return
    after.append(lambda: answer(query, outcome.notice))


async def publish(app: Application, outcome: Outcome) -> None:  # type: ignore[type-arg]
    """Replies decided outside an update (a job, the catalog watcher): to the outbox, then sent."""
    async with app.bot_data["core"].store.unit_of_work():
        await app.bot_data["core"].store.enqueue(expand(outcome.replies))
    if (outbox := app.bot_data.get(OUTBOX_KEY)) is not None:
        outbox.wake()


async def after_transaction(action: Callable[[], Awaitable[None]]) -> None:
    """Run `action` once the update's transaction is over, committed or rolled back (network calls never
    hold the database's write lock); at once outside the pipeline."""
    anyway = _AFTER_ANYWAY.get()
    if anyway is None:
        await action()
    else:
        anyway.append(action)


def handler_failed() -> None:
    """Called by the error handler: roll the update's effects back."""
    failed = _FAILED.get()
    if failed is not None:
        failed.append(True)


class Pipeline:
    """Receives, stores and processes updates for one Application; the outbox sends what they decided."""

    def __init__(
        self,
        app: Application,
        store: Store,
        outbox: OutboxSender,
        *,
        allowed_updates: list[str],  # type: ignore[type-arg]
    ) -> None:
        self.app = app
        self.store = store
        self.outbox = outbox
        self.allowed_updates = allowed_updates
        self._stored = asyncio.Event()
        self.handled = 0

    def stored(self) -> None:
        """New updates were stored (by the poller or a webhook): process them."""
        self._stored.set()

    async def receive(self, payloads: list[dict[str, object]]) -> int:
        """Store raw updates before anyone tells Telegram they arrived; returns how many were new."""
        rows = [(int(p["update_id"]), json.dumps(p, ensure_ascii=False)) for p in payloads]  # type: ignore[call-overload]
        async with self.store.unit_of_work():
            added = await self.store.inbox_add(updates=rows)
        self.stored()
        return added

    async def poll(self) -> None:
        """Long polling: store a batch, then confirm it by asking for the next one. Survives outages."""
        offset = await self.store.inbox_offset()
        backoff = 1.0
        while True:
            try:
                updates = await self.app.bot.get_updates(
                    offset=offset,
                    timeout=POLL_TIMEOUT,
                    allowed_updates=self.allowed_updates,
                    read_timeout=POLL_TIMEOUT + 5,
                )
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
            if updates:
                try:
                    await self.receive([update.to_dict() for update in updates])
                except Exception:  # database busy or gone: not stored, so not confirmed; Telegram keeps them
                    log.exception("storing received updates failed; polling them again")
                    await asyncio.sleep(1.0)
                    continue
                offset = updates[-1].update_id + 1

    async def process(self) -> None:
        """Handle stored updates in order, forever."""
        while True:
            self._stored.clear()
            try:
                while await self.process_pending():
                    pass
            except Exception:
                log.exception("processing stored updates failed; retrying")
                await asyncio.sleep(1.0)
                continue
            await self._stored.wait()

    async def process_pending(self) -> int:
        """Handle what is stored now; returns how many updates were handled."""
        pending = await self.store.inbox_pending()
        for update_id, payload in pending:
            await self._handle(update_id, payload)
        return len(pending)

    async def _handle(self, update_id: int, payload: str) -> None:
        try:
            update = Update.de_json(json.loads(payload), self.app.bot)
        except Exception:  # not an update we can read: recorded, never retried forever
            log.exception("update %s could not be read; skipped", update_id)
            async with self.store.unit_of_work():
                await self.store.inbox_handled(update_id=update_id)
            return
        after: list[Callable[[], Awaitable[None]]] = []
        anyway: list[Callable[[], Awaitable[None]]] = []
        failed: list[bool] = []
        after_token, failed_token = _AFTER_COMMIT.set(after), _FAILED.set(failed)
        anyway_token = _AFTER_ANYWAY.set(anyway)
        try:
            async with self.store.unit_of_work():
                await self.app.process_update(update)
                if failed:
                    raise _Rollback
                await self.store.inbox_handled(update_id=update_id)
        except _Rollback:
            log.warning("update %s failed; its effects were rolled back", update_id)
            after.clear()  # the error handler answered the button and apologised
            async with self.store.unit_of_work():
                await self.store.inbox_handled(update_id=update_id)  # a poison update must not loop forever
        finally:
            _AFTER_COMMIT.reset(after_token)
            _FAILED.reset(failed_token)
            _AFTER_ANYWAY.reset(anyway_token)
        self.handled += 1
        self.outbox.wake()
        for action in (*after, *anyway):
            try:
                await action()
            except Exception:  # a button answer or an apology that could not be sent: nothing to undo
                log.warning("a post-update action of update %s failed", update_id, exc_info=True)
