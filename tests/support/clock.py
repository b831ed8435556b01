"""A clock the test moves by hand: reminders, office hours and follow-ups without waiting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

TUESDAY_10_IN_QUEBEC = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


@dataclass
class Clock:
    """Starts on a Tuesday at 10:00 in Québec (office hours); `advance` moves it."""

    now: dt.datetime = field(default_factory=lambda: TUESDAY_10_IN_QUEBEC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)
