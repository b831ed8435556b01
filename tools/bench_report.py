"""Benchmark: `aiguilleur report` on a seeded synthetic database (100,000 conversations, 20,000 requests),
the new report (text, csv, json, html) beside the report it replaced, on the same database.

The database is seeded once per run with plain SQL (a year of the Québec sample network: the funnel's
events, the handoffs the old report read, coverage gaps and unmet profiles). Each report is timed from
opening the database to the rendered output, in process, 3 times; the median is printed. Targets: under
2 s for text, csv and json, under 5 s for html with its charts.

    .venv/bin/python -m tools.bench_report [conversations] [requests] [runs]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from contextlib import redirect_stdout
from pathlib import Path

from bot.catalog.loader import load_catalog
from bot.catalog.model import Catalog
from bot.core.funnel import HELPED, Kind
from bot.reporting.command import check, make_report, render
from bot.storage import Store

CATALOG = Path(__file__).resolve().parent.parent / "catalog" / "quebec"
TODAY = dt.date(2026, 11, 30)
TARGETS = {"text": 2.0, "csv": 2.0, "json": 2.0, "html": 5.0}


def _at(when: dt.datetime) -> str:
    """SQLite's stored form of a UTC datetime (what SQLAlchemy writes)."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(path: Path, catalog: Catalog, conversations: int, requests: int) -> None:
    """Fill the migrated database at `path` with a year of synthetic, reproducible activity."""
    rng = random.Random(13)
    network = catalog.network.id
    regions = [t.code for t in catalog.terms("regions")]
    stages = [t.code for t in catalog.terms("stages")]
    needs = [t.code for t in catalog.terms("needs")]
    hub_of = {r: (h.id if (h := catalog.hub_for_region(r)) else None) for r in regions}
    zone = catalog.timezone
    end = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    start = end - dt.timedelta(days=365)
    events: list[tuple[object, ...]] = []
    convs, gaps, unmet, handoffs = [], [], [], []
    profiles = []
    for n in range(conversations):
        at = start + dt.timedelta(seconds=rng.uniform(0, 365 * 86400))
        region, stage = rng.choice(regions), rng.choice(stages)
        linked = rng.random() < 0.1
        events.append(
            (
                network,
                Kind.STARTED,
                hub_of[region] if linked else None,
                region if linked else None,
                None,
                None,
                None,
                _at(at),
                None,
            )
        )
        convs.append(
            (n + 1, "fr", "results", stage, None, region, "[]", "{}", hub_of[region], 0, 0, None, _at(at))
        )
        if rng.random() < 0.8:
            done = at + dt.timedelta(minutes=rng.uniform(1, 10))
            chosen = rng.sample(needs, rng.randint(1, 3))
            events.append(
                (network, Kind.PROFILE_COMPLETED, hub_of[region], region, stage, None, None, _at(done), None)
            )
            events.extend(
                (network, Kind.NEED, hub_of[region], region, stage, need, None, _at(done), None)
                for need in chosen
            )
            if rng.random() < 0.9:
                events.append(
                    (network, Kind.RESULTS_SHOWN, hub_of[region], region, stage, None, None, _at(done), None)
                )
            else:
                unmet.append((network, region, stage, None, json.dumps(chosen), _at(done)))
            if rng.random() < 0.15:
                gaps.append((network, region, stage, None, chosen[0], _at(done)))
            profiles.append((done, region, stage))
    for handoff_id in range(1, requests + 1):
        done, region, stage = profiles[rng.randrange(len(profiles))]
        asked = done + dt.timedelta(minutes=rng.uniform(1, 30))
        if rng.random() < 0.8:  # most requests come in during office hours, on a weekday
            local = asked.astimezone(zone)
            day = local.date() + dt.timedelta(days=max(0, local.weekday() - 4) and 7 - local.weekday())
            at_work = dt.datetime.combine(day, dt.time(rng.choice((9, 10, 11, 13, 14, 15, 16))), tzinfo=zone)
            asked = at_work + dt.timedelta(minutes=rng.uniform(0, 59))
        hub = hub_of[region]
        row = {"claimed": None, "rating": None, "helped": None, "closed": None}

        def event(kind: Kind, when: dt.datetime, value: int | None = None, at_hub: str | None = hub) -> None:
            events.append((network, kind, at_hub, region, stage, None, value, _at(when), handoff_id))  # noqa: B023

        event(Kind.REQUESTED, asked)
        if rng.random() < 0.9:
            claimed = asked + dt.timedelta(minutes=rng.expovariate(1 / 90))
            row["claimed"] = claimed
            event(Kind.CLAIMED, claimed)
            if rng.random() < 0.92:
                event(Kind.ANSWERED, claimed + dt.timedelta(minutes=rng.expovariate(1 / 30)))
        if rng.random() < 0.03:
            other = hub_of[rng.choice(regions)]
            moved = asked + dt.timedelta(hours=rng.uniform(1, 48))
            event(Kind.TRANSFER_OUT, moved)
            event(Kind.TRANSFER_IN, moved, at_hub=other)
            hub = other
        if rng.random() < 0.95:
            closed = asked + dt.timedelta(hours=rng.uniform(2, 120))
            row["closed"] = closed
            event(Kind.CLOSED, closed)
            if rng.random() < 0.5:
                row["rating"] = rng.choice((3, 4, 4, 5, 5, 2, 1))
                event(Kind.RATED, closed, value=row["rating"])
                if rng.random() < 0.3:
                    event(Kind.COMMENTED, closed)
            if rng.random() < 0.4:
                row["helped"] = rng.choice(("yes", "yes", "no", "adv"))
                event(Kind.FOLLOW_UP, closed + dt.timedelta(days=14), value=HELPED[row["helped"]])
        handoffs.append(
            (
                handoff_id,
                rng.randrange(1, conversations + 1),
                hub,
                -1001000000000 - regions.index(region),
                "closed" if row["closed"] else "claimed" if row["claimed"] else "waiting",
                "fr",
                "(synthetic question)",
                "",
                "{}",
                "[]",
                0,
                _at(asked),
                _at(row["closed"]) if row["closed"] else None,
                _at(row["claimed"]) if row["claimed"] else None,
                0,
                0,
                row["rating"],
                row["helped"],
            )
        )
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO funnel_event (network, kind, hub_id, region, stage, need, value, at, handoff_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(e[0], str(e[1]), *e[2:]) for e in events],
        )
        db.executemany(
            "INSERT INTO conversation (chat_id, lang, step, stage, sector, region, needs, profile, hub_id, page, "
            "editing, handoff_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            convs,
        )
        db.executemany(
            "INSERT INTO handoff (id, user_chat_id, hub_id, hub_chat_id, status, lang, question, first_name, "
            "profile, matches, advisor_replied, created_at, closed_at, claimed_at, reminders, acked, rating, "
            "helped) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            handoffs,
        )
        db.executemany(
            "INSERT INTO coverage_gap (network, region, stage, sector, need, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            gaps,
        )
        db.executemany(
            "INSERT INTO unmet_request (network, region, stage, sector, needs, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            unmet,
        )
    print(
        f"seeded {conversations:,} conversations, {requests:,} requests: {len(events):,} funnel events, "
        f"{len(gaps):,} gaps, {len(unmet):,} unmet profiles"
    )


async def legacy_report(url: str, catalog: Catalog) -> str:
    """The report this one replaced (bot/cli.py before issue 13), kept here to be measured beside it: every
    handoff loaded as a row, waits in wall-clock minutes, all time, all networks."""
    from bot.core.gaps import gap_table

    store = await Store.open(url)
    try:
        profiles = await store.unmet_requests(network=catalog.network.id)
        handoffs = await store.handoff_outcomes()
        gaps = await store.coverage_gaps(network=catalog.network.id)
    finally:
        await store.close()
    out = io.StringIO()
    with redirect_stdout(out):
        lang = catalog.default_language
        print(f"{len(handoffs)} requests to advisors")
        for hub in catalog.hubs:
            mine = [h for h in handoffs if h.hub_id == hub.id]
            if not mine:
                continue
            waits = [
                (h.claimed_at - h.created_at).total_seconds() / 60
                for h in mine
                if h.claimed_at and h.created_at
            ]
            ratings = [h.rating for h in mine if h.rating]
            helped = [h.helped for h in mine if h.helped in ("yes", "no")]
            parts = [f"{len(mine)} requests", f"{len(waits)} taken"]
            if waits:
                parts.append(f"median wait {statistics.median(waits):.0f} min")
            if ratings:
                parts.append(f"rated {statistics.mean(ratings):.1f}/5 ({len(ratings)})")
            if helped:
                parts.append(f"helped {helped.count('yes')}/{len(helped)}")
            print(f"  {catalog.text(hub.name, lang)}: " + ", ".join(parts))
        for line in gap_table(catalog, gaps):
            print(line)
        print(f"{len(profiles)} requests found nothing in {catalog.directory}")
        for title, values in (
            ("region", [p.region for p in profiles]),
            ("need", [n for p in profiles for n in p.needs]),
        ):
            counts = Counter(v for v in values if v)
            print(f"  by {title}: " + ", ".join(f"{code} {n}" for code, n in counts.most_common()))
    return out.getvalue()


async def new_report(url: str, catalog: Catalog, form: str) -> str:
    request = check(catalog, first=None, last=None, hub=None, region=None, today=TODAY)
    store = await Store.open(url)
    try:
        report = await make_report(store, catalog, request)
    finally:
        await store.close()
    return render(catalog, report, form)


async def migrate(url: str) -> None:
    await (await Store.open(url)).close()


def timed(run: object, runs: int) -> tuple[float, str]:
    times, output = [], ""
    for _ in range(runs):
        begin = time.perf_counter()
        output = asyncio.run(run())  # type: ignore[operator]
        times.append(time.perf_counter() - begin)
    return statistics.median(times), output


def main(argv: list[str]) -> int:
    conversations = int(argv[0]) if argv else 100_000
    requests = int(argv[1]) if len(argv) > 1 else 20_000
    runs = int(argv[2]) if len(argv) > 2 else 3
    catalog = load_catalog(CATALOG)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.db"
        url = f"sqlite+aiosqlite:///{path}"
        asyncio.run(migrate(url))
        seed(path, catalog, conversations, requests)
        old, _ = timed(lambda: legacy_report(url, catalog), runs)
        print(f"report (median of {runs})      seconds   target   vs the old report")
        print(f"  old report (text)            {old:7.2f}        -")
        failed = False
        for form, target in TARGETS.items():
            seconds, output = timed(lambda form=form: new_report(url, catalog, form), runs)
            failed |= seconds > target
            print(
                f"  new report --format {form:<5}    {seconds:7.2f}   {target:4.1f} s   {seconds / old:5.2f}x"
                f"   ({len(output) / 1024:,.0f} KiB)"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
