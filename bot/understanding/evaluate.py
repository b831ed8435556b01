"""Measuring understanding on the regression table: intent accuracy, per-slot precision/recall/F1, failures.

    .venv/bin/python -m bot.understanding.evaluate [tests/understanding/cases.yaml]

French and English cases are understood with the Québec catalog, Arabic ones with the Algerian one (a case
may name its `network`).
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from bot.catalog.loader import load_catalog
from bot.understanding.data import load_language_data
from bot.understanding.understand import Understander

ROOT = Path(__file__).resolve().parent.parent.parent
CASES = ROOT / "tests" / "understanding" / "cases.yaml"
SLOTS = ("stage", "sector", "region", "needs")


@cache
def understander(network: str) -> Understander:
    catalog = load_catalog(ROOT / "catalog" / network)
    data, _problems = load_language_data(ROOT / "intents", catalog)
    return Understander(data, catalog)


def network_of(case: dict[str, object]) -> str:
    return str(case.get("network") or ("algerie" if case["lang"] == "ar" else "quebec"))


@dataclass
class Report:
    """Counts for one language (or all)."""

    cases: int = 0
    intents_right: int = 0
    language_right: int = 0
    slot_counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    failures: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.intents_right / self.cases if self.cases else 0.0

    def f1(self, slot: str | None = None) -> tuple[float, float, float]:
        counts = Counter[str]()
        for name, counter in self.slot_counts.items():
            if slot is None or name == slot:
                counts.update(counter)
        precision = counts["tp"] / (counts["tp"] + counts["fp"]) if counts["tp"] + counts["fp"] else 1.0
        recall = counts["tp"] / (counts["tp"] + counts["fn"]) if counts["tp"] + counts["fn"] else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def evaluate(cases: list[dict[str, object]]) -> Report:
    """Run every case through the understander of its network and count what was right."""
    report = Report()
    for case in cases:
        model = understander(network_of(case))
        got = model.understand(str(case["text"]), str(case["lang"]))
        report.cases += 1
        report.language_right += model.understand(str(case["text"])).lang == case["lang"]
        wrong = []
        if got.intent == case["intent"]:
            report.intents_right += 1
        else:
            wrong.append(f"intent {got.intent} (expected {case['intent']}, {got.confidence:.2f})")
        for slot in SLOTS:
            expected = set(case.get(slot) or ()) if slot == "needs" else {case.get(slot)} - {None}
            value = getattr(got, slot)
            found = set(value) if slot == "needs" else {value} - {None}
            counts = report.slot_counts[slot]
            counts["tp"] += len(expected & found)
            counts["fp"] += len(found - expected)
            counts["fn"] += len(expected - found)
            if expected != found:
                wrong.append(f"{slot} {sorted(found)} (expected {sorted(expected)})")
        if wrong:
            report.failures.append(f"[{case['lang']}] {case['text']!r}: " + "; ".join(wrong))
    return report


def load_cases(path: Path = CASES) -> list[dict[str, object]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["cases"])


def main(path: Path = CASES) -> None:
    cases = load_cases(path)
    for lang in ("fr", "en", "ar", None):
        subset = [c for c in cases if lang is None or c["lang"] == lang]
        report = evaluate(subset)
        name = lang or "all"
        detected = report.language_right / report.cases if report.cases else 0.0
        print(
            f"{name}: {report.cases} cases, intent accuracy {report.accuracy:.3f}, slot F1 {report.f1()[2]:.3f}, "
            f"language detected right {detected:.3f}"
        )
        for slot in SLOTS:
            p, r, f = report.f1(slot)
            print(f"    {slot:7} precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
        if lang is None:
            print(f"worst failures ({len(report.failures)} cases with a mistake), first 25:")
            for failure in report.failures[:25]:
                print(f"  {failure}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else CASES)
