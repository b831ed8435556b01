"""The composition root of the Telegram side: settings, core, python-telegram-bot's Application, and the
durable pipeline around it (inbox, processing, outbox; see `pipeline.py` and `outbox.py`).

Handler groups, in order: 0 catalog admins (`/reload`, stops the others), 1 entrepreneurs' private chats and
every button, 2 hubs' advisor groups and the bot's memberships; errors last.
Updates are processed one at a time, in update_id order: the bot's own work is milliseconds per update, far
below Telegram's limits, and sequential processing keeps each chat's messages in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import faulthandler
import logging
import os
import signal
import ssl
import threading
from functools import cache

import httpx
from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes
from telegram.request import HTTPXRequest

from bot.bootstrap import Core, build_core
from bot.catalog.loader import load_catalog
from bot.catalog.reload import CatalogReloader
from bot.core.clock import utcnow
from bot.core.commands import BOT_COMMANDS
from bot.core.matching import prepare_index
from bot.settings import Settings
from bot.storage import Leadership, cancel_and_wait
from bot.telegram import admin, advisor, alerts, digest, entrepreneur, errors
from bot.telegram.context import App, AppContext
from bot.telegram.mailer import Mailer
from bot.telegram.outbox import OutboxSender
from bot.telegram.pipeline import Pipeline
from bot.telegram.services import services_of
from bot.telegram.webhook import WebhookReceiver

log = logging.getLogger(__name__)

# chat_member: a removed advisor loses the right to act at once (sent only while the bot is an administrator).
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
    Update.CHAT_MEMBER,
]
PURGE_EVERY = dt.timedelta(hours=6)


@cache
def _tls() -> ssl.SSLContext:
    """One TLS context, httpx's default one (certifi's CA certificates, SSL_CERT_FILE honoured), for both of
    PTB's HTTP clients: each would otherwise load the certificates again (about 20 ms of CPU apiece)."""
    return httpx.create_ssl_context()


def _request(pool_size: int) -> HTTPXRequest:
    """PTB's own HTTP client with its builder's defaults (pool size, timeouts), sharing `_tls()`."""
    return HTTPXRequest(connection_pool_size=pool_size, httpx_kwargs={"verify": _tls()})


def build_application(settings: Settings, **hooks: object) -> App:
    """The Application with its handlers, without PTB's updater: our pipeline receives updates durably."""
    assert settings.telegram_bot_token is not None
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.bot_base_url)
        .base_file_url(settings.file_base_url)
        .request(_request(256))  # PTB's default pool sizes: 256 for requests, 1 for getUpdates
        .get_updates_request(_request(1))
        .updater(None)
        .context_types(ContextTypes(context=AppContext))
        # Pace only: a 429 goes back to the outbox (max_retries=0), which waits for that lane alone.
        .rate_limiter(AIORateLimiter(max_retries=0, group_max_rate=settings.group_messages_per_minute))
    )
    for name, hook in hooks.items():
        builder = getattr(builder, name)(hook)
    app = builder.build()
    admin.register(app, settings)
    digest.register(app, settings)
    entrepreneur.register(app, group=1)
    advisor.register(app, group=2)
    errors.register(app)
    return app


async def attach(
    app: App,
    core: Core,
    settings: Settings,
    *,
    receive: bool = True,
) -> Pipeline:
    """Give the handlers their core, register the menus, schedule the jobs, start the pipeline's tasks.

    With `receive` false nothing polls or listens: a caller (a test) feeds `pipeline.receive` itself.
    """
    services = services_of(app.bot_data)
    services.core_ = core
    await core.dialogue.load_links()  # read again now that this process leads: a standby sees the last /link
    services.reloader = CatalogReloader(core.dialogue, settings.catalog_dir, index=prepare_index)
    # Retries run on real time, always.
    outbox = OutboxSender(
        app.bot, core.store, core.dialogue, bulk_per_second=settings.bulk_messages_per_second
    )
    pipeline = Pipeline(app, core.store, outbox, allowed_updates=ALLOWED_UPDATES)
    services.outbox_, services.pipeline = outbox, pipeline
    await set_commands(app, core)
    if app.job_queue is not None:
        app.job_queue.run_repeating(purge, interval=PURGE_EVERY, first=dt.timedelta(minutes=1), name="purge")
        app.job_queue.run_repeating(tick, interval=settings.tick_seconds, first=1.0, name="tick")
    digest.schedule(app)  # the monthly report in the coordination chat
    if settings.catalog_watch:
        admin.start_watching(app, settings)
    tasks = [
        asyncio.create_task(outbox.run(), name="outbox"),
        asyncio.create_task(outbox.bulk.run(), name="bulk outbox"),
        asyncio.create_task(pipeline.process(), name="inbox"),
    ]
    if settings.email_enabled:  # referrals to partners' e-mail (docs/referrals.md), sent after their commit
        mailer = services.mailer = Mailer(core.store, settings, bot_username=app.bot.username)
        tasks.append(asyncio.create_task(mailer.run(), name="mailer"))
    if receive and settings.mode == "webhook":
        receiver = WebhookReceiver(pipeline, settings, ALLOWED_UPDATES)
        await receiver.start(app.bot)
        services.webhook = receiver
    elif receive:
        await app.bot.delete_webhook()  # keeps pending updates: never drop_pending_updates
        tasks.append(asyncio.create_task(pipeline.poll(), name="poll"))
    for task in tasks:
        task.add_done_callback(lambda done: _task_ended(app, done))
    services.tasks = tasks
    return pipeline


def _task_ended(app: App, task: asyncio.Task[None]) -> None:
    """A receiving, processing or sending task must never end while the bot runs: stop, loudly, so that the
    service manager restarts the process (nothing is lost: the inbox and outbox are durable)."""
    if task.cancelled():
        return
    log.critical(
        "task %s ended (%r): stopping so that the bot is restarted", task.get_name(), task.exception()
    )
    services = services_of(app.bot_data)
    if (stop := services.stop) is not None:
        services.failed = True
        stop.set()


async def detach(app: App) -> None:
    """Stop what `attach` started that the Application does not stop itself."""
    await admin.stop_watching(app)
    services = services_of(app.bot_data)
    if (receiver := services.webhook) is not None:
        services.webhook = None
        receiver.stop()
    tasks, services.tasks = services.tasks, []
    for task in tasks:
        await cancel_and_wait(task)
    if (outbox := services.outbox_) is not None:
        await outbox.stop()


async def set_commands(app: App, core: Core) -> None:
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


async def tick(context: AppContext) -> None:
    """Reminders, escalations and follow-ups that are due: decided and queued in one transaction."""
    await run_tick(context.application)


async def run_tick(app: App) -> None:
    services = services_of(app.bot_data)
    core, outbox = services.core, services.outbox
    async with core.store.unit_of_work():
        await outbox.post(await core.dialogue.tick())
    await alerts.run_alerts(app)  # opportunity alerts: a transaction of their own, sent in bulk


async def serve(settings: Settings) -> int:
    """Run until SIGINT or SIGTERM; a SIGKILL loses nothing either (the inbox and outbox are durable)."""
    catalog = load_catalog(settings.catalog_dir)  # fail fast, before talking to Telegram
    core = await build_core(settings, catalog=catalog)
    app = build_application(settings)
    stop = asyncio.Event()
    services_of(app.bot_data).stop = stop
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Windows has no loop signal handlers: there Ctrl-C still stops the bot (KeyboardInterrupt), and the
        # durable inbox and outbox make an abrupt stop safe.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    if hasattr(
        signal, "SIGUSR1"
    ):  # `kill -USR1 <pid>` prints every thread's stack: for a bot that seems stuck
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    leadership = core.store.leadership()
    try:
        # One active process per database: a second one (a standby, or started by mistake) waits here.
        if not await leadership.acquire(stop):
            return 0
        async with app:
            await attach(app, core, settings)
            keep = asyncio.create_task(_keep_leading(leadership), name="lead")
            keep.add_done_callback(lambda done: _task_ended(app, done))
            services_of(app.bot_data).tasks.append(keep)
            await app.start()
            log.info(
                "serving %s hubs and %s entries from %s",
                len(catalog.hubs),
                len(catalog.entries),
                catalog.directory,
            )
            try:
                await stop.wait()
                _exit_if_stuck()
            finally:
                await detach(app)
                await app.stop()
    finally:
        await leadership.release()
        await core.close()
    return 1 if services_of(app.bot_data).failed else 0


LEAD_CHECK_SECONDS = 2.0


async def _keep_leading(leadership: Leadership) -> None:
    """Check every few seconds that the database lock is still ours; if its connection is gone, a standby
    may be taking over: this task ends, which stops the process (exit 1) before it could double anything."""
    while True:
        await asyncio.sleep(LEAD_CHECK_SECONDS)
        await leadership.check()


SHUTDOWN_GRACE_SECONDS = 10.0


def _exit_if_stuck() -> None:
    """Shutting down must not hang (a stuck connection or thread would keep a service manager waiting):
    after the grace period, print every thread's stack and exit. Nothing is lost: inbox and outbox are
    durable, and an update being handled when the process ends is handled again at the next start."""

    def force() -> None:
        log.critical("shutdown still not done after %ss: exiting now (stacks follow)", SHUTDOWN_GRACE_SECONDS)
        faulthandler.dump_traceback(all_threads=True)
        os._exit(1)

    watchdog = threading.Timer(SHUTDOWN_GRACE_SECONDS, force)
    watchdog.daemon = True
    watchdog.start()


def run_telegram(settings: Settings) -> int:
    """`aiguilleur run` with a token: long polling by default, a webhook when MODE=webhook."""
    return asyncio.run(serve(settings))
