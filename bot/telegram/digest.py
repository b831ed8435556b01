"""The monthly digest on Telegram: a job that posts last month's report to the coordination chat once, on the
first working day of the month (bot/reporting/digest.py decides when and what), and `/report` for admins.

The job runs every quarter of an hour. The month is marked posted (`digest_sent`) in the same transaction
as its outbox rows, so a restart, or a second process, never posts it twice, and the outbox delivers it
whatever Telegram's mood. `/report [YYYY-MM]` from the admin chat or an admin user sends the report of last
month (or of the month given; this month: so far) to the chat it was asked in.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler

from bot.core.clock import utcnow
from bot.core.text import plain
from bot.core.types import Outcome, Reply
from bot.reporting.digest import Month, compose, due
from bot.settings import Settings
from bot.storage.reports import claim_digest, digest_sent, drop_files
from bot.telegram.admin import admin_filter
from bot.telegram.context import App, AppContext
from bot.telegram.pipeline import publish
from bot.telegram.services import services_of

log = logging.getLogger(__name__)
EVERY = dt.timedelta(minutes=15)
KEEP_FILES = dt.timedelta(days=3)  # the outbox gives a row up after about a day of retries


async def post_digest(app: App, now: dt.datetime) -> bool:
    """Post the digest that is due now, if any and not posted yet; True when it was queued."""
    services = services_of(app.bot_data)
    core = services.core
    catalog = core.dialogue.catalog
    await drop_files(core.store, before=now - KEEP_FILES)
    chat = catalog.handoff_policy.coordination_chat_id
    month = due(catalog, now)
    if month is None:
        return False
    if chat is None:
        log.warning("the monthly digest is on but network.yaml has no coordination_chat_id: not posted")
        return False
    network = catalog.network.id
    if await digest_sent(core.store, network=network, month=month.label):
        return False
    async with core.store.unit_of_work():
        if not await claim_digest(core.store, network=network, month=month.label, at=now):
            return False  # another process was first
        replies = await compose(core.store, catalog, core.dialogue.i18n, chat, month, now=now)
        await services.outbox.post(replies)
    log.info("monthly digest %s posted to the coordination chat (%s messages)", month.label, len(replies))
    return True


async def digest_job(context: AppContext) -> None:
    await post_digest(context.application, utcnow())


async def on_report(update: Update, context: AppContext) -> None:
    """`/report [YYYY-MM]` from an admin: the report of that month (default: last month), here."""
    chat = update.effective_chat
    if chat is None:
        raise ApplicationHandlerStop
    core = context.core
    catalog = core.dialogue.catalog
    now = utcnow()
    today = now.astimezone(catalog.timezone).date()
    args = context.args or []
    month = Month.parse(args[0]) if args else Month.before(today)
    if month is None or month.first > today:
        _ = core.dialogue.i18n.get(catalog.default_language).gettext
        text = _("Write /report for last month, or /report 2026-11 for a month that has begun.")
        await publish(context.application, Outcome((Reply(chat.id, (plain(text),)),)))
        raise ApplicationHandlerStop
    async with core.store.unit_of_work():
        replies = await compose(core.store, catalog, core.dialogue.i18n, chat.id, month, now=now)
        await publish(context.application, Outcome(tuple(replies)))
    raise ApplicationHandlerStop


def register(app: App, settings: Settings) -> None:
    """`/report`, for admins only: anybody else's falls through (an entrepreneur hears it is unknown)."""
    app.add_handler(CommandHandler("report", on_report, filters=admin_filter(settings)), group=0)


def schedule(app: App) -> None:
    if app.job_queue is not None:
        app.job_queue.run_repeating(digest_job, interval=EVERY, first=dt.timedelta(seconds=30), name="digest")
