"""Office hours as an entrepreneur and an advisor live them: local clocks, weekends, lunch, DST, other weeks."""

from __future__ import annotations

import datetime as dt
import shutil
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.catalog.hours import parse_week
from bot.catalog.loader import load_catalog
from bot.catalog.model import Catalog
from bot.core.office_hours import (
    Schedule,
    opening_parts,
    reminder_due,
    schedule_for,
)
from tests.support.personas import MINI, ROOT

QUEBEC_TIME = ZoneInfo("America/Toronto")
ATLANTIC_TIME = ZoneInfo("America/Halifax")
ALGERIA_TIME = ZoneInfo("Africa/Algiers")


@cache
def _algerie() -> Catalog:
    return load_catalog(ROOT / "catalog" / "algerie")


def quebec_time(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=QUEBEC_TIME)


def schedule(catalog: Catalog, hub_id: str) -> Schedule:
    hub = catalog.hub(hub_id)
    assert hub is not None
    return schedule_for(catalog, hub)


@pytest.mark.parametrize(
    ("friday_evening", "monday_morning", "offset_hours"),
    [
        (quebec_time(2026, 11, 13, 17, 30), quebec_time(2026, 11, 16, 9, 0), -5),
        # Clocks go back on Sunday 1 November 2026: Monday still opens at 9:00 on the wall clock.
        (quebec_time(2026, 10, 30, 17, 30), quebec_time(2026, 11, 2, 9, 0), -5),
        # Clocks go forward on Sunday 14 March 2027.
        (quebec_time(2027, 3, 12, 17, 30), quebec_time(2027, 3, 15, 9, 0), -4),
    ],
)
def test_friday_evening_in_rimouski_waits_for_monday_nine(
    quebec_catalog: Catalog, friday_evening: dt.datetime, monday_morning: dt.datetime, offset_hours: int
) -> None:
    rimouski = schedule(quebec_catalog, "hub-01")
    assert not rimouski.is_open(friday_evening)
    opening = rimouski.next_opening(friday_evening.astimezone(dt.UTC))
    assert opening == monday_morning
    assert (opening.hour, opening.minute) == (9, 0)
    assert opening.utcoffset() == dt.timedelta(hours=offset_hours)
    assert opening.tzinfo == QUEBEC_TIME


def test_open_hours_and_their_edges(quebec_catalog: Catalog) -> None:
    rimouski = schedule(quebec_catalog, "hub-01")
    tuesday = quebec_time(2026, 11, 17, 10, 15)
    assert rimouski.is_open(tuesday) and rimouski.next_opening(tuesday) == tuesday
    assert rimouski.is_open(quebec_time(2026, 11, 17, 9, 0))
    assert rimouski.is_open(quebec_time(2026, 11, 17, 16, 59))
    assert not rimouski.is_open(quebec_time(2026, 11, 17, 17, 0))
    assert not rimouski.is_open(quebec_time(2026, 11, 17, 8, 59))
    assert rimouski.next_opening(quebec_time(2026, 11, 17, 6, 0)) == quebec_time(2026, 11, 17, 9, 0)


def test_a_question_during_the_lunch_break_waits_until_one(quebec_catalog: Catalog) -> None:
    rimouski = schedule(quebec_catalog, "hub-01")
    lunch = quebec_time(2026, 11, 17, 12, 30)
    assert not rimouski.is_open(lunch)
    assert rimouski.next_opening(lunch) == quebec_time(2026, 11, 17, 13, 0)


def test_the_islands_keep_atlantic_time(quebec_catalog: Catalog) -> None:
    islands, rimouski = schedule(quebec_catalog, "hub-idm"), schedule(quebec_catalog, "hub-01")
    assert islands.zone == ATLANTIC_TIME
    monday = quebec_time(2026, 11, 16, 8, 30)  # 9:30 on the Islands
    assert islands.is_open(monday) and not rimouski.is_open(monday)
    opening = islands.next_opening(quebec_time(2026, 11, 16, 7, 0))
    assert opening == quebec_time(2026, 11, 16, 8, 0)
    assert (opening.hour, opening.tzinfo) == (9, ATLANTIC_TIME)


def test_a_hub_closed_on_friday_afternoons(quebec_catalog: Catalog) -> None:
    cote_nord = schedule(quebec_catalog, "hub-09")
    assert cote_nord.is_open(quebec_time(2026, 11, 19, 14, 0))  # Thursday
    friday = quebec_time(2026, 11, 20, 14, 0)
    assert not cote_nord.is_open(friday)
    assert cote_nord.next_opening(friday) == quebec_time(2026, 11, 23, 8, 30)


def test_algeria_works_from_sunday_to_thursday() -> None:
    algiers = schedule(_algerie(), "anpt-sidi-abdellah")
    assert algiers.zone == ALGERIA_TIME
    thursday_evening = dt.datetime(2026, 11, 19, 17, 0, tzinfo=ALGERIA_TIME)
    friday, saturday = (dt.datetime(2026, 11, day, 10, 0, tzinfo=ALGERIA_TIME) for day in (20, 21))
    assert not algiers.is_open(friday) and not algiers.is_open(saturday)
    sunday = dt.datetime(2026, 11, 22, 8, 30, tzinfo=ALGERIA_TIME)
    assert algiers.next_opening(thursday_evening) == sunday
    assert algiers.next_opening(saturday).weekday() == 6
    assert algiers.is_open(sunday)


def test_reminders_wait_for_office_hours(quebec_catalog: Catalog) -> None:
    hub = quebec_catalog.hub("hub-01")
    assert hub is not None
    assert quebec_catalog.reminder_after(hub) == dt.timedelta(minutes=60)
    assert quebec_catalog.escalate_after(hub) == dt.timedelta(minutes=240)
    asked = quebec_time(2026, 11, 20, 16, 30)  # Friday
    assert reminder_due(quebec_catalog, hub, asked) == quebec_time(2026, 11, 23, 9, 0)
    morning = quebec_time(2026, 11, 23, 9, 30)
    assert reminder_due(quebec_catalog, hub, morning) == quebec_time(2026, 11, 23, 10, 30)


def test_a_network_without_a_handoff_block_gets_the_defaults(tmp_path: Path) -> None:
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    network = folder / "network.yaml"
    text = network.read_text(encoding="utf-8")
    network.write_text(text[: text.index("handoff:")], encoding="utf-8")
    mini_catalog = load_catalog(folder)
    policy = mini_catalog.handoff_policy
    assert policy.coordination_chat_id is None
    assert policy.reopen_within == dt.timedelta(hours=72)
    assert policy.follow_up_after == dt.timedelta(days=14)
    hub = mini_catalog.hub("hub-01")
    assert hub is not None
    week = schedule_for(mini_catalog, hub)
    assert week.zone == QUEBEC_TIME
    assert week.weekly == (((540, 1020),),) * 5 + ((), ())
    assert schedule_for(mini_catalog, hub) is week


@pytest.mark.parametrize(
    ("locale", "weekday", "time"),
    [
        ("fr_CA", "lundi", "09 h 00"),
        ("en_CA", "Monday", "9:00\u202fa.m."),
        ("ar_DZ", "الاثنين", "9:00 ص"),
    ],
)
def test_an_opening_is_named_in_the_users_language(
    quebec_catalog: Catalog, locale: str, weekday: str, time: str
) -> None:
    opening = schedule(quebec_catalog, "hub-01").next_opening(quebec_time(2026, 11, 13, 17, 30))
    assert opening_parts(opening, locale) == (weekday, time)


def test_an_opening_is_named_in_the_hubs_own_time(quebec_catalog: Catalog) -> None:
    opening = schedule(quebec_catalog, "hub-idm").next_opening(dt.datetime(2026, 11, 14, tzinfo=dt.UTC))
    assert opening_parts(opening, "en_CA") == ("Monday", "9:00\u202fa.m.")


def test_an_opening_skipped_by_the_clock_change_is_the_next_real_instant() -> None:
    night_shift = Schedule(zone=QUEBEC_TIME, weekly=parse_week({"sun": "02:30-04:00"}))
    opening = night_shift.next_opening(quebec_time(2027, 3, 14, 0, 0))  # 2:00 becomes 3:00 that night
    assert opening == dt.datetime(2027, 3, 14, 7, 30, tzinfo=dt.UTC)
    assert (opening.hour, opening.minute) == (3, 30)
