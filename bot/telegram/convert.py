"""Telegram objects become the core's plain `Inbound` here, at the edge, and nowhere else."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType, MessageEntityType

from bot.core.placement import parse_command
from bot.core.types import Inbound, Person


def person(update: Update) -> Person:
    """Who acted; an anonymous group admin is the group itself, with no name to show."""
    user = update.effective_user
    message = update.effective_message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == message.chat.id:
        return Person(id=message.chat.id)
    if user is None:
        return Person(id=0)
    return Person(user.id, user.first_name or "", user.username, user.language_code)


def _command(message: Message, bot_username: str | None) -> tuple[str | None, tuple[str, ...]]:
    """`/start@bot hub-01` -> ('start', ('hub-01',)), in a text or a caption; only a command entity at offset
    0 counts, and one addressed to another bot (`/close@OtherBot`) is not ours."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities or ()
    if not any(e.type == MessageEntityType.BOT_COMMAND and e.offset == 0 for e in entities):
        return None, ()
    return parse_command(text, bot_username)


def from_message(update: Update, bot_username: str | None = None) -> Inbound | None:
    """A message (text, caption or media) in a private chat or a group."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return None
    command, args = _command(message, bot_username)
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    return Inbound(
        chat_id=chat.id,
        sender=person(update),
        text=message.text or message.caption or "",
        command=command,
        args=args,
        message_id=message.message_id,
        reply_to_message_id=reply_to,
        private=chat.type == ChatType.PRIVATE,
        has_media=message.effective_attachment is not None,
        thread_id=message.message_thread_id if message.is_topic_message else None,
        edited=update.edited_message is not None,
        reply_to_bot=bool(
            message.reply_to_message
            and message.reply_to_message.from_user
            and message.reply_to_message.from_user.id == update.get_bot().id
        ),
    )


def from_callback(update: Update) -> Inbound | None:
    """A button press; the message that carried the button may be inaccessible (too old)."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return None
    chat = query.message.chat
    return Inbound(
        chat_id=chat.id,
        sender=person(update),
        button=query.data,
        button_message_id=query.message.message_id,
        private=chat.type == ChatType.PRIVATE,
    )
