"""The report as tables of cells, where the "<5" rule is applied once for every export.

A count from 1 to 4 becomes "<5" (small counts identify people); so does a statistic computed from fewer
than 5 values (a median wait, a mean rating). Zero stays 0: it identifies nobody. Text, CSV, JSON, HTML
and the charts all render these sections, never the raw `Report`, so none of them can show a small count.
Keys are codes (hub ids, region, need and stage codes, step names); `label` names them for people.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.catalog.model import Catalog
from bot.reporting.model import FUNNEL, Group, Report

SMALL = 5
HIDDEN = "<5"
TOTAL = "*"  # the key of a table's last row: the whole scope (network, or the hub or region asked for)

Cell = int | float | str | None
Row = tuple[tuple[str | None, ...], tuple[Cell, ...]]


Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a string for extraction: the renderers translate it where it is shown (CSV and JSON never do)."""
    return message


def same(message: str) -> str:
    """No translation: the English source text (the CSV and JSON exports, the tests)."""
    return message


KEY_NAMES = {
    "step": N_("step"),
    "hub": N_("hub"),
    "region": N_("region"),
    "need": N_("need"),
    "stage": N_("stage"),
    "stars": N_("stars"),
    "partner": N_("partner"),
}
"""The key columns' headings for people; `key_name` translates them."""
PERIOD_NAMES = {
    "network": N_("network"),
    "from": N_("from"),
    "to": N_("to"),
    "timezone": N_("time zone"),
    "hub": N_("hub"),
    "region": N_("region"),
}


STEP_LABELS = {
    "started": N_("conversations started"),
    "profile_completed": N_("profiles completed"),
    "results_shown": N_("results shown"),
    "requested": N_("requests to an advisor"),
    "claimed": N_("claimed"),
    "answered": N_("answered"),
    "closed": N_("closed"),
    "rated": N_("rated"),
    "helped": N_("follow-ups: it helped"),
}
TIME_COLUMNS = (
    "claims",
    "claim_median_min",
    "claim_p90_min",
    "answers",
    "answer_median_min",
    "answer_p90_min",
    "claimed_unanswered",
    "transfers_in",
    "transfers_out",
    "rated",
    "mean_rating",
    "comments",
    "follow_ups",
)


def count(n: int) -> int | str:
    """A count of people: "<5" from 1 to 4."""
    return HIDDEN if 0 < n < SMALL else n


def statistic(value: float | None, people: int, digits: int = 1) -> float | str | None:
    """A median, percentile or mean: "<5" when it comes from fewer than 5 people, None when from none."""
    if value is None or people == 0:
        return None
    return HIDDEN if people < SMALL else round(value, digits)


@dataclass(frozen=True)
class Section:
    """One table: `keys` name the key columns (hub, region, need, stage, step, stars), `columns` the values.
    `title` is the English source text: a renderer for people shows it through gettext."""

    name: str
    title: str
    keys: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def _funnel_cells(group: Group) -> tuple[Cell, ...]:
    return tuple(count(group.funnel[name]) for name, _kind in FUNNEL)


def _time_cells(group: Group) -> tuple[Cell, ...]:
    t = group.times
    return (
        count(t.claims),
        statistic(t.claim_median, t.claims),
        statistic(t.claim_p90, t.claims),
        count(t.answers),
        statistic(t.answer_median, t.answers),
        statistic(t.answer_p90, t.answers),
        count(t.unanswered),
        count(group.transfers_in),
        count(group.transfers_out),
        count(group.rated),
        statistic(group.mean_rating, group.rated, 2),
        count(group.comments),
        count(group.follow_ups),
    )


def _timed(groups: tuple[Group, ...]) -> tuple[Row, ...]:
    """The time rows of groups that had any request (and the total's, always)."""
    rows = (((g.key,), _time_cells(g)) for g in groups)
    return tuple(row for row in rows if row[0][0] == TOTAL or any(row[1]))


def sections(report: Report) -> list[Section]:
    """Every table of the report, in reading order."""
    steps = tuple(name for name, _kind in FUNNEL)
    total = report.total
    by_hub = (*report.hubs, _as_total(total))
    by_region = (*report.regions, _as_total(total))
    stars = tuple(((str(n),), (count(c),)) for n, c in enumerate(total.stars, start=1))
    return [
        Section(
            "funnel",
            N_("Funnel"),
            ("step",),
            ("count",),
            tuple(((name,), (count(total.funnel[name]),)) for name in steps),
        ),
        Section(
            "hub_funnel",
            N_("Funnel per hub"),
            ("hub",),
            steps,
            tuple(((g.key,), _funnel_cells(g)) for g in by_hub),
        ),
        Section(
            "hub_times",
            N_("Response times (office hours, minutes), transfers and ratings per hub"),
            ("hub",),
            TIME_COLUMNS,
            _timed(by_hub),
        ),
        Section(
            "region_funnel",
            N_("Funnel per region"),
            ("region",),
            steps,
            tuple(((g.key,), _funnel_cells(g)) for g in by_region),
        ),
        Section(
            "region_times",
            N_("Response times (office hours, minutes), transfers and ratings per region"),
            ("region",),
            TIME_COLUMNS,
            _timed(by_region),
        ),
        Section(
            "ratings",
            N_("Ratings (stars) and comments"),
            ("stars",),
            ("count",),
            (*stars, (("comments",), (count(total.comments),))),
        ),
        Section(
            "bans",
            N_("Bans per hub (/ban)"),
            ("hub",),
            ("bans",),
            tuple(((g.key,), (count(g.bans),)) for g in by_hub if g.bans or g.key == TOTAL),
        ),
        Section(
            "referrals",
            N_("Referrals to partners (Put me in touch), per catalog entry"),
            ("partner",),
            ("sent", "accepted", "helped"),
            tuple(((entry,), (count(s), count(a), count(h))) for entry, s, a, h in report.referrals),
        ),
        Section(
            "demand",
            N_("Demand: needs stated, per region and stage"),
            ("need", "region", "stage"),
            ("count",),
            tuple(((need, region, stage), (count(n),)) for need, region, stage, n in report.demand),
        ),
        Section(
            "gaps",
            N_("Gaps: needs nothing covered, per region"),
            ("region", "need"),
            ("count",),
            tuple(((region, need), (count(n),)) for region, need, n in report.gaps),
        ),
    ]


def _as_total(group: Group) -> Group:
    from dataclasses import replace

    return replace(group, key=TOTAL)


def key_name(key: str, _: Gettext = same) -> str:
    """A key column's heading for people."""
    return _(KEY_NAMES[key]) if key in KEY_NAMES else key


def label(catalog: Catalog, key: str, code: str | None, _: Gettext = same, lang: str | None = None) -> str:
    """A key's name for people: a hub's name, a code's label, a step's words; "(unknown)" for None. The
    catalog's names in `lang` (default: the network's language), the report's own words through `_`."""
    lang = lang or catalog.default_language
    if code is None:
        return _("(unknown)")
    if code == TOTAL:
        return _("all")
    if key == "hub":
        hub = catalog.hub(code)
        return catalog.text(hub.name, lang) if hub else code
    if key in ("region", "need", "stage"):
        return catalog.label(f"{key}s", code, lang)
    if key == "step":
        return _(STEP_LABELS[code]) if code in STEP_LABELS else code
    if key == "stars" and code == "comments":
        return _("comments")
    return code


def minutes(value: Cell, _: Gettext = same) -> str:
    """A wait for people: '45 min', '2 h 05', '3 d 4 h' (in the reader's language); other cells as they are."""
    if not isinstance(value, float | int) or isinstance(value, bool):
        return "—" if value is None else str(value)
    whole = round(value)
    if whole < 60:
        return _("{minutes} min").format(minutes=whole)
    hours, rest = divmod(whole, 60)
    if hours < 24:
        return _("{hours} h {minutes}").format(hours=hours, minutes=f"{rest:02d}")
    return _("{days} d {hours} h").format(days=hours // 24, hours=hours % 24)


def period_lines(report: Report, _: Gettext | None = None) -> list[tuple[str, str]]:
    """What the report covers, as (name, value) pairs: network, dates, time zone, scope. The names are
    machine keys; with `_`, they (and "the beginning") are words for people in that language."""
    if _ is not None:
        start = None if report.first_day else "from"  # "the beginning" is a word, not a date
        return [(_(PERIOD_NAMES[n]), _(v) if n == start else v) for n, v in period_lines(report)]
    first = report.first_day.isoformat() if report.first_day else N_("the beginning")
    pairs = [
        ("network", report.network),
        ("from", first),
        ("to", report.last_day.isoformat()),
        ("timezone", report.timezone),
    ]
    if report.hub_id:
        pairs.append(("hub", report.hub_id))
    if report.region:
        pairs.append(("region", report.region))
    return pairs
