"""Office hours as admins write them (`mon-fri: "09:00-12:00, 13:00-17:00"`), read into a week of spans.

The text form is what `network.yaml` and `hubs.yaml` hold: `OfficeHours` is its pydantic type, validated with
these functions, and `bot.core.office_hours` reads validated text into the same spans, so both always agree. Every error is a
plain English `ValueError` naming the bad value, which the loader reports at its line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import pairwise
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Day names in Python's `weekday()` order: Monday is 0."""
CLOSED = "closed"
DEFAULT_OFFICE_HOURS = {"mon-fri": "09:00-17:00"}
"""The week of a network that says nothing: Monday to Friday, 9 to 5."""

Span = tuple[int, int]
"""Minutes after local midnight: opens at the first, closes at the second (exclusive); 24:00 is 1440."""
Week = tuple[tuple[Span, ...], ...]
"""Seven days, Monday first, each with its spans in order; a closed day has none."""

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DAY_HINT = "use mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, or several separated by commas"


def parse_days(key: str) -> tuple[int, ...]:
    """`mon-fri` -> (0, 1, 2, 3, 4); `sun-thu` wraps round the week; `tue, thu` lists days."""
    days: list[int] = []
    for part in key.split(","):
        first, dash, last = part.strip().casefold().partition("-")
        ends = (first.strip(), last.strip() if dash else first.strip())
        if not all(end in DAYS for end in ends):
            raise ValueError(f"'{key}' is not a day: {_DAY_HINT}")
        start, stop = (DAYS.index(end) for end in ends)
        days.extend((start + step) % 7 for step in range((stop - start) % 7 + 1))
    return tuple(days)


def parse_spans(text: str) -> tuple[Span, ...]:
    """`"08:30-12:00, 13:00-16:30"` -> ((510, 720), (780, 990)); `closed` -> ()."""
    if text.strip().casefold() == CLOSED:
        return ()
    spans = sorted(_span(part.strip(), text) for part in text.split(","))
    for before, after in pairwise(spans):
        if after[0] < before[1]:
            raise ValueError(f"'{text}': {_show(before)} and {_show(after)} overlap")
    return tuple(spans)


def parse_week(hours: Mapping[str, str]) -> Week:
    """Seven days of spans from `{days: ranges}`; days not listed are closed."""
    week: list[tuple[Span, ...] | None] = [None] * 7
    named: dict[int, str] = {}
    for key, text in hours.items():
        spans = parse_spans(text)
        for day in parse_days(key):
            if day in named:
                raise ValueError(f"{DAYS[day]} is given twice, in '{named[day]}' and in '{key}'")
            named[day], week[day] = key, spans
    if not any(week):
        raise ValueError("the week has no opening at all: give at least one day with its hours")
    return tuple(spans or () for spans in week)


def _span(part: str, text: str) -> Span:
    start, dash, end = part.replace("–", "-").partition("-")
    if not dash:
        raise ValueError(f"'{text}' is not a list of hours such as 09:00-12:00, 13:00-17:00, or closed")
    opens, closes = _minutes(start.strip(), text), _minutes(end.strip(), text)
    if opens >= 24 * 60 or closes <= opens:
        raise ValueError(f"'{part}' must end after it starts (not past midnight: 24:00 ends the day)")
    return opens, closes


def _minutes(clock: str, text: str) -> int:
    found = _TIME.match(clock)
    hours, minutes = (int(found.group(1)), int(found.group(2))) if found else (-1, -1)
    if not (0 <= hours <= 23 and 0 <= minutes <= 59) and (hours, minutes) != (24, 0):
        raise ValueError(f"'{text}': '{clock}' is not a time written HH:MM, such as 09:00 or 16:30")
    return hours * 60 + minutes


def _show(span: Span) -> str:
    return "-".join(f"{minute // 60:02d}:{minute % 60:02d}" for minute in span)


def _check_days(value: str) -> str:
    parse_days(value)
    return value


def _hours_text(value: object) -> object:
    """A bare number or an empty value gets a hint rather than pydantic's 'should be a valid string'."""
    if not isinstance(value, str):
        given = "nothing" if value is None else value
        raise ValueError(
            f'{given} is not a list of hours: write them in quotes, such as "09:00-17:00", or closed'
        )
    parse_spans(value)
    return value


def _check_week(value: dict[str, str]) -> dict[str, str]:
    parse_week(value)
    return value


Days = Annotated[str, AfterValidator(_check_days)]
DayHours = Annotated[str, BeforeValidator(_hours_text)]
OfficeHours = Annotated[dict[Days, DayHours], AfterValidator(_check_week)]
"""`{days: hours}`: `mon-thu: "08:30-12:00, 13:00-16:30"`, `fri: "08:30-12:00"`; days not listed are closed."""
