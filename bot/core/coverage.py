"""What the catalog covers: for each region and stage, the needs that no entry answers.

`catalog check --coverage` prints it for the admins, so a gap is seen before an entrepreneur meets it. The
same rule as matching (bot/core/matching.py): an entry covers a need in a region at a stage when it is open
to that region and stage (an empty list meaning all), is not an expired opportunity, and answers the need
genuinely: the need is its main purpose (the first of its `needs`), or the entry is a specialist (local,
limited to a few sectors, or reserved for some people). A generic entry that lists the need after its main
purpose only covers it in passing. Eligibility criteria (age, groups...) do not narrow coverage: a women's
fund covers financing, for the women it serves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.catalog.model import Catalog, Entry
from bot.core.matching import is_local, narrow, selective


@dataclass(frozen=True)
class RegionGaps:
    """The needs nothing covers in one region: at every stage, and at some stages only."""

    region: str
    everywhere: tuple[str, ...]
    by_stage: dict[str, tuple[str, ...]]


def coverage_gaps(catalog: Catalog, today: dt.date) -> list[RegionGaps]:
    """Per region (in taxonomy order), the uncovered needs; regions with none are left out."""
    stages = [t.code for t in catalog.terms("stages")]
    needs = [t.code for t in catalog.terms("needs")]
    live = [e for e in catalog.entries if e.kind != "opportunity" or e.deadline >= today]
    answers = {e.id: genuine_needs(catalog, e) for e in live}
    gaps = []
    for term in catalog.terms("regions"):
        local = [e for e in live if not e.regions or term.code in e.regions]
        missing = {
            stage: tuple(
                n
                for n in needs
                if not any(n in answers[e.id] and (not e.stages or stage in e.stages) for e in local)
            )
            for stage in stages
        }
        everywhere = tuple(n for n in needs if all(n in missing[s] for s in stages))
        by_stage = {s: tuple(n for n in missing[s] if n not in everywhere) for s in stages}
        by_stage = {s: v for s, v in by_stage.items() if v}
        if everywhere or by_stage:
            gaps.append(RegionGaps(term.code, everywhere, by_stage))
    return gaps


def genuine_needs(catalog: Catalog, entry: Entry) -> tuple[str, ...]:
    """The needs an entry answers genuinely: all of them for a specialist, else its main need only."""
    counts = {dim: len(catalog.terms(dim)) for dim in ("regions", "sectors")}
    specialist = (
        is_local(entry, counts["regions"])
        or narrow(entry.sectors, counts["sectors"])
        or bool(selective(entry))
    )
    return tuple(entry.needs) if specialist else tuple(entry.needs[:1])


def coverage_lines(catalog: Catalog, today: dt.date) -> list[str]:
    """The gaps as lines an admin reads: 'Gaspésie (11): export (every stage); legal (idea, startup)'."""
    lang = catalog.default_language
    lines = []
    for gap in coverage_gaps(catalog, today):
        per_need: dict[str, list[str]] = {}
        for stage, missing in gap.by_stage.items():
            for need in missing:
                per_need.setdefault(need, []).append(catalog.label("stages", stage, lang))
        parts = [f"{catalog.label('needs', n, lang)} [{n}] (every stage)" for n in gap.everywhere]
        parts += [f"{catalog.label('needs', n, lang)} [{n}] ({', '.join(s)})" for n, s in per_need.items()]
        lines.append(f"{catalog.label('regions', gap.region, lang)} ({gap.region}): " + "; ".join(parts))
    return lines
