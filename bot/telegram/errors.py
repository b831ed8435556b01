"""The error handler: log the failure (ids only, never message text) and tell the user, in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application

from bot.i18n import pick_language
from bot.telegram.context import AppContext
from bot.telegram.pipeline import handler_failed
from bot.telegram.sender import answer

log = logging.getLogger(__name__)


async def on_error(update: object, context: AppContext) -> None:
    """Nothing a handler raises reaches the user as a traceback; they get an apology instead."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    handler_failed()
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return
    dialogue = context.core.dialogue
    chat_id = update.effective_chat.id
    try:
        await answer(update.callback_query, None)
        conversation = await dialogue.store.get_conversation(chat_id=chat_id)
        user = update.effective_user
        offered = dialogue.offered_languages(dialogue.catalog)
        lang = (
            conversation.lang
            if conversation
            else pick_language(
                user.language_code if user else None, offered, dialogue.catalog.default_language
            )
        )
        _ = dialogue.i18n.get(lang).gettext
        await context.bot.send_message(
            chat_id, _("Sorry, something went wrong on my side. Please try again.")
        )
    except Exception as exc:  # the error handler itself must never raise
        log.warning("could not tell chat %s about the error: %s", chat_id, exc)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_error_handler(on_error)  # type: ignore[arg-type]
