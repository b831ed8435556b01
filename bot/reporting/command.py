"""`aiguilleur report`: check the arguments, read the period's numbers, render them, write them.

Bad input (a date that is not one, dates out of order or in the future, an unknown hub or region, an
output that cannot be written) is one clear line on stderr and exit code 2, before anything is read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.catalog.model import Catalog
from bot.reporting.model import Report, build, gather
from bot.storage.reports import Period


class BadInput(Exception):
    """An argument the report cannot use; its message is the line printed."""


@dataclass(frozen=True)
class Request:
    """A checked report request: the period in the network's days and as UTC instants."""

    period: Period
    first_day: dt.date | None
    last_day: dt.date


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} {value!r} is not a date: write YYYY-MM-DD, e.g. 2026-11-01") from None


def _midnight(catalog: Catalog, day: dt.date) -> dt.datetime:
    """The instant a day begins in the network's time zone, in UTC."""
    return dt.datetime.combine(day, dt.time(), tzinfo=catalog.timezone).astimezone(dt.UTC)


def check(
    catalog: Catalog,
    *,
    first: str | None,
    last: str | None,
    hub: str | None,
    region: str | None,
    today: dt.date | None = None,
) -> Request:
    """The period and scope asked for, or `BadInput` saying what is wrong."""
    today = today or catalog.today()
    first_day, last_day = _day(first, "--from"), _day(last, "--to") or today
    zone = catalog.network.timezone
    for option, day in (("--from", first_day), ("--to", last_day)):
        if day is not None and day > today:
            raise BadInput(f"{option} {day} is in the future (today is {today} in {zone})")
    if first_day is not None and first_day > last_day:
        raise BadInput(f"--from {first_day} is after --to {last_day}: the dates are out of order")
    hub_regions: tuple[str, ...] = ()
    if hub is not None:
        found = catalog.hub(hub)
        if found is None:
            known = ", ".join(h.id for h in catalog.hubs)
            raise BadInput(f"unknown hub {hub!r} (known: {known})")
        hub_regions = tuple(found.regions)
    if region is not None and not catalog.has_code("regions", region):
        known = ", ".join(t.code for t in catalog.terms("regions"))
        raise BadInput(f"unknown region {region!r} (known: {known})")
    period = Period(
        network=catalog.network.id,
        start=_midnight(catalog, first_day) if first_day else None,
        end=_midnight(catalog, last_day + dt.timedelta(days=1)),
        hub_id=hub,
        region=region,
        hub_regions=hub_regions,
    )
    return Request(period, first_day, last_day)


def check_output(path: Path | None) -> None:
    """Refuse, before any work, an output file that cannot be written."""
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BadInput(f"cannot write {path}: it is a folder")
    if not folder.is_dir():
        raise BadInput(f"cannot write {path}: the folder {folder} does not exist")
    if (path.exists() and not os.access(path, os.W_OK)) or not os.access(folder, os.W_OK | os.X_OK):
        raise BadInput(f"cannot write {path}: permission denied")


def render(catalog: Catalog, report: Report, form: str, lang: str | None = None) -> str:
    """The report in `form`; text and HTML in `lang` (default: the network's language), CSV and JSON with
    their English machine keys whatever the language."""
    if form == "csv":
        from bot.reporting.exports import to_csv

        return to_csv(report)
    if form == "json":
        from bot.reporting.exports import to_json

        return to_json(report)
    if form == "html":
        from bot.reporting.html import to_html

        lang = lang or catalog.default_language
        return to_html(catalog, report, _translations(lang), lang)
    from bot.reporting.text import render as to_text

    lang = lang or catalog.default_language
    return to_text(catalog, report, _translations(lang), lang)


def _translations(lang: str) -> Callable[[str], str]:
    from bot.i18n import I18n

    return I18n().get(lang).gettext


async def make_report(store: object, catalog: Catalog, request: Request) -> Report:
    from dataclasses import replace

    from bot.storage.referrals import referral_counts

    counts, visits, gaps = await gather(store, catalog, request.period)
    report = build(catalog, request.period, request.first_day, request.last_day, counts, visits, gaps)
    return replace(report, referrals=tuple(await referral_counts(store, request.period)))


async def run(args: argparse.Namespace, catalog: Catalog, database_url: str) -> int:
    """The command itself: 0 when written, 2 on bad input."""
    from bot.storage import Store

    try:
        request = check(catalog, first=args.first, last=args.last, hub=args.hub, region=args.region)
        check_output(args.out)
    except BadInput as exc:
        print(f"aiguilleur report: {exc}", file=sys.stderr)
        return 2
    store = await Store.open(database_url)
    try:
        report = await make_report(store, catalog, request)
    finally:
        await store.close()
    output = render(catalog, report, args.format, getattr(args, "lang", None))
    if args.out is None:
        sys.stdout.write(output)
        return 0
    try:
        args.out.write_text(output, encoding="utf-8")
    except OSError as exc:
        print(f"aiguilleur report: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"{args.out}: {args.format} report written", file=sys.stderr)
    return 0
