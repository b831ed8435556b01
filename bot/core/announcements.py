"""Opportunity alerts over time (docs/alerts.md): a catalog's new or reopened opportunities announced once to
each subscriber they fit, and the "remind me" messages 7 days before a deadline.

Both run from the periodic tick (and the announcements right after a catalog reload), in one unit of work:
what is sent and the record that it was sent are committed together, so nothing goes twice, even after a
restart. The catalog's opportunities as last compared are kept in the database, so an opportunity added while
the bot was stopped is announced at the next start; their very first comparison announces nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from bot.catalog.model import Catalog, Entry
from bot.catalog.schema import Opportunity
from bot.core.alert_buttons import RemindMe
from bot.core.buttons import button
from bot.core.matching import Match, eligible, explain
from bot.core.results import one_line_summary, reason_text
from bot.core.text import Rich, Span, bold, fmt, italic, link, plain
from bot.core.thread import DeskServices
from bot.core.types import Button, DeadlineReminder, Outcome, Profile, Reply, Subscription
from bot.i18n import long_date

log = logging.getLogger(__name__)

REMIND_DAYS = 7  # a reminder comes this many days before the deadline
REMIND_HOUR = dt.time(9, 0)  # at this local time, in the network's time zone


def today_of(catalog: Catalog, now: dt.datetime) -> dt.date:
    """The day it is in the network's time zone: deadlines are local dates."""
    return now.astimezone(catalog.timezone).date()


def remind_at(catalog: Catalog, deadline: dt.date) -> dt.datetime:
    """When the reminder of this deadline goes: 7 days before, at 9:00 in the network's time zone (UTC)."""
    local = dt.datetime.combine(deadline - dt.timedelta(days=REMIND_DAYS), REMIND_HOUR, catalog.timezone)
    return local.astimezone(dt.UTC)


def fits(entry: Entry, profile: Profile, today: dt.date) -> Match | None:
    """Whether an opportunity is worth announcing to this profile, with why: it must be one the results
    would show (the hard filters: region, stage, sectors, criteria, an open deadline) and, when the profile
    states needs, cover one of them (an alert for something they did not ask for is noise)."""
    if entry.kind != "opportunity" or not eligible(entry, profile, today):
        return None
    if profile.needs and not set(profile.needs) & set(entry.needs):
        return None
    return explain(entry, profile, today)


def new_or_reopened(catalog: Catalog, known: dict[str, dt.date], today: dt.date) -> list[Opportunity]:
    """The open opportunities that were not in the catalog at the last comparison, or whose deadline had
    passed then (reopened: the deadline moved into the future)."""
    return [
        entry
        for entry in catalog.entries
        if isinstance(entry, Opportunity)
        and entry.deadline >= today
        and (entry.id not in known or known[entry.id] < today)
    ]


class Announcer:
    """The alerts' work over time: announcements and deadline reminders."""

    def __init__(self, services: DeskServices) -> None:
        self.services = services
        self.store = services.store
        self._compared: Catalog | None = None  # the catalog last compared by this process
        self._lock = asyncio.Lock()

    def compare_again(self) -> None:
        """The transaction of a comparison was rolled back: the next tick compares the catalog again."""
        self._compared = None

    async def tick(self, catalog: Catalog) -> Outcome:
        """Everything due now: a catalog not compared yet announced, reminders due sent (each marked once)."""
        announced = await self.announce(catalog)
        reminders = await self.remind(catalog)
        return Outcome(announced.replies + reminders.replies)

    async def announce(self, catalog: Catalog) -> Outcome:
        """A catalog's new or reopened opportunities, once to each subscriber they fit."""
        if catalog is self._compared:
            return Outcome()
        async with self._lock:
            if catalog is self._compared:
                return Outcome()
            now = self.services.now()
            today = today_of(catalog, now)
            known = await self.store.known_opportunities()
            await self.store.remember_opportunities(
                {e.id: e.deadline for e in catalog.entries if isinstance(e, Opportunity)}
            )
            self._compared = catalog
            fresh = new_or_reopened(catalog, known, today) if known is not None else []
            if not fresh:
                return Outcome()
            subscribers = await self.store.subscriptions()
            replies: list[Reply] = []
            for entry in fresh:
                fitting = {s.chat_id: (s, m) for s in subscribers if (m := fits(entry, s.profile, today))}
                told = await self.store.record_announced(
                    entry_id=entry.id, deadline=entry.deadline, chat_ids=list(fitting), at=now
                )
                replies.extend(self._announcement(catalog, *fitting[chat_id], now) for chat_id in told)
                log.info(
                    "opportunity %s announced to %s of %s subscribers", entry.id, len(told), len(subscribers)
                )
            return Outcome(tuple(replies))

    async def remind(self, catalog: Catalog) -> Outcome:
        """The deadline reminders due now, each marked sent in this unit of work."""
        now = self.services.now()
        today = today_of(catalog, now)
        replies: list[Reply] = []
        for reminder in await self.store.due_deadline_reminders(now=now):
            await self.store.reminder_sent(chat_id=reminder.chat_id, entry_id=reminder.entry_id, at=now)
            entry = catalog.entry(reminder.entry_id)
            if not isinstance(entry, Opportunity) or entry.deadline < today:
                continue  # gone from the catalog, or closed: nothing to remind of
            if entry.deadline > reminder.deadline and remind_at(catalog, entry.deadline) > now:
                moved = DeadlineReminder(
                    reminder.chat_id,
                    entry.id,
                    entry.deadline,
                    reminder.lang,
                    remind_at(catalog, entry.deadline),
                )
                await self.store.save_reminder(moved, at=now)  # the deadline was extended: later
                continue
            replies.append(self._reminder(catalog, entry, reminder, today))
        return Outcome(tuple(replies))

    def _announcement(
        self, catalog: Catalog, subscriber: Subscription, item: Match, now: dt.datetime
    ) -> Reply:
        """'A new opportunity fits your project': title, summary, why it fits, deadline; "remind me"."""
        lang = subscriber.lang
        _ = self.services.i18n.get(lang).gettext
        entry = item.entry
        assert isinstance(entry, Opportunity)
        why = " · ".join(reason_text(catalog, _, lang, reason) for reason in item.reasons)
        text: list[Span] = [bold(_("🔔 A new opportunity fits your project")), plain("\n\n")]
        text.extend(describe(catalog, entry, lang, _))
        text.extend((plain("\n"), italic(_("Why: {reasons}").format(reasons=why))))
        text.extend((plain("\n\n"), italic(_("Send /alerts to see or stop your alerts."))))
        buttons: tuple[tuple[Button, ...], ...] = ()
        if remind_at(catalog, entry.deadline) > now:
            buttons = ((button(_("⏰ Remind me 7 days before"), RemindMe(entry.id)),),)
        return Reply(subscriber.chat_id, tuple(text), buttons)

    def _reminder(
        self, catalog: Catalog, entry: Opportunity, reminder: DeadlineReminder, today: dt.date
    ) -> Reply:
        lang = reminder.lang
        _ = self.services.i18n.get(lang).gettext
        days = (entry.deadline - today).days
        title = self.services.i18n.get(lang).ngettext(
            "⏰ Reminder: {days} day left to apply", "⏰ Reminder: {days} days left to apply", days
        )
        text: list[Span] = [bold(title.format(days=days)), plain("\n\n")]
        text.extend(describe(catalog, entry, lang, _))
        return Reply(reminder.chat_id, tuple(text))


def describe(catalog: Catalog, entry: Opportunity, lang: str, gettext: Callable[[str], str]) -> Rich:
    """Title and organisation, the one-line summary, the website, the deadline (an alert's body)."""
    spans: list[Span] = [bold(catalog.text(entry.title, lang)), plain(f" — {entry.organization}")]
    summary = catalog.text(entry.summary, lang)
    if summary:
        spans.append(plain(f"\n{one_line_summary(summary)}"))
    if entry.contact.url:
        spans.extend((plain("\n"), link(gettext("Website"), entry.contact.url)))
    spans.append(plain("\n"))
    spans.extend(fmt(gettext("Deadline: {date}"), date=bold(long_date(entry.deadline, catalog.locale(lang)))))
    return tuple(spans)
