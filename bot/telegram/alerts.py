"""Opportunity alerts on Telegram (docs/alerts.md): the announcements of a reloaded catalog and the deadline
reminders, decided by the core and posted as a mass sending (`bulk`: paced, after live replies), each in one
transaction with the record that it was sent."""

from __future__ import annotations

from bot.telegram.context import App
from bot.telegram.pipeline import publish
from bot.telegram.services import services_of


async def run_alerts(app: App) -> None:
    """From the periodic tick and right after a reload: a catalog not compared yet (a start, a reload)
    announced to the subscribers its new or reopened opportunities fit, and the reminders due."""
    core = services_of(app.bot_data).core
    try:
        async with core.store.unit_of_work():
            await publish(app, await core.dialogue.alerts_tick(), bulk=True)
    except Exception:
        core.dialogue.announcer.compare_again()  # rolled back: nothing was recorded, nothing is sent
        raise
