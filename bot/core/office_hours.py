"""When a hub's advisors are at their desk: its weekly hours in its own time zone, and how to name an opening.

Pure functions of the catalog and a datetime: no clock, no I/O. Hours are local wall-clock times, so a
schedule follows daylight saving time (9:00 stays 9:00 after the change). The handoff desk asks when a
reminder or an escalation is due: the delay, then the first moment the hub is open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from bot.catalog.hours import Week, parse_week

if TYPE_CHECKING:
    from bot.catalog.model import Catalog
    from bot.catalog.schema import Hub

_CACHE = "_office_hours"  # the catalog's attribute holding its schedules, as `Dialogue.prepare` does


@dataclass(frozen=True)
class Schedule:
    """A hub's week: spans of minutes after local midnight, Monday first, in the hub's zone."""

    zone: ZoneInfo
    weekly: Week

    def is_open(self, at: dt.datetime) -> bool:
        """Whether `at` (timezone-aware, any zone) falls within office hours."""
        local = at.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.weekly[local.weekday()])

    def next_opening(self, at: dt.datetime) -> dt.datetime:
        """`at` itself (shown in the hub's zone) when open, else the next opening, in the hub's zone."""
        local = at.astimezone(self.zone)
        if self.is_open(local):
            return local
        for ahead in range(8):
            day = local.date() + dt.timedelta(days=ahead)
            for start, _end in self.weekly[day.weekday()]:
                opening = self._wall(day, start)
                if opening > local:
                    return opening
        raise ValueError("this schedule never opens")  # the catalog refuses such a week

    def _wall(self, day: dt.date, minute: int) -> dt.datetime:
        """The instant the hub's clocks show `minute` on `day`; a time skipped by DST becomes the next real one."""
        naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
        return naive.replace(tzinfo=self.zone).astimezone(dt.UTC).astimezone(self.zone)


def schedule_for(catalog: Catalog, hub: Hub) -> Schedule:
    """The hub's own hours and zone where it gives them, else the network's policy (else 9-5 on weekdays)."""
    cache: dict[str, Schedule] = catalog.__dict__.setdefault(_CACHE, {})
    own = catalog.hub(hub.id) is hub  # a hub of another catalog (before a reload) is not cached here
    if own and hub.id in cache:
        return cache[hub.id]
    hours = hub.office_hours or catalog.handoff_policy.office_hours
    schedule = Schedule(zone=catalog.hub_timezone(hub), weekly=parse_week(hours))
    if own:
        cache[hub.id] = schedule
    return schedule


def reminder_due(catalog: Catalog, hub: Hub, since: dt.datetime) -> dt.datetime:
    """When a request unclaimed since `since` is announced again: after the delay, once the hub is open."""
    return schedule_for(catalog, hub).next_opening(since + catalog.reminder_after(hub))


def opening_parts(when: dt.datetime, locale: str) -> tuple[str, str]:
    """The weekday and the short time of `when`, in its own zone, in a babel locale: ('lundi', '09 h 00')."""
    return format_date(when, "EEEE", locale=locale), format_time(when, "short", locale=locale)
