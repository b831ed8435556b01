"""The composition root of the Telegram side: settings, core and python-telegram-bot's Application.

Handler groups, in order: 0 catalog admins (`/reload`, stops the others), 1 entrepreneurs' private chats,
2 hubs' advisor groups and the bot's memberships; errors last.
Updates are processed one at a time (PTB's default): the bot's own work is milliseconds per update, far
below Telegram's limits, and sequential processing keeps each chat's messages in order.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.bootstrap import Core, build_core
from bot.catalog.loader import load_catalog
from bot.catalog.reload import CatalogReloader
from bot.core.commands import BOT_COMMANDS
from bot.settings import Settings
from bot.storage import utcnow
from bot.telegram import admin, advisor, entrepreneur, errors
from bot.telegram.context import CORE_KEY, AppContext

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
PURGE_EVERY = dt.timedelta(hours=6)


def build_application(settings: Settings, **hooks: object) -> Application:  # type: ignore[type-arg]
    """The Application with its handlers; `hooks` are `post_init` / `post_shutdown` callbacks."""
    assert settings.telegram_bot_token is not None
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.bot_base_url)
        .base_file_url(settings.file_base_url)
        .context_types(ContextTypes(context=AppContext))
        .rate_limiter(AIORateLimiter(max_retries=3))
    )
    for name, hook in hooks.items():
        builder = getattr(builder, name)(hook)
    app = builder.build()
    admin.register(app, settings)
    entrepreneur.register(app, group=1)
    advisor.register(app, group=2)
    errors.register(app)
    return app


async def attach(app: Application, core: Core, settings: Settings) -> None:  # type: ignore[type-arg]
    """Give the handlers their core, register the command menus, schedule the purge, watch the catalog."""
    app.bot_data[CORE_KEY] = core
    app.bot_data[admin.RELOADER_KEY] = CatalogReloader(core.dialogue, settings.catalog_dir)
    await set_commands(app, core)
    if app.job_queue is not None:
        app.job_queue.run_repeating(purge, interval=PURGE_EVERY, first=dt.timedelta(minutes=1), name="purge")
    if settings.catalog_watch:
        admin.start_watching(app, settings)


async def detach(app: Application) -> None:  # type: ignore[type-arg]
    """Stop what `attach` started that the Application does not stop itself."""
    await admin.stop_watching(app)


async def set_commands(app: Application, core: Core) -> None:  # type: ignore[type-arg]
    """The command menu in every offered language, and a default one in the network's language."""
    dialogue = core.dialogue
    catalog = dialogue.catalog
    scope = BotCommandScopeAllPrivateChats()
    for lang in (None, *dialogue.offered_languages(catalog)):
        _ = dialogue.i18n.get(lang or catalog.default_language).gettext
        commands = [BotCommand(name, _(description)) for name, description in BOT_COMMANDS]
        await app.bot.set_my_commands(commands, scope=scope, language_code=lang)


async def purge(context: AppContext) -> None:
    """Delete what the retention period no longer allows us to keep."""
    days = context.core.dialogue.retention_days
    removed = await context.core.store.purge(older_than=utcnow() - dt.timedelta(days=days))
    if removed:
        log.info("retention purge removed %s rows", removed)


def run_telegram(settings: Settings) -> int:
    """`aiguilleur run` with a token: long polling by default, a webhook when MODE=webhook."""
    catalog = load_catalog(settings.catalog_dir)  # fail fast, before talking to Telegram
    state: dict[str, Core] = {}

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        state["core"] = await build_core(settings, catalog=catalog)
        await attach(app, state["core"], settings)
        log.info(
            "serving %s hubs and %s entries from %s",
            len(catalog.hubs),
            len(catalog.entries),
            catalog.directory,
        )

    async def post_stop(app: Application) -> None:  # type: ignore[type-arg]
        await detach(app)

    async def post_shutdown(_app: Application) -> None:  # type: ignore[type-arg]
        if "core" in state:
            await state["core"].close()

    app = build_application(settings, post_init=post_init, post_stop=post_stop, post_shutdown=post_shutdown)
    if settings.mode == "webhook":
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path="telegram",
            webhook_url=settings.webhook_url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0
