"""Handlers for entrepreneurs' private chats: every message, command and button goes to the core."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.telegram.advisor import acting_member
from bot.telegram.context import App, AppContext
from bot.telegram.convert import from_callback, from_message
from bot.telegram.pipeline import after_transaction, respond
from bot.telegram.sender import answer


async def on_message(update: Update, context: AppContext) -> None:
    """A private message or command: parse, delegate, render."""
    event = from_message(update, context.bot.username)
    if event is None:
        return
    outcome = await context.core.dialogue.handle(event)
    await respond(context, outcome)


async def on_edit(update: Update, context: AppContext) -> None:
    """An edited private message: during a request the advisors get the new version; otherwise nothing."""
    event = from_message(update, context.bot.username)
    if event is None:
        return
    await respond(context, await context.core.dialogue.edited(event))


async def on_button(update: Update, context: AppContext) -> None:
    """A button press, in a private chat or on a hub's card; one on a message Telegram no longer gives us is
    answered and dropped."""
    event = from_callback(update)
    if event is None or (not event.private and not await acting_member(update, context)):
        await after_transaction(context, lambda: answer(update.callback_query, None))
        return
    outcome = await context.core.dialogue.handle(event)
    await respond(context, outcome, update.callback_query)


def register(app: App, group: int) -> None:
    private = filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED & ~filters.StatusUpdate.ALL
    app.add_handler(MessageHandler(private, on_message), group=group)
    edited = filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE
    app.add_handler(MessageHandler(edited, on_edit), group=group)
    app.add_handler(CallbackQueryHandler(on_button), group=group)
