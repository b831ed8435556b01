"""The error handler: log the failure (ids only, never message text) and tell the user, in their language,
once the pipeline gives the update up (a failure that a retry cures is never apologised for)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType

from bot.i18n import pick_language
from bot.storage import describe, is_transient
from bot.telegram.context import App, AppContext
from bot.telegram.pipeline import after_transaction, handler_failed
from bot.telegram.sender import answer

log = logging.getLogger(__name__)


async def on_error(update: object, context: AppContext) -> None:
    """Nothing a handler raises reaches the user as a traceback: the update's effects are rolled back, the
    button is answered (in any chat), and an entrepreneur gets an apology once the transaction is over."""
    update_id = update.update_id if isinstance(update, Update) else None
    if context.error is not None and is_transient(
        context.error
    ):  # the pipeline rolls back and retries it; the apology waits
        log.warning("update %s: the database is busy or unreachable (%s)", update_id, describe(context.error))
    else:
        log.error("update %s failed", update_id, exc_info=context.error)
    handler_failed(context, context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    query = update.callback_query
    private = update.effective_chat.type == ChatType.PRIVATE
    chat_id = update.effective_chat.id
    user = update.effective_user

    async def apologise() -> None:
        await answer(query, None)
        if not private:
            return
        dialogue = context.core.dialogue
        conversation = await dialogue.store.get_conversation(chat_id=chat_id)
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

    await after_transaction(context, apologise)


def register(app: App) -> None:
    app.add_error_handler(on_error)
