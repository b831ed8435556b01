"""Matching a profile against the catalog: hard filters first, then a need-first ranking that explains itself.

Hard filters are what the entrepreneur must never see broken: an entry outside their region, stage or
sectors, an opportunity past its deadline, or one whose criteria (age band, target groups, legal form,
company size) exclude them. A criterion the profile has not answered does not exclude: the entry stays,
ranked after the ones known to fit, and its reason says the condition ("if you are 18 to 39").

The ranking is lexicographic, in the order the hubs' advisors asked for:
1. how many of the stated needs the entry covers;
2. specificity: a specialist (of a target group or legal form the person has, of that one need, of their
   sectors) before a generic entry, and a local generalist before a network-wide one (`WEIGHTS`);
3. eligibility fit: every criterion known to hold before "maybe";
4. region: the user's own region before network-wide entries;
5. the nearest deadline; then the id, so the order is stable.
A stated need that no eligible entry covers is a gap: `Ranking.uncovered` names it, the dialogue admits it,
and it is recorded for the network's report.

For speed at network scale (10,000 entries), each entry is reduced once per catalog to integers (a bit per
code, its deadline as an ordinal) and bucketed by (region, stage); a query scores only the entries of the
user's region plus the network-wide ones, and builds reasons only for the results actually shown.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from bot.catalog.model import Catalog, Entry
from bot.core.types import Profile

NO_DEADLINE = 10**9
NO_AGE = -1
NARROW_NEEDS = 1  # an entry answering this one need only is a specialist of it
NARROW_STAGES = 2
NARROW_SECTORS = 4  # an entry limited to four sectors or fewer is a specialist of them
# Specificity: what makes an entry a specialist for this profile, each worth points. A target group it is
# reserved for (or an age band the person is in) or a legal form it is limited to counts most; then
# answering that one need only, or being limited to the person's sectors; being local (the region's own
# office) counts least, so any specialist comes before a generic regional entry, and a local generalist
# before a network-wide one. Narrow stages proved uninformative (most programs list two or three) and count
# nothing. Chosen on tests/relevance/judgments.yaml; tests/relevance/heldout.yaml is the blind check.
WEIGHTS = {"group": 3, "legal_form": 3, "sector": 2, "local": 1, "need": 2, "stage": 0}


@dataclass(frozen=True)
class Reason:
    """Why an entry fits: a dimension and a code ('region', '01'); code None means 'open to all'.

    `sure` is False for a condition the profile has not answered yet ('age', '18-39': "if you are 18 to 39").
    """

    dimension: str
    code: str | None
    sure: bool = True


@dataclass(frozen=True)
class Match:
    """One entry that fits the profile, with its score, the needs it covers and its reasons."""

    entry: Entry
    score: float
    reasons: tuple[Reason, ...]
    covers: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Criteria:
    """Who an entry is reserved for, as integers; most entries have none (and carry None instead)."""

    groups: int
    legal_forms: int
    sizes: int
    age_min: int
    age_max: int


# Rank points, one integer ordered like the lexicographic key: covered needs x 4096, specialist points x 16,
# then 2 x (7 - criteria not yet answered), then 1 for the user's own region.
COVERED_UNIT = 1 << 12
KNOWN_FIT = 7 << 1
UNKNOWN_FIT = 1 << 1  # one criterion (or a sector restriction) the profile has not answered

# An entry as integers, for the hot loop: (sectors mask, needs mask, deadline ordinal, id, position,
# specialist points it earns when it covers a need, points when it matches a sector, criteria or None).
_Packed = tuple[int, int, int, str, int, int, int, "_Criteria | None"]
RankKey = tuple[int, int, str, int]  # (minus the rank points, deadline, id, position): sorted ascending


class MatchIndex:
    """Per-catalog precomputation: code bits, and packed entries bucketed by (region, stage).

    A bucket holds the entries of one region (or the network-wide ones, region "") that admit one stage
    (or any stage, stage ""), so the stage filter and most of the region filter cost nothing per query.
    """

    DIMS = ("stages", "sectors", "needs", "groups", "legal_forms", "sizes")

    def __init__(self, catalog: Catalog) -> None:
        self.entries = catalog.entries  # not the catalog itself: no reference cycle (see catalog/reload.py)
        self.bits = {dim: {t.code: 1 << n for n, t in enumerate(catalog.terms(dim))} for dim in self.DIMS}
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
            criteria = _Criteria(
                self.mask("groups", entry.groups),
                self.mask("legal_forms", entry.legal_forms),
                self.mask("sizes", entry.sizes),
                age.min if age and age.min is not None else NO_AGE,
                age.max if age and age.max is not None else NO_AGE,
            )
        return (
            self.mask("sectors", entry.sectors),
            self.mask("needs", entry.needs),
            deadline.toordinal() if deadline else NO_DEADLINE,
            entry.id,
            position,
            WEIGHTS["need"] if len(entry.needs) <= NARROW_NEEDS else 0,
            WEIGHTS["sector"] if entry.sectors and len(entry.sectors) <= NARROW_SECTORS else 0,
            criteria,
        )

    def mask(self, dimension: str, codes: Iterable[str]) -> int:
        bits = self.bits[dimension]
        return sum(bits.get(code, 0) for code in set(codes))

    def rank(self, profile: Profile, today: dt.date) -> Ranking:
        """Every eligible entry with its rank key, and the stated needs none of them covers.

        The key packs the lexicographic order into one integer (covered needs, then specialist points, then
        eligibility known, then region), so that the loop over thousands of entries stays cheap."""
        query = _Query(self, profile, today)
        region = profile.region or ""
        pools = ((1, self.buckets.get((region, query.stage_key), ())),) if region else ()
        keyed: list[RankKey] = []
        covered_any = 0
        day, sectors, needs, local = query.day, query.sectors, query.needs, WEIGHTS["local"]
        for regional, pool in (*pools, (0, self.buckets.get(("", query.stage_key), ()))):
            base = KNOWN_FIT + ((local << 4 | 1) if regional else 0)
            for e_sectors, e_needs, deadline, entry_id, position, need_pts, sector_pts, criteria in pool:
                if deadline < day or (sectors and e_sectors and not e_sectors & sectors):
                    continue
                points = base
                if criteria is not None:
                    fit = query.fit(criteria)
                    if fit is None:
                        continue
                    points += fit
                if e_sectors:  # limited to some sectors: a specialist of theirs, or unknown fit
                    points += (sector_pts << 4) if sectors else -UNKNOWN_FIT
                covered = e_needs & needs
                if covered:
                    covered_any |= covered
                    points += covered.bit_count() * COVERED_UNIT + (need_pts << 4)
                keyed.append((-points, deadline, entry_id, position))
        uncovered = tuple(
            n for n in profile.needs if n in self.bits["needs"] and not self.bits["needs"][n] & covered_any
        )
        return Ranking(self.entries, keyed, uncovered)


class _Query:
    """One profile as integers, and how an entry's criteria fit it."""

    def __init__(self, index: MatchIndex, profile: Profile, today: dt.date) -> None:
        bits = index.bits
        self.stage_key = profile.stage if profile.stage in bits["stages"] else ""
        self.sectors = index.mask("sectors", profile.sectors)
        self.needs = index.mask("needs", profile.needs)
        self.groups = None if profile.groups is None else index.mask("groups", profile.groups)
        self.legal_form = bits["legal_forms"].get(profile.legal_form or "", 0)
        self.size = bits["sizes"].get(profile.size or "", 0)
        self.age = profile.age
        self.day = today.toordinal()

    def fit(self, c: _Criteria) -> int | None:
        """None when a criterion excludes the person; else rank points: specialist points (a group, an age
        band or a legal form that is theirs) shifted into place, plus 2 per criterion known to hold."""
        unknown = 0
        specific = 0
        if c.groups:
            if self.groups is None:
                unknown += 1
            elif not c.groups & self.groups:
                return None
            else:
                specific += WEIGHTS["group"]
        if c.age_min != NO_AGE or c.age_max != NO_AGE:
            if self.age is None:
                unknown += 1
            elif (c.age_min != NO_AGE and self.age < c.age_min) or (
                c.age_max != NO_AGE and self.age > c.age_max
            ):
                return None
            else:
                specific += WEIGHTS["group"]  # a youth program for a young founder: a target group
        for mask, mine, weight in (
            (c.legal_forms, self.legal_form, WEIGHTS["legal_form"]),
            (c.sizes, self.size, 0),
        ):
            if mask:
                if not mine:
                    unknown += 1
                elif not mask & mine:
                    return None
                else:
                    specific += weight
        return (specific << 4) - unknown * UNKNOWN_FIT


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


def eligible(entry: Entry, profile: Profile, today: dt.date) -> bool:
    """The hard filters, written plainly (the index must agree with this). An unknown region only admits
    network-wide entries; an unanswered stage, sector or criterion admits all."""
    if entry.regions and profile.region not in entry.regions:
        return False
    if entry.stages and profile.stage and profile.stage not in entry.stages:
        return False
    if entry.sectors and profile.sectors and not set(profile.sectors) & set(entry.sectors):
        return False
    if entry.groups and profile.groups is not None and not set(profile.groups) & set(entry.groups):
        return False
    if entry.age and profile.age is not None and not entry.age.admits(profile.age):
        return False
    if entry.legal_forms and profile.legal_form and profile.legal_form not in entry.legal_forms:
        return False
    if entry.sizes and profile.size and profile.size not in entry.sizes:
        return False
    return entry.kind != "opportunity" or entry.deadline >= today


def open_criteria(entry: Entry, profile: Profile) -> tuple[str, ...]:
    """The entry's conditions the profile has not answered yet: 'age', 'groups', 'legal_form', 'size'."""
    missing = []
    if entry.age and profile.age is None:
        missing.append("age")
    if entry.groups and profile.groups is None:
        missing.append("groups")
    if entry.legal_forms and profile.legal_form is None:
        missing.append("legal_form")
    if entry.sizes and profile.size is None:
        missing.append("size")
    return tuple(missing)


def explain(entry: Entry, profile: Profile, today: dt.date) -> Match:
    """An eligible entry with its score and the reasons it fits, needs first."""
    covered = tuple(need for need in profile.needs if need in entry.needs)
    reasons = [Reason("need", need) for need in covered]
    if entry.stages and profile.stage:
        reasons.append(Reason("stage", profile.stage))
    reasons.extend(Reason("sector", s) for s in profile.sectors if s in entry.sectors)
    reasons.extend(_criteria_reasons(entry, profile))
    reasons.append(Reason("region", profile.region if entry.regions else None))
    deadline = entry.deadline if entry.kind == "opportunity" else None
    proximity = 1 / (2 + (deadline - today).days) if deadline else 0.0
    sure = not open_criteria(entry, profile)
    specificity = (2 * len(covered) / len(entry.needs) if covered else 0) + (1 if entry.regions else 0)
    score = 100 * len(covered) + 10 * specificity + (5 if sure else 0) + proximity
    return Match(entry, round(score, 4), tuple(reasons), covered)


def _criteria_reasons(entry: Entry, profile: Profile) -> list[Reason]:
    """'for women', 'ages 18-39' when the profile says so; 'if you are 18 to 39' while it does not."""
    reasons = []
    if entry.age:
        band = f"{'' if entry.age.min is None else entry.age.min}-{'' if entry.age.max is None else entry.age.max}"
        reasons.append(Reason("age", band, profile.age is not None))
    if entry.groups:
        mine = [g for g in entry.groups if profile.groups and g in profile.groups]
        reasons.extend(Reason("group", g) for g in mine)
        if not mine:
            reasons.append(Reason("group", ",".join(entry.groups), False))
    if entry.legal_forms:
        sure = profile.legal_form is not None
        reasons.append(
            Reason("legal_form", profile.legal_form if sure else ",".join(entry.legal_forms), sure)
        )
    if entry.sizes:
        sure = profile.size is not None
        reasons.append(Reason("size", profile.size if sure else ",".join(entry.sizes), sure))
    return reasons


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
