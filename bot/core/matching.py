"""Matching a profile against the catalog: hard filters first, then a ranking that explains itself.

Hard filters are what the entrepreneur must never see broken: an entry outside their region, stage or
sector, or an opportunity past its deadline. Ranking puts covered needs first, then the more specific
entry (regional before network-wide), then the nearest deadline, and breaks ties by id so the order is
stable. Every result carries the reasons it matched, as data; the dialogue renders them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.catalog.model import Catalog, Entry
from bot.core.types import Profile


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


def eligible(entry: Entry, profile: Profile, today: dt.date) -> bool:
    """The hard filters. An unknown region only admits network-wide entries; unknown stage or sector admit all."""
    if entry.regions and profile.region not in entry.regions:
        return False
    if entry.stages and profile.stage and profile.stage not in entry.stages:
        return False
    if entry.sectors and profile.sector and profile.sector not in entry.sectors:
        return False
    deadline = getattr(entry, "deadline", None)
    return deadline is None or deadline >= today


def _reasons(entry: Entry, profile: Profile, covered: tuple[str, ...]) -> tuple[Reason, ...]:
    reasons = [Reason("region", profile.region if entry.regions else None)]
    if entry.stages and profile.stage:
        reasons.append(Reason("stage", profile.stage))
    if entry.sectors and profile.sector:
        reasons.append(Reason("sector", profile.sector))
    reasons.extend(Reason("need", need) for need in covered)
    return tuple(reasons)


def _rank(entry: Entry, profile: Profile, today: dt.date) -> tuple[float, tuple[str, ...]]:
    """Score = needs covered (x100) + specificity (up to 30) + deadline proximity (under 1)."""
    covered = tuple(need for need in profile.needs if need in entry.needs)
    specificity = (
        (20 if entry.regions else 0)
        + (5 if entry.sectors and profile.sector else 0)
        + (5 if entry.stages and profile.stage else 0)
    )
    deadline = getattr(entry, "deadline", None)
    proximity = 1 / (2 + (deadline - today).days) if deadline else 0.0
    return 100 * len(covered) + specificity + proximity, covered


def match(catalog: Catalog, profile: Profile, *, today: dt.date | None = None) -> list[Match]:
    """Every eligible entry, best first."""
    day = today or catalog.today()
    results = []
    for entry in catalog.entries:
        if not eligible(entry, profile, day):
            continue
        score, covered = _rank(entry, profile, day)
        results.append(Match(entry, round(score, 4), _reasons(entry, profile, covered)))
    results.sort(key=lambda m: (-m.score, m.entry.id))
    return results
