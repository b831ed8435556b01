"""Matching a profile against the catalog: hard filters first, then a need-first ranking that explains itself.

Hard filters are what the entrepreneur must never see broken: an entry outside their region, stage or
sectors (or, once they named their town, serving another part of their region), an opportunity past its
deadline, or one whose criteria (age band, target groups, legal form, company size) exclude them. A criterion the profile has not answered does not exclude: the entry stays,
ranked as a "maybe", and its reason says the condition ("if you are 18 to 39").

The ranking (docs/matching.md):
1. entries that cover at least one stated need come first;
2. then fit points, the sum of what makes the entry right for this person (`WEIGHTS`): how well it covers
   the stated needs (each further need it covers; a stated need being its main purpose, the first of its
   `needs`) and how specific it is to them (a target group, a youth or senior age band, or one or two legal
   forms or sizes that are theirs; limited to at most half of the sectors, theirs among them; local, listing
   at most a third of the network's regions, theirs among them, and local twice over when it serves part of
   its region, the person's town among it, but not local while their town is unknown); an opportunity
   costs a point against an
   entry that is open any day, and each selective criterion still unanswered costs as much as a specialty
   earns (a specialist you may not be eligible for is a "maybe");
3. between equal points, an entry whose main purpose is the need the person named first (what they came
   for: the first need typed or ticked);
4. the user's own region before network-wide entries;
5. the nearest deadline; then the id, so the order is stable.
A stated need that no eligible entry covers genuinely is a gap: `Ranking.uncovered` names it, the dialogue
admits it, and it is recorded for the network's report. An entry covers a need genuinely when the need is
its main purpose, or when it is specific to the person (local, their sector, a criterion of theirs); a
generic entry that lists the need after another purpose only covers it in passing, as "the closest".

For speed at network scale (10,000 entries), each entry is reduced once per catalog to integers (a bit per
code, its deadline as an ordinal, its fixed points) and bucketed by (region, stage); a query scores only the
entries of the user's region plus the network-wide ones, and builds reasons only for the results shown.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from bot.catalog.model import Catalog, Entry
from bot.core.fit import (
    WEIGHTS,
    Match,
    Reason,
    eligible,
    explain,
    first_need,
    fit_points,
    is_local,
    narrow,
    open_criteria,
    selective,
    selective_age,
    serves_town,
)
from bot.core.types import Profile
from bot.normalize import fold

# The plain rules live in bot/core/fit.py; they are named here too, where callers look for matching.
__all__ = [
    "Match",
    "Reason",
    "eligible",
    "explain",
    "first_need",
    "fit_points",
    "is_local",
    "match",
    "narrow",
    "open_criteria",
    "prepare_index",
    "rank",
    "selective",
    "selective_age",
    "serves_town",
    "top",
]

NO_DEADLINE = 10**9
NO_AGE = -1


@dataclass(frozen=True)
class _Criteria:
    """Who an entry is reserved for, as integers; most entries have none (and carry None instead).

    A mask is 0 when the entry sets no such criterion; `selective` says which criteria narrow the
    audience enough to count as a specialty (and, while unanswered, as a "maybe")."""

    groups: int
    legal_forms: int
    sizes: int
    age_min: int
    age_max: int
    age_selective: bool
    legal_forms_selective: bool
    sizes_selective: bool


# The rank as one integer, ordered like the lexicographic key: covers a stated need x COVERED_UNIT, then
# (fit points + POINTS_OFFSET) x UNIT, then FIRST_NEED when the entry's main need is the person's first
# need, then 1 for the user's own region. Points stay within +-127.
UNIT = 4
FIRST_NEED = 2
COVERED_UNIT = 1 << 10
POINTS_OFFSET = 1 << 7
SCALED = {name: weight * UNIT for name, weight in WEIGHTS.items()}

# An entry as integers, for the hot loop: (sectors mask, needs mask, main-need bit, deadline ordinal, id,
# position, fixed rank part, special: points when it matches a sector << 1 | 1 when local, criteria or None,
# the folded names of its `places` or None when it serves its regions whole).
_Packed = tuple[int, int, int, int, str, int, int, int, "_Criteria | None", "frozenset[str] | None"]
RankKey = tuple[int, int, str, int]  # (minus the rank, deadline, id, position): sorted ascending


class MatchIndex:
    """Per-catalog precomputation: code bits, and packed entries bucketed by (region, stage).

    A bucket holds the entries of one region (or the network-wide ones, region "") that admit one stage
    (or any stage, stage ""), so the stage filter and most of the region filter cost nothing per query.
    """

    DIMS = ("stages", "sectors", "needs", "groups", "legal_forms", "sizes")

    def __init__(self, catalog: Catalog) -> None:
        self.entries = catalog.entries  # not the catalog itself: no reference cycle (see catalog/reload.py)
        self.bits = {dim: {t.code: 1 << n for n, t in enumerate(catalog.terms(dim))} for dim in self.DIMS}
        self.counts = {dim: len(catalog.terms(dim)) for dim in (*self.DIMS, "regions")}
        self.buckets: dict[tuple[str, str], list[_Packed]] = {}
        stage_bits = [("", 0), *self.bits["stages"].items()]
        for position, entry in enumerate(catalog.entries):
            packed = self._pack(entry, position)
            stages = self.mask("stages", entry.stages)
            for region in entry.regions or [""]:
                for stage, bit in stage_bits:
                    if not bit or not stages or stages & bit:
                        self.buckets.setdefault((region, stage), []).append(packed)

    def _pack(self, entry: Entry, position: int) -> _Packed:
        deadline = entry.deadline if entry.kind == "opportunity" else None
        criteria = None
        if entry.groups or entry.age or entry.legal_forms or entry.sizes:
            age = entry.age
            chosen = selective(entry)
            criteria = _Criteria(
                self.mask("groups", entry.groups),
                self.mask("legal_forms", entry.legal_forms),
                self.mask("sizes", entry.sizes),
                age.min if age and age.min is not None else NO_AGE,
                age.max if age and age.max is not None else NO_AGE,
                "age" in chosen,
                "legal_form" in chosen,
                "size" in chosen,
            )
        local = is_local(entry, self.counts["regions"])
        fixed = POINTS_OFFSET * UNIT + (1 if entry.regions else 0)  # the own-region bit: only its pool has it
        places = frozenset(fold(place) for place in entry.places) if entry.places else None
        fixed += SCALED["local"] if local and places is None else 0  # part of a region: see `rank`
        fixed += SCALED["opportunity"] if deadline else 0
        main = self.bits["needs"].get(entry.needs[0], 0) if entry.needs else 0
        return (
            self.mask("sectors", entry.sectors),
            self.mask("needs", entry.needs),
            main,
            deadline.toordinal() if deadline else NO_DEADLINE,
            entry.id,
            position,
            fixed,
            (SCALED["sector"] if narrow(entry.sectors, self.counts["sectors"]) else 0) << 1 | local,
            criteria,
            places,
        )

    def mask(self, dimension: str, codes: Iterable[str]) -> int:
        bits = self.bits[dimension]
        return sum(bits.get(code, 0) for code in set(codes))

    def rank(self, profile: Profile, today: dt.date) -> Ranking:
        """Every eligible entry with its rank key, and the stated needs none of them covers genuinely.

        The key packs the lexicographic order into one integer (covers a need, fit points, the person's
        first need, own region), so
        that the loop over thousands of entries stays cheap."""
        query = _Query(self, profile, today)
        region = profile.region or ""
        pools = (self.buckets.get((region, query.stage_key), ()),) if region else ()
        keyed: list[RankKey] = []
        day, sectors, needs, first, town = query.day, query.sectors, query.needs, query.first, query.town
        in_town = SCALED["local"] + SCALED["town"]
        missing = needs  # the stated needs no entry has covered genuinely yet
        extra, main_pts, unknown, covered_unit = (
            SCALED["extra_need"],
            SCALED["main_need"],
            SCALED["unknown"],
            COVERED_UNIT,
        )
        for pool in (*pools, self.buckets.get(("", query.stage_key), ())):
            for e_sectors, e_needs, main, deadline, entry_id, pos, fixed, special, criteria, area in pool:
                if deadline < day:
                    continue
                points = fixed
                if area is not None and town:  # part of a region: local for a town it serves, else out
                    if town not in area:
                        continue
                    points += in_town
                if e_sectors:  # limited to some sectors: a specialist of theirs, or a "maybe" while unknown
                    if not sectors:
                        points += unknown
                    elif e_sectors & sectors:
                        points += special >> 1
                    else:
                        continue
                if criteria is not None:
                    fit = query.fit(criteria)
                    if fit is None:
                        continue
                    points += fit
                covered = e_needs & needs
                if covered:
                    points += covered_unit
                    if covered & (covered - 1):
                        points += (covered.bit_count() - 1) * extra
                    if main & needs:
                        points += main_pts
                        if main & first:  # what the person came for: first among equal points
                            points += FIRST_NEED
                    if covered & missing:  # genuinely: its main need, or any need if specific to the person
                        if (
                            special & 1
                            or (sectors and special > 1)
                            or (criteria is not None and query.specific)
                        ):
                            missing &= ~covered
                        else:
                            missing &= ~main
                keyed.append((-points, deadline, entry_id, pos))
        uncovered = tuple(n for n in profile.needs if self.bits["needs"].get(n, 0) & missing)
        return Ranking(self.entries, keyed, uncovered)


class _Query:
    """One profile as integers, and how an entry's criteria fit it."""

    def __init__(self, index: MatchIndex, profile: Profile, today: dt.date) -> None:
        bits = index.bits
        self.stage_key = profile.stage if profile.stage in bits["stages"] else ""
        self.sectors = index.mask("sectors", profile.sectors)
        self.needs = index.mask("needs", profile.needs)
        self.first = bits["needs"].get(profile.needs[0], 0) if profile.needs else 0
        self.town = fold(profile.town) if profile.town else ""
        self.groups = None if profile.groups is None else index.mask("groups", profile.groups)
        self.legal_form = bits["legal_forms"].get(profile.legal_form or "", 0)
        self.size = bits["sizes"].get(profile.size or "", 0)
        self.age = profile.age
        self.day = today.toordinal()
        self.specific = False  # set by `fit`: whether the last criteria fitted made a specialist

    def fit(self, c: _Criteria) -> int | None:
        """None when a criterion excludes the person; else rank points: each selective criterion known to
        hold is a specialty (and `specific` says whether there was one), each one unanswered a "maybe" that
        cancels one."""
        points = 0
        specific = False
        if c.groups:  # a target group is always selective
            if self.groups is None:
                points += SCALED["unknown"]
            elif not c.groups & self.groups:
                return None
            else:
                points += SCALED["group"]
                specific = True
        if c.age_min != NO_AGE or c.age_max != NO_AGE:
            if self.age is None:
                points += SCALED["unknown"] if c.age_selective else 0
            elif (c.age_min != NO_AGE and self.age < c.age_min) or (
                c.age_max != NO_AGE and self.age > c.age_max
            ):
                return None
            elif c.age_selective:  # a youth program for a young founder: a target group
                points += SCALED["group"]
                specific = True
        for mask, mine, narrows, weight in (
            (c.legal_forms, self.legal_form, c.legal_forms_selective, SCALED["legal_form"]),
            (c.sizes, self.size, c.sizes_selective, SCALED["size"]),
        ):
            if mask:
                if not mine:
                    points += SCALED["unknown"] if narrows else 0
                elif not mask & mine:
                    return None
                elif narrows:
                    points += weight
                    specific = True
        self.specific = specific
        return points


class Ranking:
    """The eligible entries of one query, best first on demand, and the needs nothing covers."""

    def __init__(self, entries: tuple[Entry, ...], keyed: list[RankKey], uncovered: tuple[str, ...]):
        self._entries = entries
        self._keyed = keyed
        self.uncovered = uncovered

    @property
    def total(self) -> int:
        return len(self._keyed)

    @property
    def covering(self) -> int:
        """How many eligible entries cover at least one stated need (they all come first)."""
        return sum(1 for key in self._keyed if -key[0] >= COVERED_UNIT)

    def best(self, count: int | None = None) -> list[Entry]:
        """The best `count` entries (all when None), best first; ties broken by id."""
        ordered = sorted(self._keyed) if count is None else heapq.nsmallest(count, self._keyed)
        return [self._entries[key[3]] for key in ordered]


def prepare_index(catalog: Catalog) -> None:
    """Build the matching index now (a reload does it in its worker, not on the event loop)."""
    _index(catalog)


def _index(catalog: Catalog) -> MatchIndex:
    """One index per catalog object, built on first use; a reloaded catalog gets its own."""
    index: MatchIndex = catalog.__dict__.get("_match_index") or catalog.__dict__.setdefault(
        "_match_index", MatchIndex(catalog)
    )
    return index


def rank(catalog: Catalog, profile: Profile, *, today: dt.date | None = None) -> Ranking:
    """Every eligible entry, ranked (best first on demand), and the stated needs nothing covers."""
    return _index(catalog).rank(profile, today or catalog.today())


def top(
    catalog: Catalog, profile: Profile, *, today: dt.date | None = None, count: int | None = None
) -> tuple[int, list[Entry]]:
    """How many entries fit, and the best `count` of them (all without `count`), best first."""
    ranking = rank(catalog, profile, today=today)
    return ranking.total, ranking.best(count)


def match(
    catalog: Catalog, profile: Profile, *, today: dt.date | None = None, limit: int | None = None
) -> list[Match]:
    """The best eligible entries (all of them without `limit`), explained."""
    day = today or catalog.today()
    return [explain(entry, profile, day) for entry in rank(catalog, profile, today=day).best(limit)]
