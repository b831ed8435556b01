"""The report as plain numbers: the funnel, response times, transfers, ratings, demand and gaps, for the
network, each hub and each region of a period. Nothing here is hidden yet: `view` applies the "<5" rule.

`gather` asks the storage for three grouped results (bot/storage/reports.py) and `build` turns them into a
`Report`; `build` is a pure function of those results and the catalog, so tests can feed it directly.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from bot.catalog.hours import parse_week
from bot.catalog.model import Catalog
from bot.core.funnel import HELPED, Kind
from bot.core.office_hours import Schedule, schedule_for
from bot.reporting.durations import OpenClock, Seconds, posix
from bot.storage.reports import CountRow, GapCount, Period, Visit

FUNNEL: tuple[tuple[str, Kind], ...] = (
    ("started", Kind.STARTED),
    ("profile_completed", Kind.PROFILE_COMPLETED),
    ("results_shown", Kind.RESULTS_SHOWN),
    ("requested", Kind.REQUESTED),
    ("claimed", Kind.CLAIMED),
    ("answered", Kind.ANSWERED),
    ("closed", Kind.CLOSED),
    ("rated", Kind.RATED),
    ("helped", Kind.FOLLOW_UP),  # only the answers "yes, it helped"
)
"""The funnel's steps, in order: (name in every export, the event kind counted)."""


@dataclass(frozen=True)
class Times:
    """Waits in office hours, in minutes: to the claim and to the first answer, median and 90th percentile."""

    claims: int = 0
    claim_median: float | None = None
    claim_p90: float | None = None
    answers: int = 0
    answer_median: float | None = None
    answer_p90: float | None = None
    unanswered: int = 0  # claimed, then closed or transferred away without an answer from this hub


@dataclass(frozen=True)
class Group:
    """The numbers of the network, one hub or one region (`key`: None for the network, or for the
    events whose hub or region is not known)."""

    key: str | None
    funnel: dict[str, int]
    times: Times = field(default_factory=Times)
    transfers_in: int = 0
    transfers_out: int = 0
    stars: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # how many ratings of 1, 2, 3, 4, 5 stars
    comments: int = 0
    follow_ups: int = 0  # answers to "did it help?" (the funnel's `helped` counts the yeses)
    bans: int = 0  # entrepreneurs banned by the hub's advisors (/ban)

    @property
    def rated(self) -> int:
        return sum(self.stars)

    @property
    def mean_rating(self) -> float | None:
        total = self.rated
        return sum(n * c for n, c in enumerate(self.stars, start=1)) / total if total else None


@dataclass(frozen=True)
class Report:
    """A period's report for one network (maybe narrowed to a hub or a region). Dates are local, inclusive."""

    network: str
    timezone: str
    first_day: dt.date | None
    last_day: dt.date
    hub_id: str | None
    region: str | None
    total: Group
    hubs: tuple[Group, ...]
    regions: tuple[Group, ...]
    demand: tuple[tuple[str, str | None, str | None, int], ...]  # need, region, stage, count
    gaps: tuple[tuple[str | None, str, int], ...]  # region, need, count
    referrals: tuple[tuple[str, int, int, int], ...] = ()  # partner's entry id, sent, accepted, helped


async def gather(
    store: object, catalog: Catalog, period: Period
) -> tuple[list[CountRow], list[Visit], list[GapCount]]:
    """The three grouped results a report is built from."""
    from bot.storage import Store
    from bot.storage.reports import ReportQueries

    assert isinstance(store, Store)
    queries = ReportQueries(store)
    async with store.unit_of_work():  # one transaction: the three results agree
        return await queries.counts(period), await queries.visits(period), await queries.gaps(period)


def build(
    catalog: Catalog,
    period: Period,
    first_day: dt.date | None,
    last_day: dt.date,
    counts: list[CountRow],
    visits: list[Visit],
    gaps: list[GapCount],
) -> Report:
    """The report's numbers from the storage's grouped results."""
    waits = _waits(catalog, visits, period.end)
    hub_order = {hub.id: n for n, hub in enumerate(catalog.hubs)}
    region_order = {term.code: n for n, term in enumerate(catalog.terms("regions"))}

    def groups(key: Callable[[CountRow | Visit], str | None], order: dict[str, int]) -> tuple[Group, ...]:
        rows: dict[str | None, list[CountRow]] = defaultdict(list)
        for row in counts:
            rows[key(row)].append(row)
        chosen: dict[str | None, list[int]] = defaultdict(list)
        for n, visit in enumerate(visits):
            chosen[key(visit)].append(n)
        keys = sorted(
            set(rows) | set(chosen), key=lambda k: (k is None, order.get(k or "", len(order)), k or "")
        )
        return tuple(_group(k, rows[k], waits, chosen[k]) for k in keys)

    demand = Counter[tuple[str, str | None, str | None]]()
    for row in counts:
        if row.kind == Kind.NEED and row.need:
            demand[(row.need, row.region, row.stage)] += row.count
    gap_counts = Counter[tuple[str | None, str]]()
    for gap in gaps:
        gap_counts[(gap.region, gap.need)] += gap.count
    need_order = {term.code: n for n, term in enumerate(catalog.terms("needs"))}
    return Report(
        network=period.network,
        timezone=catalog.network.timezone,
        first_day=first_day,
        last_day=last_day,
        hub_id=period.hub_id,
        region=period.region,
        total=_group(None, counts, waits, range(len(visits))),
        hubs=groups(lambda r: r.hub_id, hub_order),
        regions=groups(lambda r: r.region, region_order),
        demand=tuple(
            (need, region, stage, n)
            for (need, region, stage), n in sorted(
                demand.items(),
                key=lambda item: (
                    need_order.get(item[0][0], 99),
                    region_order.get(item[0][1] or "", 99),
                    item,
                ),
            )
        ),
        gaps=tuple(
            (region, need, n)
            for (region, need), n in sorted(
                gap_counts.items(),
                key=lambda item: (
                    region_order.get(item[0][0] or "", 99),
                    need_order.get(item[0][1], 99),
                    item,
                ),
            )
        ),
    )


@dataclass(frozen=True)
class _Waits:
    """Every visit's waits in office-hours minutes (NaN where there was no claim or answer yet)."""

    claim: Seconds
    answer: Seconds
    unanswered: np.ndarray


def _waits(catalog: Catalog, visits: list[Visit], end: dt.datetime) -> _Waits:
    claim = np.full(len(visits), np.nan)
    answer = np.full(len(visits), np.nan)
    unanswered = np.zeros(len(visits), dtype=bool)
    by_hub: dict[str | None, list[int]] = defaultdict(list)
    for n, visit in enumerate(visits):
        by_hub[visit.hub_id].append(n)
        unanswered[n] = (
            visit.claimed is not None
            and visit.left is not None
            and (visit.answered is None or visit.answered > visit.left)
        )
    for hub_id, indexes in by_hub.items():
        schedule = _schedule(catalog, hub_id)
        chosen = [visits[n] for n in indexes]
        arrivals = [v.arrived for v in chosen]
        later = [t for v in chosen for t in (v.claimed, v.answered) if t is not None]
        first = min(arrivals).astimezone(schedule.zone).date()
        last = max([*arrivals, *later, end]).astimezone(schedule.zone).date()
        clock = OpenClock(schedule, first, last)
        starts = posix(arrivals)
        for target, attribute in ((claim, "claimed"), (answer, "answered")):
            ends = [getattr(v, attribute) for v in chosen]
            known = np.array([e is not None for e in ends])
            stamps = posix([e if e is not None else v.arrived for e, v in zip(ends, chosen, strict=True)])
            minutes = clock.between(starts, stamps) / 60.0
            target[indexes] = np.where(known, minutes, np.nan)
    return _Waits(claim, answer, unanswered)


def _schedule(catalog: Catalog, hub_id: str | None) -> Schedule:
    """The hub's schedule; the network's hours for a hub the catalog no longer has."""
    hub = catalog.hub(hub_id) if hub_id else None
    if hub is not None:
        return schedule_for(catalog, hub)
    return Schedule(catalog.timezone, parse_week(catalog.handoff_policy.office_hours))


def _percentiles(values: Seconds) -> tuple[int, float | None, float | None]:
    known = values[~np.isnan(values)]
    if not len(known):
        return 0, None, None
    median, p90 = np.percentile(known, [50, 90])
    return len(known), float(median), float(p90)


def _group(key: str | None, rows: Iterable[CountRow], waits: _Waits, visits: Iterable[int]) -> Group:
    kinds = Counter[str]()
    stars = [0, 0, 0, 0, 0]
    helped = follow_ups = 0
    for row in rows:
        kinds[row.kind] += row.count
        if row.kind == Kind.RATED and row.value is not None and 1 <= row.value <= 5:
            stars[row.value - 1] += row.count
        if row.kind == Kind.FOLLOW_UP:
            follow_ups += row.count
            helped += row.count if row.value == HELPED["yes"] else 0
    funnel = {name: kinds[kind] for name, kind in FUNNEL}
    funnel["helped"] = helped
    chosen = np.fromiter(visits, dtype=np.int64)
    claims, claim_median, claim_p90 = _percentiles(waits.claim[chosen])
    answers, answer_median, answer_p90 = _percentiles(waits.answer[chosen])
    times = Times(
        claims,
        claim_median,
        claim_p90,
        answers,
        answer_median,
        answer_p90,
        int(waits.unanswered[chosen].sum()),
    )
    return Group(
        key=key,
        funnel=funnel,
        times=times,
        transfers_in=kinds[Kind.TRANSFER_IN],
        transfers_out=kinds[Kind.TRANSFER_OUT],
        stars=(stars[0], stars[1], stars[2], stars[3], stars[4]),
        comments=kinds[Kind.COMMENTED],
        follow_ups=follow_ups,
        bans=kinds[Kind.BANNED],
    )
