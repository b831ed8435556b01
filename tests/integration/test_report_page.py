"""The report's HTML page in a real headless browser (Debian's chromium): every chart shows something.

The page is rendered twice, with data for every chart and with no demand at all, and screenshotted. The test
marks each chart's box with an outline of a colour the page never uses (a style added to the copy it opens,
not to the report), finds the boxes in the screenshot, and counts the pixels that are not background in
each: a chart drawn empty, missing, or broken (a data: URI the browser refuses) falls under the threshold.

Without chromium the test skips, saying so; with CI=true it fails instead (`python3 tasks.py test` installs
chromium when it can). The screenshots are kept in the test's folder for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.catalog.model import Catalog
from bot.reporting.command import check
from bot.reporting.html import to_html
from bot.reporting.model import Report, build
from bot.storage.reports import CountRow, GapCount, Visit
from tests.support.postgres import required

if TYPE_CHECKING:  # imported where used: the test is slow, and every worker collects this module
    from PIL import Image

MARK = (255, 0, 255)  # the outline of each chart's box, added by the test only
CHARTS = ("funnel", "times", "demand", "gaps")
# Non-background pixels of a chart with data (these: 40,000 and more); "No data in this period.": about 800.
INK = 20_000
TEST_STYLE = (
    "<style>figure.chart { outline: 3px solid rgb(255, 0, 255); outline-offset: 2px; }"
    " figure.chart figcaption { visibility: hidden; }</style></head>"
)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    why = "chromium is not installed (apt-get install -y chromium; `python3 tasks.py test` does it as root)"
    if required():
        pytest.fail(f"CI=true and {why}", pytrace=False)
    pytest.skip(why)


def screenshot(browser: str, page: Path, folder: Path) -> Image.Image:
    from PIL import Image

    shot = page.with_suffix(".png")
    profile = folder / f"profile-{page.stem}"
    profile.mkdir()
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            "--window-size=1200,3000",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )
    return Image.open(shot).convert("RGB")


def chart_ink(image: Image.Image) -> list[int]:
    """How many pixels are not background inside each marked box, top to bottom."""
    import numpy as np
    from scipy import ndimage

    pixels = np.asarray(image).astype(np.int16)
    marked = np.all(np.abs(pixels - np.array(MARK)) <= 8, axis=2)
    labels, _count = ndimage.label(marked)
    boxes = sorted(
        (s for s in ndimage.find_objects(labels) if s[0].stop - s[0].start > 40),
        key=lambda s: s[0].start,
    )
    shares = []
    for rows, columns in boxes:
        inside = pixels[rows.start + 8 : rows.stop - 8, columns.start + 8 : columns.stop - 8]
        background = np.all(inside >= 245, axis=2)
        shares.append(int((~background).sum()))
    return shares


def report(catalog: Catalog, *, demand: bool) -> Report:
    request = check(catalog, first=None, last=None, hub=None, region=None, today=dt.date(2026, 12, 1))
    at = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)  # a Tuesday, 10:00 in Québec
    counts = [
        CountRow("started", None, None, None, None, None, 120),
        CountRow("profile_completed", "hub-01", "01", "idea", None, None, 60),
        CountRow("profile_completed", "hub-03", "03", "startup", None, None, 40),
        CountRow("results_shown", "hub-01", "01", "idea", None, None, 55),
        CountRow("requested", "hub-01", "01", "idea", None, None, 24),
        CountRow("requested", "hub-03", "03", "startup", None, None, 12),
        CountRow("claimed", "hub-01", "01", "idea", None, None, 20),
        CountRow("answered", "hub-01", "01", "idea", None, None, 18),
        CountRow("closed", "hub-01", "01", "idea", None, None, 16),
        CountRow("rated", "hub-01", "01", "idea", None, 4, 9),
        CountRow("follow_up", "hub-01", "01", "idea", None, 1, 6),
    ]
    if demand:
        counts += [
            CountRow("need", "hub-01", "01", "idea", "mentoring", None, 30),
            CountRow("need", "hub-01", "01", "idea", "financing", None, 12),
            CountRow("need", "hub-03", "03", "startup", "advice", None, 9),
            CountRow("need", "hub-03", "02", "startup", "advice", None, 3),
        ]
    visits = [
        Visit(hub, region, at, at + dt.timedelta(minutes=m), at + dt.timedelta(minutes=2 * m), None)
        for hub, region, minutes in (("hub-01", "01", range(5, 100, 9)), ("hub-03", "03", range(20, 300, 40)))
        for m in minutes
    ]
    gaps = [GapCount("01", "idea", "advice", 7), GapCount("02", "startup", "financing", 12)]
    return build(catalog, request.period, None, request.last_day, counts, visits, gaps)


@pytest.mark.slow
def test_every_chart_of_the_page_shows_something_in_a_real_browser(
    tmp_path: Path, mini_catalog: Catalog
) -> None:
    browser = chromium()
    shares = {}
    for name, data in (("full", True), ("no-demand", False)):
        page = tmp_path / f"report-{name}.html"
        html = to_html(mini_catalog, report(mini_catalog, demand=data))
        assert "http://" not in html and "https://" not in html  # nothing to fetch: the page is whole
        page.write_text(html.replace("</head>", TEST_STYLE, 1), encoding="utf-8")
        shares[name] = chart_ink(screenshot(browser, page, tmp_path))
    full = dict(zip(CHARTS, shares["full"], strict=True))
    assert all(share >= INK for share in full.values()), f"an empty chart on the page: {full}"
    # The check itself: the chart without data is seen as empty, the others are not.
    without = dict(zip(CHARTS, shares["no-demand"], strict=True))
    assert without["demand"] < INK / 4, without
    assert all(without[name] >= INK for name in CHARTS if name != "demand"), without
