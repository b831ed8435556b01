"""Matching a profile against the catalog: hard filters first, then a ranking that explains itself.

Hard filters are what the entrepreneur must never see broken: an entry outside their region, stage or
sector, or an opportunity past its deadline. Ranking puts covered needs first, then the more specific
entry (regional before network-wide), then the nearest deadline, and breaks ties by id so the order is
stable. Every result carries the reasons it matched, as data; the dialogue renders them.

For speed at network scale (10,000 entries), each entry is reduced once per catalog to integers: a bit
per code of each dimension (0 meaning "all"), its deadline as an ordinal. Filtering and scoring are then
integer operations over the entries of the user's region plus the network-wide ones; reasons are built
only for the results actually shown.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass

from bot.catalog.model import Catalog, Entry
from bot.core.types import Profile

NO_DEADLINE = 10**9


@dataclass(frozen=True)
class Reason:
    """Why an entry fits: a dimension and a code ('region', '01'); code None means 'open to all'."""

    dimension: str
    code: str | None


@dataclass(frozen=True)
class Match:
    """One entry that fits the profile, with its score and reasons."""

    entry: Entry
    score: float
    reasons: tuple[Reason, ...]


# An entry as integers: (stages mask, sectors mask, needs mask, deadline ordinal, id, position). A mask is 0
# when the entry is open to every code of that dimension.
_Packed = tuple[int, int, int, int, str, int]


class MatchIndex:
    """Per-catalog precomputation: code bits, and packed entries bucketed by (region, stage).

    A bucket holds the entries of one region (or the network-wide ones, region "") that admit one stage
    (or any stage, stage ""), so the stage filter and most of the region filter cost nothing per query.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.entries = catalog.entries  # not the catalog itself: no reference cycle (see catalog/reload.py)
        self.bits = {
            dim: {t.code: 1 << n for n, t in enumerate(catalog.terms(dim))}
            for dim in ("stages", "sectors", "needs")
        }
        self.buckets: dict[tuple[str, str], list[_Packed]] = {}
        stage_bits = [("", 0), *self.bits["stages"].items()]
        for position, entry in enumerate(catalog.entries):
            deadline = entry.deadline if entry.kind == "opportunity" else None
            stages = self.mask("stages", entry.stages)
            packed = (
                stages,
                self.mask("sectors", entry.sectors),
                self.mask("needs", entry.needs),
                deadline.toordinal() if deadline else NO_DEADLINE,
                entry.id,
                position,
            )
            for region in entry.regions or [""]:
                for stage, bit in stage_bits:
                    if not bit or not stages or stages & bit:
                        self.buckets.setdefault((region, stage), []).append(packed)

    def mask(self, dimension: str, codes: object) -> int:
        bits = self.bits[dimension]
        return sum(bits.get(code, 0) for code in set(codes))  # type: ignore[call-overload]

    def scored(self, profile: Profile, today: dt.date) -> list[tuple[float, str, int]]:
        """(minus score, id, position) of every eligible entry, unordered."""
        stage = profile.stage if profile.stage in self.bits["stages"] else ""
        sector = self.bits["sectors"].get(profile.sector or "", 0)
        needs = self.mask("needs", profile.needs)
        day = today.toordinal()
        stage_bonus, sector_bonus = (5 if stage else 0), (5 if sector else 0)
        region = profile.region or ""
        pools = ((20, self.buckets.get((region, stage), ())),) if region else ()
        scored = []
        for regional, pool in (*pools, (0, self.buckets.get(("", stage), ()))):
            for stages, sectors, entry_needs, deadline, entry_id, position in pool:
                if deadline < day or (sector and sectors and not sectors & sector):
                    continue
                score = 100 * (entry_needs & needs).bit_count() + regional
                if stages:
                    score += stage_bonus
                if sectors:
                    score += sector_bonus
                if deadline != NO_DEADLINE:
                    score += 1 / (2 + deadline - day)
                scored.append((-score, entry_id, position))
        return scored

    def top(self, profile: Profile, today: dt.date, count: int | None) -> tuple[int, list[Entry]]:
        """How many entries are eligible, and the best `count` of them (all when None), best first."""
        scored = self.scored(profile, today)
        best = sorted(scored) if count is None else heapq.nsmallest(count, scored)
        return len(scored), [self.entries[position] for _score, _id, position in best]


def prepare_index(catalog: Catalog) -> None:
    """Build the matching index now (a reload does it in its worker, not on the event loop)."""
    _index(catalog)


def _index(catalog: Catalog) -> MatchIndex:
    """One index per catalog object, built on first use; a reloaded catalog gets its own."""
    return catalog.__dict__.get("_match_index") or catalog.__dict__.setdefault(
        "_match_index", MatchIndex(catalog)
    )


def eligible(entry: Entry, profile: Profile, today: dt.date) -> bool:
    """The hard filters. An unknown region only admits network-wide entries; unknown stage or sector admit all."""
    if entry.regions and profile.region not in entry.regions:
        return False
    if entry.stages and profile.stage and profile.stage not in entry.stages:
        return False
    if entry.sectors and profile.sector and profile.sector not in entry.sectors:
        return False
    return entry.kind != "opportunity" or entry.deadline >= today


def explain(entry: Entry, profile: Profile, today: dt.date) -> Match:
    """An eligible entry with its score and the reasons it fits."""
    covered = tuple(need for need in profile.needs if need in entry.needs)
    specificity = (
        (20 if entry.regions else 0)
        + (5 if entry.sectors and profile.sector else 0)
        + (5 if entry.stages and profile.stage else 0)
    )
    deadline = entry.deadline if entry.kind == "opportunity" else None
    proximity = 1 / (2 + (deadline - today).days) if deadline else 0.0
    reasons = [Reason("region", profile.region if entry.regions else None)]
    if entry.stages and profile.stage:
        reasons.append(Reason("stage", profile.stage))
    if entry.sectors and profile.sector:
        reasons.append(Reason("sector", profile.sector))
    reasons.extend(Reason("need", need) for need in covered)
    return Match(entry, round(100 * len(covered) + specificity + proximity, 4), tuple(reasons))


def top(
    catalog: Catalog, profile: Profile, *, today: dt.date | None = None, count: int | None = None
) -> tuple[int, list[Entry]]:
    """How many entries fit, and the best `count` of them (all without `count`), best first."""
    return _index(catalog).top(profile, today or catalog.today(), count)


def match(
    catalog: Catalog, profile: Profile, *, today: dt.date | None = None, limit: int | None = None
) -> list[Match]:
    """The best eligible entries (all of them without `limit`), explained."""
    day = today or catalog.today()
    _total, entries = _index(catalog).top(profile, day, limit)
    return [explain(entry, profile, day) for entry in entries]
