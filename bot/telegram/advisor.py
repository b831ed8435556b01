"""Handlers for hubs' advisor groups, and for the bot's own membership in chats.

A reply in a handoff's thread reaches the entrepreneur; the bot added to a group says how to link it to a
hub; an entrepreneur who blocks the bot closes their open handoff.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import Application, ChatMemberHandler, MessageHandler, filters

from bot.telegram.context import AppContext
from bot.telegram.convert import from_message
from bot.telegram.sender import carry_out

log = logging.getLogger(__name__)
PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)


async def on_group_message(update: Update, context: AppContext) -> None:
    """A message in a group: the core decides whether it belongs to a handoff of this very chat."""
    event = from_message(update)
    message, chat = update.effective_message, update.effective_chat
    anonymous_admin = (
        message is not None
        and chat is not None
        and message.sender_chat is not None
        and (message.sender_chat.id == chat.id)
    )
    if event is None or (update.effective_user and update.effective_user.is_bot and not anonymous_admin):
        return  # other bots; an anonymous admin posts as GroupAnonymousBot on behalf of the group itself
    outcome = await context.core.dialogue.handle(event)
    await carry_out(context.bot, outcome, context.core.dialogue)


async def on_membership(update: Update, context: AppContext) -> None:
    """The bot's own membership changed: added to a group, or blocked by an entrepreneur."""
    change = update.my_chat_member
    if change is None:
        return
    dialogue = context.core.dialogue
    if change.chat.type == ChatType.PRIVATE:
        if change.new_chat_member.status == ChatMember.BANNED:
            log.info("chat %s blocked the bot", change.chat.id)
            await carry_out(context.bot, await dialogue.user_blocked(change.chat.id), dialogue)
    elif change.new_chat_member.status in PRESENT and change.old_chat_member.status not in PRESENT:
        log.info("added to group %s", change.chat.id)
        await carry_out(context.bot, dialogue.group_joined(change.chat.id), dialogue)


def register(app: Application, group: int) -> None:  # type: ignore[type-arg]
    groups = filters.ChatType.GROUPS & ~filters.UpdateType.EDITED
    app.add_handler(MessageHandler(groups, on_group_message), group=group)
    app.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER), group=group)
