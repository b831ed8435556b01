"""Waits counted in a hub's office hours: a request sent on Friday evening and claimed on Monday at 9:30,
in a hub that opens at 9:00, waited 30 minutes, not the weekend.

`OpenClock` lays a hub's weekly hours over a span of days as instants (in its own time zone, so daylight
saving time moves them as it moves the hub's clocks) and counts, for any instant, the open seconds since
the span began. A wait is the difference of two such counts: vectorized with numpy, thousands of waits
cost a few milliseconds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from bot.core.office_hours import Schedule

Seconds = npt.NDArray[np.float64]


def _instant(schedule: Schedule, day: dt.date, minute: int) -> float:
    """The POSIX time at which the hub's clocks show `minute` (after midnight) on `day`."""
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
    return naive.replace(tzinfo=schedule.zone).timestamp()


class OpenClock:
    """Open seconds of one schedule from a day before `first` to a day after `last` (local dates)."""

    def __init__(self, schedule: Schedule, first: dt.date, last: dt.date) -> None:
        opens: list[float] = []
        closes: list[float] = []
        for ordinal in range(first.toordinal() - 1, last.toordinal() + 2):
            day = dt.date.fromordinal(ordinal)
            for start, end in schedule.weekly[day.weekday()]:
                opens.append(_instant(schedule, day, start))
                closes.append(_instant(schedule, day, end))
        self.opens = np.array(opens, dtype=np.float64)
        self.lengths = np.maximum(np.array(closes, dtype=np.float64) - self.opens, 0.0)
        self.before = np.concatenate(([0.0], np.cumsum(self.lengths)[:-1])) if opens else np.zeros(0)

    def open_seconds(self, instants: Seconds) -> Seconds:
        """For each POSIX time, the office-hours seconds from the start of the span to it."""
        if not len(self.opens):
            return np.zeros_like(instants)
        index = np.searchsorted(self.opens, instants, side="right") - 1
        at = np.clip(index, 0, None)
        inside = np.clip(instants - self.opens[at], 0.0, self.lengths[at])
        return np.where(index >= 0, self.before[at] + inside, 0.0)

    def between(self, starts: Seconds, ends: Seconds) -> Seconds:
        """Office-hours seconds from each start to its end (0 when the end comes first)."""
        return np.maximum(self.open_seconds(ends) - self.open_seconds(starts), 0.0)


def posix(values: list[dt.datetime]) -> Seconds:
    return np.array([v.timestamp() for v in values], dtype=np.float64)


def office_seconds(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> float:
    """One wait in office hours, in seconds (for tests and single values)."""
    zone = schedule.zone
    clock = OpenClock(schedule, start.astimezone(zone).date(), end.astimezone(zone).date())
    return float(clock.between(posix([start]), posix([end]))[0])
