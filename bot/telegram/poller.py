"""Long polling for the pipeline: `getUpdates` as raw JSON, each batch handed to `Pipeline.receive` (stored
before it returns), then confirmed by asking for the next one with a higher offset."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut

from bot.storage import describe

if TYPE_CHECKING:
    from bot.telegram.pipeline import Pipeline

log = logging.getLogger("bot.telegram.pipeline")  # the pipeline's own log, as before this module

POLL_TIMEOUT = 10


async def get_updates(pipeline: Pipeline, offset: int | None) -> list[dict[str, Any]]:
    """getUpdates as raw JSON: `Bot.get_updates` parses the whole batch, so one update shaped by a newer
    Bot API would raise for all of them (and PTB would log its content). Parsing happens per update,
    later; this is the same request PTB makes, through the same connection pool and rate limiter."""
    # Pinned PTB 22.8: `_post` is what get_updates calls, without the de_list after it.
    result = await pipeline.app.bot._post(
        "getUpdates",
        {"offset": offset, "timeout": POLL_TIMEOUT, "allowed_updates": pipeline.allowed_updates},
        read_timeout=POLL_TIMEOUT + 5,
    )
    updates = result if isinstance(result, list) else []
    readable = [u for u in updates if isinstance(u, dict) and isinstance(u.get("update_id"), int)]
    if len(readable) != len(updates):
        log.warning(
            "getUpdates returned %s entries without an update id: ignored", len(updates) - len(readable)
        )
    return readable


async def poll(pipeline: Pipeline) -> None:
    """Long polling: store a batch, then confirm it by asking for the next one. Survives outages."""
    offset: int | None = None  # none at start-up: Telegram sends what was not confirmed yet
    backoff = 1.0
    while True:
        try:
            updates = await get_updates(pipeline, offset)
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
            await pipeline.receive(updates)
        except Exception as exc:  # database busy or gone: not stored, so not confirmed; Telegram keeps them
            log.warning("storing received updates failed (%s); polling them again", describe(exc))
            await asyncio.sleep(1.0)
            continue
        offset = int(updates[-1]["update_id"]) + 1
