"""Sending one of the core's replies on Telegram: a message (split under the limit), an edit, a copy, or a
forum-topic action. Errors are raised to the caller (the outbox), which decides whether to retry.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Bot, CallbackQuery, InputFile, ReplyParameters
from telegram.constants import CallbackQueryLimit, ForumTopicLimit, ParseMode
from telegram.error import BadRequest

from bot.core.types import Reply
from bot.telegram.render import keyboard, split, to_html

log = logging.getLogger(__name__)


async def answer(query: CallbackQuery | None, notice: str | None) -> None:
    """Always answer a button press (the client shows a spinner until we do)."""
    if query is None:
        return
    try:
        await query.answer(notice[: CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH] if notice else None)
    except BadRequest as exc:  # "query is too old" after a restart: nothing to show any more
        log.info("callback %s not answered: %s", query.id, exc.message)


def expand(replies: tuple[Reply, ...] | list[Reply]) -> list[Reply]:
    """One outbox row per Telegram message: a text over the limit becomes several rows, so a retry after a
    failure resends only the part that did not arrive. The first part keeps the thread and tracking, the
    last the buttons."""
    rows: list[Reply] = []
    for reply in replies:
        chunks = (
            split(reply.text)
            if reply.action == "send"
            and reply.copy_of is None
            and reply.edit_message_id is None
            and reply.attachment is None
            else []
        )
        if len(chunks) <= 1:
            rows.append(reply)
            continue
        last = len(chunks) - 1
        rows.extend(
            replace(
                reply,
                text=chunk,
                buttons=reply.buttons if n == last else (),
                track=reply.track if n == 0 else None,
                reply_to_message_id=reply.reply_to_message_id if n == 0 else None,
            )
            for n, chunk in enumerate(chunks)
        )
    return rows


def _reply_to(reply: Reply) -> ReplyParameters | None:
    if reply.reply_to_message_id is None:
        return None
    return ReplyParameters(message_id=reply.reply_to_message_id, allow_sending_without_reply=True)


async def _erase(bot: Bot, reply: Reply) -> None:
    """After a /forget: rename a topic to its number, or delete a copy of the person's message. Telegram may
    refuse (a message over 48 hours old, already gone): that is said in the thread already, and logged."""
    try:
        if reply.action == "rename_topic" and reply.topic_id is not None:
            name = "".join(span.text for span in reply.text)[: ForumTopicLimit.MAX_NAME_LENGTH] or "#"
            await bot.edit_forum_topic(chat_id=reply.chat_id, message_thread_id=reply.topic_id, name=name)
        elif reply.action == "delete_message" and reply.edit_message_id is not None:
            await bot.delete_message(chat_id=reply.chat_id, message_id=reply.edit_message_id)
    except BadRequest as exc:
        log.info("%s in chat %s refused: %s", reply.action, reply.chat_id, exc.message)


async def send(bot: Bot, reply: Reply) -> int | None:
    """Send one reply; returns the id of its (first) message, or of the topic it opened."""
    if reply.action == "open_topic":
        name = "".join(span.text for span in reply.text)[: ForumTopicLimit.MAX_NAME_LENGTH] or "#"
        topic = await bot.create_forum_topic(chat_id=reply.chat_id, name=name)
        return topic.message_thread_id
    if reply.action in ("rename_topic", "delete_message"):
        await _erase(bot, reply)
        return None
    if reply.action in ("close_topic", "reopen_topic"):
        if reply.topic_id is not None:
            method = bot.close_forum_topic if reply.action == "close_topic" else bot.reopen_forum_topic
            try:
                await method(chat_id=reply.chat_id, message_thread_id=reply.topic_id)
            except BadRequest as exc:  # already closed or open, or deleted: nothing to do
                log.info("topic %s of chat %s: %s", reply.topic_id, reply.chat_id, exc.message)
        return None
    if reply.copy_of is not None:
        copied = await bot.copy_message(
            chat_id=reply.chat_id,
            from_chat_id=reply.copy_of.chat_id,
            message_id=reply.copy_of.message_id,
            message_thread_id=reply.topic_id,
            reply_parameters=_reply_to(reply),
        )
        return copied.message_id
    if reply.edit_message_id is not None:
        if await _edit(bot, reply):
            return reply.edit_message_id
        if reply.action == "edit_card":
            return None  # a card is edited or left alone, never posted twice
    first: int | None = None
    chunks = split(reply.text)
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        sent = await bot.send_message(
            chat_id=reply.chat_id,
            text=to_html(chunk),
            parse_mode=ParseMode.HTML,
            message_thread_id=reply.topic_id,
            reply_markup=keyboard(reply.buttons) if last else None,
            reply_parameters=_reply_to(reply) if index == 0 else None,
        )
        first = first or sent.message_id
    return first


async def send_file(bot: Bot, reply: Reply, content: bytes) -> int:
    """Send a reply's attachment (a chart as a photo, a CSV as a document), its text as the caption."""
    assert reply.attachment is not None
    caption = to_html(reply.text) if reply.text else None
    upload = InputFile(content, filename=reply.attachment.name)
    if reply.attachment.kind == "photo":
        sent = await bot.send_photo(
            chat_id=reply.chat_id,
            photo=upload,
            caption=caption,
            parse_mode=ParseMode.HTML,
            message_thread_id=reply.topic_id,
        )
    else:
        sent = await bot.send_document(
            chat_id=reply.chat_id,
            document=upload,
            caption=caption,
            parse_mode=ParseMode.HTML,
            message_thread_id=reply.topic_id,
        )
    return sent.message_id


async def _edit(bot: Bot, reply: Reply) -> bool:
    """Edit in place; False when the message cannot be edited any more."""
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
