"""Routing quality on the blind relevance table: does the first page hold what an advisor would name?

    .venv/bin/python -m tools.relevance [--failures] [tests/relevance/judgments.yaml]

The table (`tests/relevance/judgments.yaml`) was written by someone who read the catalog entries, never the
matcher or its output: per profile, entry ids graded 3 (the specialist), 2 (useful and eligible),
1 (plausible), and the stated needs nothing in the catalog covers for that person (gap cases). Printed per
network and overall:

- nDCG@4: graded gain (the grade) over the first page, against the best page the judgments allow;
- P@4: the share of first-page results that were judged relevant at all;
- need-first: for profiles with needs, of the first-page places that covering entries could fill (all four,
  or as many as there are covering entries), the share that do cover a stated need (by the entry's `needs`);
- specialist@4: how often a grade-3 entry is on the first page;
- gaps admitted: judged-uncovered needs that the bot also says nothing covers; and false gaps, needs the bot
  says nothing covers although the judge found a relevant entry.
`tests/unit/test_relevance.py` runs the same computation with thresholds.

`--failures` prints, for each profile whose first page misses the specialist, scores under 1 on nDCG or
does not admit a judged gap: its first page with each entry's grade, where every grade-3 entry ranked, and
the needs it said uncovered. Use it on the tuning table only: the held-out table's profiles are not for
reading, only its aggregate line.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from bot.catalog.loader import load_catalog
from bot.catalog.model import Catalog, Entry
from bot.catalog.yamlfile import load_trusted
from bot.core.matching import rank
from bot.core.types import Profile
from bot.understanding.evaluate import understander

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "tests" / "relevance" / "judgments.yaml"
PAGE = 4


@cache
def catalog_of(network: str) -> Catalog:
    return load_catalog(ROOT / "catalog" / network)


def town_of(catalog: Catalog, case: dict[str, Any]) -> str | None:
    """The town the person named: the profile's `town`, else the town the bot's own understanding finds in
    what they said (`says`), when it lies in their region. None when they named none."""
    raw = case["profile"]
    if raw.get("town") or not case.get("says") or not raw.get("region"):
        return raw.get("town")
    heard = understander(case["network"]).understand(case["says"])
    return heard.town if heard.town and catalog.place_region(heard.town) == raw["region"] else None


def profile_of(raw: dict[str, Any], town: str | None = None) -> Profile:
    return Profile(
        stage=raw.get("stage"),
        sectors=tuple(raw.get("sectors") or ()),
        region=raw.get("region"),
        needs=tuple(raw.get("needs") or ()),
        age=raw.get("age"),
        groups=tuple(raw["groups"]) if raw.get("groups") is not None else None,
        legal_form=raw.get("legal_form"),
        size=raw.get("size"),
        town=town,
    )


@dataclass
class Scores:
    """Sums over the profiles of one network (or all)."""

    profiles: int = 0
    ndcg: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    covering_shown: int = 0
    covering_possible: int = 0
    specialist_hits: int = 0
    specialist_cases: int = 0
    gaps: int = 0
    gaps_admitted: int = 0
    false_gaps: int = 0
    misses: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def row(self, name: str) -> str:
        def mean(values: list[float]) -> float:
            return sum(values) / len(values) if values else 0.0

        need_first = self.covering_shown / self.covering_possible if self.covering_possible else 1.0
        specialist = self.specialist_hits / self.specialist_cases if self.specialist_cases else 1.0
        return (
            f"{name:<9} {self.profiles:>8} {mean(self.ndcg):>7.3f} {mean(self.precision):>6.3f} "
            f"{need_first:>10.3f} {specialist:>13.3f} {self.gaps_admitted:>6}/{self.gaps:<4} {self.false_gaps:>10}"
        )

    @property
    def summary(self) -> dict[str, float]:
        return {
            "ndcg": sum(self.ndcg) / len(self.ndcg) if self.ndcg else 0.0,
            "precision": sum(self.precision) / len(self.precision) if self.precision else 0.0,
            "need_first": self.covering_shown / self.covering_possible if self.covering_possible else 1.0,
            "specialist": self.specialist_hits / self.specialist_cases if self.specialist_cases else 1.0,
            "gaps_admitted": self.gaps_admitted / self.gaps if self.gaps else 1.0,
            "false_gaps": float(self.false_gaps),
        }


def dcg(grades: list[int]) -> float:
    return sum(grade / math.log2(position + 2) for position, grade in enumerate(grades))


def score_profile(case: dict[str, Any], today: dt.date, into: list[Scores]) -> None:
    """Add one judged profile to every Scores of `into`."""
    catalog = catalog_of(case["network"])
    profile = profile_of(case["profile"], town_of(catalog, case))
    judged: dict[str, int] = case.get("relevant") or {}
    ranking = rank(catalog, profile, today=today)
    page = ranking.best(PAGE)
    grades = [judged.get(entry.id, 0) for entry in page]
    ideal = dcg(sorted(judged.values(), reverse=True)[:PAGE])
    covering = sum(1 for e in ranking.best(None) if set(profile.needs) & set(e.needs))
    places = min(PAGE, covering)
    uncovered = set(case.get("uncovered") or ())
    for scores in into:
        scores.profiles += 1
        if ideal:
            scores.ndcg.append(dcg(grades) / ideal)
            scores.precision.append(sum(1 for g in grades if g) / PAGE)
        if places:
            scores.covering_possible += places
            scores.covering_shown += sum(1 for e in page[:places] if set(profile.needs) & set(e.needs))
        if 3 in judged.values():
            scores.specialist_cases += 1
            hit = 3 in grades
            scores.specialist_hits += hit
            if not hit:
                scores.misses.append(f"{case['id']}: no specialist in {[e.id for e in page]}")
        scores.gaps += len(uncovered)
        scores.gaps_admitted += len(uncovered & set(ranking.uncovered))
        scores.false_gaps += len(set(ranking.uncovered) - uncovered)
    ndcg = dcg(grades) / ideal if ideal else 1.0
    if ndcg < 0.999 or uncovered - set(ranking.uncovered) or set(ranking.uncovered) - uncovered:
        into[-1].failures.append(_failure(case, ranking.best(None), judged, ndcg, ranking.uncovered))


def _failure(
    case: dict[str, Any], ordered: list[Entry], judged: dict[str, int], ndcg: float, said: tuple[str, ...]
) -> str:
    """One profile's first page with grades, where each specialist ranked, and the gaps said vs judged."""
    places = {entry.id: n for n, entry in enumerate(ordered, 1)}
    page = ", ".join(f"{e.id}={judged.get(e.id, 0)}" for e in ordered[:PAGE])
    specialists = ", ".join(
        f"{entry_id}@{places.get(entry_id, 'not eligible')}" for entry_id, g in judged.items() if g == 3
    )
    lines = [f"{case['id']} (nDCG {ndcg:.3f}): {case.get('says', '')}", f"    page: {page}"]
    if specialists:
        lines.append(f"    specialists: {specialists}")
    if case.get("uncovered") or said:
        lines.append(f"    gaps judged {sorted(case.get('uncovered') or ())}, said {sorted(said)}")
    return "\n".join(lines)


def evaluate(path: Path = TABLE) -> dict[str, Scores]:
    """Scores per network and overall ('all')."""
    table = load_trusted(path.read_text(encoding="utf-8"))
    today = table["today"]
    results: dict[str, Scores] = defaultdict(Scores)
    for case in table["profiles"]:
        score_profile(case, today, [results[case["network"]], results["all"]])
    return dict(results)


def main(argv: list[str]) -> int:
    failures = "--failures" in argv
    args = [a for a in argv if a != "--failures"]
    path = Path(args[0]) if args else TABLE
    results = evaluate(path)
    print(
        f"Relevance on {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} (first page = {PAGE})"
    )
    print(
        f"{'network':<9} {'profiles':>8} {'nDCG@4':>7} {'P@4':>6} {'need-first':>10} {'specialist@4':>13} {'gaps admitted':>11} {'false gaps':>10}"
    )
    for name in sorted(results, key=lambda n: (n == "all", n)):
        print(results[name].row(name))
    for miss in results["all"].misses:
        print(f"  {miss}")
    if failures:
        print(f"\n{len(results['all'].failures)} profiles below a perfect first page:")
        for failure in results["all"].failures:
            print(failure)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
