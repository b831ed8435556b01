"""Catalog admins on Telegram: `/reload`, and the watcher that reloads when a catalog file is saved.

`/reload` counts only from the admin chat or an admin user; anybody else's falls through to the ordinary
handlers (an entrepreneur is told the command is unknown), so it has no effect.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler, filters

from bot.catalog.loader import Checked
from bot.core.admin import reload_report
from bot.core.types import Outcome, Reply
from bot.settings import Settings
from bot.telegram import alerts
from bot.telegram.context import App, AppContext
from bot.telegram.pipeline import publish
from bot.telegram.services import services_of

log = logging.getLogger(__name__)


def admin_filter(settings: Settings) -> filters.BaseFilter:
    """Messages from the admin chat or from an admin user; nothing when neither is configured."""
    allowed = filters.Chat(chat_id=settings.admin_chat_id) if settings.admin_chat_id else None
    users = filters.User(user_id=settings.admin_user_ids) if settings.admin_user_ids else None
    if allowed and users:
        return allowed | users
    return allowed or users or filters.Chat(chat_id=[])


async def report(app: App, checked: Checked, chat_id: int | None) -> None:
    """Tell the admin chat (and whoever asked) how the reload went; a new catalog's opportunities are announced."""
    services = services_of(app.bot_data)
    core = services.core
    text = reload_report(checked, core.dialogue.catalog, core.dialogue.i18n)
    chats = {c for c in (chat_id, services.admin_chat_id) if c is not None}
    outcome = Outcome(tuple(Reply(chat, text) for chat in sorted(chats)))
    await publish(app, outcome)
    if checked.catalog is not None:
        await alerts.run_alerts(app)  # its new or reopened opportunities, to the subscribers they fit


async def on_reload(update: Update, context: AppContext) -> None:
    """`/reload` from an admin: check and swap off the event loop, report, and stop other handlers."""
    reloader = context.services.reloader
    assert reloader is not None  # attach() made it
    checked = await reloader.reload()
    chat = update.effective_chat
    await report(context.application, checked, chat.id if chat else None)
    raise ApplicationHandlerStop


def start_watching(app: App, settings: Settings) -> None:
    """Reload on every save in the catalog folder, until `stop_watching`."""
    services = services_of(app.bot_data)
    stop = services.watch_stop = asyncio.Event()
    reloader = services.reloader
    assert reloader is not None  # attach() made it

    async def on_result(checked: Checked) -> None:
        await report(app, checked, None)

    # Started before the Application runs (from post_init), so not with `app.create_task`.
    task = asyncio.get_running_loop().create_task(reloader.watch(on_result, stop), name="catalog-watch")
    task.add_done_callback(_log_failure)
    services.watch_task = task
    log.info("watching %s for catalog changes", settings.catalog_dir)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the catalog watcher stopped", exc_info=task.exception())


async def stop_watching(app: App) -> None:
    """Stop the watcher and wait for it, so no reload runs during shutdown."""
    services = services_of(app.bot_data)
    stop, task = services.watch_stop, services.watch_task
    services.watch_stop = services.watch_task = None
    if stop is not None:
        stop.set()
    try:
        if task is not None:
            await asyncio.wait({task}, timeout=5)  # never raises: a failed watcher must not skip the shutdown
            task.cancel()
    finally:
        if services.reloader is not None:
            await asyncio.to_thread(services.reloader.close)


def register(app: App, settings: Settings) -> None:
    services_of(app.bot_data).admin_chat_id = settings.admin_chat_id
    app.add_handler(CommandHandler("reload", on_reload, filters=admin_filter(settings)), group=0)
