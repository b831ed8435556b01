"""The report's numbers without a database: waits in office hours, and the "<5" rule in every export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest

from bot.catalog.hours import parse_week
from bot.catalog.model import Catalog
from bot.core.office_hours import Schedule
from bot.reporting.command import check
from bot.reporting.durations import office_seconds
from bot.reporting.exports import to_csv, to_json
from bot.reporting.html import to_html
from bot.reporting.model import Report, build
from bot.reporting.text import render
from bot.storage.reports import CountRow, GapCount, Visit

MONTREAL = ZoneInfo("America/Toronto")
WEEK = Schedule(MONTREAL, parse_week({"mon-fri": "09:00-12:00, 13:00-17:00"}))


def local(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=MONTREAL)


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        (
            local(2026, 11, 27, 18, 0),
            local(2026, 11, 30, 9, 30),
            30,
        ),  # Friday evening: the weekend is not a wait
        (local(2026, 11, 24, 11, 30), local(2026, 11, 24, 13, 30), 60),  # the lunch break is not either
        (local(2026, 11, 24, 10, 0), local(2026, 11, 25, 10, 0), 420),  # a working day later: 7 hours
        (local(2026, 11, 28, 10, 0), local(2026, 11, 28, 15, 0), 0),  # asked and claimed on a Saturday
        (local(2026, 3, 6, 16, 0), local(2026, 3, 9, 10, 0), 120),  # across the change to summer time
        (local(2026, 11, 24, 15, 0), local(2026, 11, 24, 14, 0), 0),  # an end before its start
    ],
)
def test_waits_count_only_office_hours(start: dt.datetime, end: dt.datetime, minutes: int) -> None:
    assert office_seconds(WEEK, start, end) / 60 == pytest.approx(minutes)


def small_report(catalog: Catalog) -> Report:
    """Three requests at one hub (too few to show their waits), twelve profiles, two of one gap."""
    request = check(catalog, first=None, last="2026-11-30", hub=None, region=None, today=dt.date(2026, 12, 1))
    at = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
    counts = [
        CountRow("started", None, None, None, None, None, 12),
        CountRow("profile_completed", "hub-01", "01", "idea", None, None, 12),
        CountRow("need", "hub-01", "01", "idea", "mentoring", None, 7),
        CountRow("need", "hub-01", "01", "idea", "advice", None, 3),
        CountRow("requested", "hub-01", "01", "idea", None, None, 3),
        CountRow("claimed", "hub-01", "01", "idea", None, None, 3),
        CountRow("rated", "hub-01", "01", "idea", None, 5, 2),
    ]
    visits = [Visit("hub-01", "01", at, at + dt.timedelta(minutes=m), None, None) for m in (5, 10, 15)]
    gaps = [GapCount("01", "idea", "advice", 2)]
    return build(catalog, request.period, None, request.last_day, counts, visits, gaps)


def test_every_export_hides_counts_under_five_and_keeps_zero(mini_catalog: Catalog) -> None:
    report = small_report(mini_catalog)
    assert report.total.times.claim_median == 10.0  # known, but from 3 requests only

    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    funnel = {r["metric"]: r["value"] for r in rows if r["section"] == "funnel"}
    assert funnel["started"] == "12" and funnel["requested"] == "<5" and funnel["answered"] == "0"
    times = next(r for r in rows if r["section"] == "hub_times" and r["metric"] == "claim_median_min")
    assert times["hub"] == "hub-01" and times["value"] == "<5"
    demand = {(r["need"], r["value"]) for r in rows if r["section"] == "demand"}
    assert demand == {("mentoring", "7"), ("advice", "<5")}
    assert [r["value"] for r in rows if r["section"] == "gaps"] == ["<5"]

    data = json.loads(to_json(report))
    assert data["period"] == {
        "network": "mini",
        "from": "the beginning",
        "to": "2026-11-30",
        "timezone": "America/Toronto",
    }
    hub = data["sections"]["hub_times"][0]
    assert (hub["hub"], hub["claims"], hub["claim_median_min"], hub["mean_rating"]) == (
        "hub-01",
        "<5",
        "<5",
        "<5",
    )

    text = render(mini_catalog, report)
    assert "10 min" not in text and "5.00" not in text
    line = next(line for line in text.splitlines() if line.strip().startswith("requests to an advisor"))
    assert line.split()[-1] == "<5"

    page = to_html(mini_catalog, report)
    assert ">&lt;5</td>" in page and "10 min" not in page


def test_the_page_is_self_contained(mini_catalog: Catalog) -> None:
    page = to_html(mini_catalog, small_report(mini_catalog))
    assert "default-src 'none'" in page and "<script" not in page
    assert "http://" not in page and "https://" not in page
    assert page.count('src="data:image/png;base64,') == 4  # waits of fewer than 5 are drawn as "<5"
    request = check(mini_catalog, first=None, last=None, hub=None, region=None, today=dt.date(2026, 12, 1))
    empty = to_html(mini_catalog, build(mini_catalog, request.period, None, request.last_day, [], [], []))
    assert "data:image" not in empty
    assert empty.count('<p class="none">No data in this period.</p>') == 4


def test_the_digest_is_due_on_the_first_working_day_of_the_month_from_its_hour(mini_catalog: Catalog) -> None:
    from dataclasses import replace

    from bot.catalog.schema import DigestPolicy
    from bot.reporting.digest import Month, due

    assert due(mini_catalog, dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)) is None, "off by default"
    network = mini_catalog.network.model_copy(update={"digest": DigestPolicy(enabled=True, hour=9)})
    catalog = replace(mini_catalog, network=network)
    assert due(catalog, local(2026, 12, 1, 9, 0)) == Month(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert due(catalog, local(2026, 12, 1, 8, 59)) is None, "before the hour"
    assert due(catalog, local(2026, 12, 2, 9, 0)) is None, "the second working day"
    # August 2026 begins on a Saturday: its first working day is Monday the 3rd.
    assert due(catalog, local(2026, 8, 1, 10, 0)) is None
    assert due(catalog, local(2026, 8, 3, 10, 0)) == Month(dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    assert due(catalog, local(2027, 1, 1, 23, 30)) == Month(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert Month.parse("2026-02") == Month(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert Month.parse("2026-13") is None and Month.parse("soon") is None


def test_arabic_chart_text_is_joined_and_in_visual_order() -> None:
    from bot.reporting.charts import shaped

    assert shaped("people (unknown)") == "people (unknown)"  # no Arabic: untouched
    drawn = shaped("أشخاص")
    # Contextual forms (Arabic Presentation Forms-B), last letter first: what matplotlib must draw left to right.
    assert drawn == "\ufeb9\ufe8e\ufea8\ufeb7\ufe83"
