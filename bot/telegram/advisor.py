"""Handlers for hubs' advisor groups: replies in a handoff's thread reach the entrepreneur."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot.telegram.context import AppContext
from bot.telegram.convert import from_message
from bot.telegram.sender import carry_out


async def on_group_message(update: Update, context: AppContext) -> None:
    """A message in a group: the core decides whether it belongs to a handoff of this very chat."""
    event = from_message(update)
    if event is None or (update.effective_user and update.effective_user.is_bot):
        return
    outcome = await context.core.dialogue.handle(event)
    await carry_out(context.bot, outcome, context.core.dialogue.delivered)


def register(app: Application, group: int) -> None:  # type: ignore[type-arg]
    app.add_handler(
        MessageHandler(filters.ChatType.GROUPS & ~filters.UpdateType.EDITED, on_group_message), group=group
    )
