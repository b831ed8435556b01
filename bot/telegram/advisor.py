"""Handlers for hubs' advisor groups, and for the bot's own membership in chats.

Messages and commands in a group go to the core (card buttons arrive through the one button handler), which checks the group is the hub's; the bot
added to a group (or given new rights) says what the group is for and reports missing rights; an
entrepreneur who blocks the bot closes their open handoff.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from telegram import ChatMember, ChatMemberAdministrator, ChatMemberRestricted, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot.core.hub_groups import GroupRights
from bot.telegram.context import App, AppContext
from bot.telegram.convert import from_message
from bot.telegram.pipeline import respond

log = logging.getLogger(__name__)
PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)
MEMBER_CACHE_SECONDS = 300.0


async def is_member(context: AppContext, chat_id: int, user_id: int) -> bool:
    """Whether this user belongs to this group now (cached 5 minutes; a `chat_member` update replaces the
    cached answer at once). A public group's visitors, or a channel's commenters, can see a card or write
    without being members: they may not act on requests."""
    cache = context.services.members
    now = asyncio.get_running_loop().time()
    cached = cache.get((chat_id, user_id))
    if cached and now - cached[1] < MEMBER_CACHE_SECONDS:
        return cached[0]
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:  # cannot tell: refuse rather than let a stranger act
        log.warning(
            "membership of user %s in chat %s unknown (%s): refused", user_id, chat_id, type(exc).__name__
        )
        return False
    ok = member.status in PRESENT or (isinstance(member, ChatMemberRestricted) and member.is_member)
    remember(context, chat_id, user_id, ok)
    return ok


async def acting_member(update: Update, context: AppContext) -> bool:
    """The sender of a group update may act: a member, or an anonymous admin (the group itself)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None:
        return False
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    if await is_member(context, chat.id, user.id):
        return True
    log.warning("user %s is not a member of chat %s: refused", user.id, chat.id)
    return False


async def on_group_message(update: Update, context: AppContext) -> None:
    """A message in a group: the core decides whether it belongs to a handoff of this very chat."""
    event = from_message(update, context.bot.username)
    message, chat = update.effective_message, update.effective_chat
    anonymous_admin = (
        message is not None
        and chat is not None
        and message.sender_chat is not None
        and (message.sender_chat.id == chat.id)
    )
    if event is None or (update.effective_user and update.effective_user.is_bot and not anonymous_admin):
        return  # other bots; an anonymous admin posts as GroupAnonymousBot on behalf of the group itself
    if context.core.dialogue.is_hub_chat(event.chat_id) and not await acting_member(update, context):
        return
    if event.command == "link" and not event.edited:  # the core also checks the catalog's hub admins
        event = replace(event, sender_admin=await is_group_admin(context, event.chat_id, event.sender.id))
    await respond(context, await context.core.dialogue.handle(event))


async def is_group_admin(context: AppContext, chat_id: int, user_id: int) -> bool:
    """Whether this user administers this group now (asked of Telegram, never cached: `/link` is rare)."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.warning("admin status of user %s in chat %s unknown (%s)", user_id, chat_id, type(exc).__name__)
        return False
    return member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


async def on_membership(update: Update, context: AppContext) -> None:
    """The bot's own membership changed: added to a group, given rights, or blocked by an entrepreneur."""
    change = update.my_chat_member
    if change is None:
        return
    dialogue = context.core.dialogue
    new = change.new_chat_member
    if change.chat.type == ChatType.PRIVATE:
        if new.status == ChatMember.BANNED:
            log.info("chat %s blocked the bot", change.chat.id)
            await respond(context, await dialogue.user_blocked(change.chat.id))
        return
    if new.status not in PRESENT:
        log.warning("removed from group %s", change.chat.id)
        await respond(context, dialogue.group_left(change.chat.id))
        return
    rights = _rights(new, forum=bool(change.chat.is_forum))
    if change.old_chat_member.status in PRESENT and _rights(change.old_chat_member, rights.forum) == rights:
        return  # nothing that matters changed
    log.info("group %s: admin=%s manage_topics=%s", change.chat.id, rights.admin, rights.manage_topics)
    await respond(context, dialogue.group_joined(change.chat.id, rights))


async def on_member_change(update: Update, context: AppContext) -> None:
    """Someone joined, left or was removed from a group where the bot is an administrator: their right to act
    on requests follows at once (the membership cache is set from the update, not waited out)."""
    change = update.chat_member
    if change is None:
        return
    new = change.new_chat_member
    present = new.status in PRESENT or (isinstance(new, ChatMemberRestricted) and new.is_member)
    remember(context, change.chat.id, new.user.id, present)
    if not present:
        log.info(
            "user %s left or was removed from chat %s: no longer acts on its requests",
            new.user.id,
            change.chat.id,
        )


def remember(context: AppContext, chat_id: int, user_id: int, present: bool) -> None:
    cache = context.services.members
    cache[(chat_id, user_id)] = (present, asyncio.get_running_loop().time())


def _rights(member: ChatMember, forum: bool) -> GroupRights:
    return GroupRights(
        admin=member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER),
        manage_topics=member.status == ChatMember.OWNER
        or (isinstance(member, ChatMemberAdministrator) and bool(member.can_manage_topics)),
        forum=forum,
    )


def register(app: App, group: int) -> None:
    # Edited messages too: the core relays an advisor's new version to the entrepreneur.
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGES & ~filters.StatusUpdate.ALL
    app.add_handler(MessageHandler(groups, on_group_message), group=group)
    app.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER), group=group)
    app.add_handler(ChatMemberHandler(on_member_change, ChatMemberHandler.CHAT_MEMBER), group=group)
