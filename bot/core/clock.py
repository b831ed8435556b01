"""The real clock: the time now, timezone-aware UTC (the core's `ports.Clock` in production).

Every time the bot keeps or compares is aware UTC; a test passes a clock of its own instead.
"""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
