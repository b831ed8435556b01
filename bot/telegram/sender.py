"""Carrying out the core's replies on Telegram: send, edit or copy, and report tracked message ids.

A user who blocked the bot, a message that can no longer be edited, a chat that does not exist or a network
failure after PTB's own retries is logged (ids, never text) and never stops the other replies of the same
outcome; a handoff card that could not be posted is reported back to the core, which closes that handoff.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from telegram import Bot, CallbackQuery, ReplyParameters
from telegram.constants import CallbackQueryLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from bot.core.types import Outcome, Reply
from bot.telegram.render import keyboard, split, to_html

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 1.0


class Tracker(Protocol):
    """What the core wants to know about tracked replies (the dialogue implements it)."""

    async def delivered(self, track: str, chat_id: int, message_id: int) -> None: ...

    async def undelivered(self, track: str) -> Outcome: ...


async def answer(query: CallbackQuery | None, notice: str | None) -> None:
    """Always answer a button press (the client shows a spinner until we do)."""
    if query is None:
        return
    try:
        await query.answer(notice[: CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH] if notice else None)
    except BadRequest as exc:  # "query is too old" after a restart: nothing to show any more
        log.info("callback %s not answered: %s", query.id, exc.message)


async def carry_out(bot: Bot, outcome: Outcome, tracker: Tracker, query: CallbackQuery | None = None) -> None:
    """Answer the button press, then each reply in order; one failed reply never stops the others."""
    await answer(query, outcome.notice)
    for reply in outcome.replies:
        try:
            message_id = await _send_with_retry(bot, reply)
        except TelegramError as exc:
            # Forbidden: blocked or removed; BadRequest: chat gone or migrated; NetworkError after PTB's own
            # retries. Logged with ids only. A handoff card that did not arrive must not leave anyone waiting.
            log.warning("message to chat %s not delivered: %s", reply.chat_id, type(exc).__name__)
            if reply.track:
                await carry_out(bot, await tracker.undelivered(reply.track), tracker)
            continue
        if reply.track and message_id is not None:
            await tracker.delivered(reply.track, reply.chat_id, message_id)


async def _send_with_retry(bot: Bot, reply: Reply) -> int | None:
    """One retry after a transient failure (5xx, network). BadRequest is a NetworkError in PTB but permanent:
    never retried. A timed-out send may have arrived: retrying is at-least-once, never silent loss."""
    try:
        return await _send(bot, reply)
    except (BadRequest, Forbidden):
        raise
    except NetworkError:
        await asyncio.sleep(RETRY_AFTER_SECONDS)
        return await _send(bot, reply)


def _reply_to(reply: Reply) -> ReplyParameters | None:
    if reply.reply_to_message_id is None:
        return None
    return ReplyParameters(message_id=reply.reply_to_message_id, allow_sending_without_reply=True)


async def _send(bot: Bot, reply: Reply) -> int | None:
    """Send one reply; returns the id of its (first) message."""
    if reply.copy_of is not None:
        copied = await bot.copy_message(
            chat_id=reply.chat_id,
            from_chat_id=reply.copy_of.chat_id,
            message_id=reply.copy_of.message_id,
            reply_parameters=_reply_to(reply),
        )
        return copied.message_id
    if reply.edit_message_id is not None and await _edit(bot, reply):
        return reply.edit_message_id
    first: int | None = None
    chunks = split(reply.text)
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        sent = await bot.send_message(
            chat_id=reply.chat_id,
            text=to_html(chunk),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(reply.buttons) if last else None,
            reply_parameters=_reply_to(reply) if index == 0 else None,
            link_preview_options=None,
        )
        first = first or sent.message_id
    return first


async def _edit(bot: Bot, reply: Reply) -> bool:
    """Edit in place; False when the message cannot be edited any more (then a new one is sent)."""
    try:
        await bot.edit_message_text(
            chat_id=reply.chat_id,
            message_id=reply.edit_message_id,
            text=to_html(reply.text),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(reply.buttons),
        )
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return True
        log.info("message %s in chat %s not editable (%s)", reply.edit_message_id, reply.chat_id, exc.message)
        return False
    return True
