"""Measuring understanding on a table of cases, side by side with a plain statistical baseline.

    .venv/bin/python -m bot.understanding.evaluate [CASES.yaml ...] [--failures N]

For every language and every tag (a case may carry `tags: [...]`), two rows: **ours** (the whole pipeline:
normalisation, facts, classifier, rules) and **baseline** (TF-IDF character n-grams + logistic regression
trained on the raw example phrases of `intents/`, no slots, no delexicalisation). Columns: intent accuracy,
error rate, out-of-scope precision and recall (out of scope = intent `out_of_scope`), stage recall and slot
F1 (ours only: the baseline finds no slots). Then per-slot precision/recall/F1 and our worst failures.

French and English cases are understood with the Québec catalog, Arabic ones with the Algerian one (a case
may name its `network`). The default table is `tests/understanding/cases.yaml`; give another path to measure
on another set (the held-out one), or several to measure them pooled as one. Neither table is ever used for
training or tuning. The baseline is fitted once for each state of `intents/` and kept in the model cache
(bot/understanding/baseline.py): the first run after an edit takes about 20 s more. With the baseline, the
last lines say whether the understanding's targets are met (the targets of docs/language-data.md,
"Measuring it").
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol, cast

from bot.catalog.loader import load_catalog
from bot.catalog.model import Catalog
from bot.catalog.yamlfile import load_trusted
from bot.understanding.baseline import Baseline
from bot.understanding.data import load_language_data
from bot.understanding.schema import INTENTS, LanguageFile
from bot.understanding.understand import Understander

ROOT = Path(__file__).resolve().parent.parent.parent
CASES = ROOT / "tests" / "understanding" / "cases.yaml"
SLOTS = ("stage", "sector", "region", "needs")
STAGES = ("idea", "startup", "growth", "established", "succession")  # both sample taxonomies' stage codes
OOS = "out_of_scope"


class LanguageDataError(ValueError):
    """`intents/` has errors: a file with one is left out when the bot loads, so a measurement made without
    it would be silently wrong (French read by no French data). Refused instead, with the errors."""


@cache
def catalog_of(network: str) -> Catalog:
    """A sample network's catalog, kept: its understander reads a language it does not answer in (Arabic in
    Québec) on first use, from the catalog."""
    return load_catalog(ROOT / "catalog" / network)


@cache
def language_data(network: str) -> dict[str, LanguageFile]:
    data, problems = load_language_data(ROOT / "intents", catalog_of(network))
    if errors := [str(p) for p in problems if p.severity == "error"]:
        raise LanguageDataError("intents/ has errors, nothing measured:\n" + "\n".join(errors))
    return data


@cache
def understander(network: str) -> Understander:
    return Understander(language_data(network), catalog_of(network))


def network_of(case: dict[str, object]) -> str:
    """The case's own `network`, else the network its expected region belongs to (an Algerian wilaya named
    in French is an Algerian conversation), else Algeria for Arabic and Québec for French and English."""
    if case.get("network"):
        return str(case["network"])
    if str(case.get("region") or "").startswith("DZ-"):
        return "algerie"
    return "algerie" if case["lang"] == "ar" else "quebec"


class Reading(Protocol):
    """What a case is read as: an `Understanding`, or another writer's labels (`agreement.py`)."""

    @property
    def intent(self) -> str: ...
    @property
    def confidence(self) -> float: ...
    @property
    def stage(self) -> str | None: ...
    @property
    def sector(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def needs(self) -> tuple[str, ...]: ...


@dataclass
class Report:
    """Counts for one subset of cases (a language, a tag, or all)."""

    cases: int = 0
    intents_right: int = 0
    language_right: int = 0
    oos: Counter[str] = field(default_factory=Counter)  # tp, fp, fn for intent out_of_scope
    slot_counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    failures: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.intents_right / self.cases if self.cases else 0.0

    @property
    def error_rate(self) -> float:
        return 1.0 - self.accuracy if self.cases else 0.0

    def oos_precision_recall(self) -> tuple[float, float]:
        tp, fp, fn = self.oos["tp"], self.oos["fp"], self.oos["fn"]
        return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)

    def f1(self, slot: str | None = None) -> tuple[float, float, float]:
        counts = Counter[str]()
        for name, counter in self.slot_counts.items():
            if slot is None or name == slot:
                counts.update(counter)
        precision = counts["tp"] / (counts["tp"] + counts["fp"]) if counts["tp"] + counts["fp"] else 1.0
        recall = counts["tp"] / (counts["tp"] + counts["fn"]) if counts["tp"] + counts["fn"] else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    def merge(self, other: Report) -> None:
        """Add the counts of another report (of other cases) to this one."""
        self.cases += other.cases
        self.intents_right += other.intents_right
        self.language_right += other.language_right
        self.oos.update(other.oos)
        for slot, counts in other.slot_counts.items():
            self.slot_counts[slot].update(counts)
        self.failures.extend(other.failures)

    def count_case(self, case: dict[str, object], got: Reading, language: str) -> None:
        """One case read as `got` (in `language`): its intent, language and facts counted, a failure noted."""
        self.language_right += language == case["lang"]
        wrong = []
        if not self.count_intent(got.intent, str(case["intent"])):
            wrong.append(f"intent {got.intent} (expected {case['intent']}, {got.confidence:.2f})")
        for slot in SLOTS:
            expected, found = slot_values(case.get(slot), slot), slot_values(getattr(got, slot), slot)
            counts = self.slot_counts[slot]
            counts["tp"] += len(expected & found)
            counts["fp"] += len(found - expected)
            counts["fn"] += len(expected - found)
            if expected != found:
                wrong.append(f"{slot} {sorted(found)} (expected {sorted(expected)})")
        if wrong:
            self.failures.append(f"[{case['lang']}] {case['text']!r}: " + "; ".join(wrong))

    def count_intent(self, got: str, expected: str) -> bool:
        self.cases += 1
        right = got == expected
        self.intents_right += right
        if got == OOS and expected == OOS:
            self.oos["tp"] += 1
        elif got == OOS:
            self.oos["fp"] += 1
        elif expected == OOS:
            self.oos["fn"] += 1
        return right


def evaluate(cases: list[dict[str, object]], chosen: Understander | None = None) -> Report:
    """Run every case through the understander of its network (or `chosen`) and count what was right."""
    report = Report()
    for case in cases:
        model = chosen if chosen is not None else understander(network_of(case))
        got = model.understand(str(case["text"]), str(case["lang"]))
        report.count_case(case, got, model.language_of(str(case["text"])))
    return report


# --- the baseline (bot/understanding/baseline.py) ---------------------------------------------------------


def evaluate_baseline(cases: list[dict[str, object]], baseline: Baseline) -> Report:
    report = Report()
    by_lang: dict[str, list[dict[str, object]]] = defaultdict(list)
    for case in cases:
        by_lang[str(case["lang"])].append(case)
    for lang, subset in by_lang.items():
        for case, got in zip(subset, baseline.predict([str(c["text"]) for c in subset], lang), strict=True):
            report.count_intent(got, str(case["intent"]))
    return report


# --- printing --------------------------------------------------------------------------------------------


class CasesError(ValueError):
    """A table names an intent, language or stage the bot does not know: every case with it would count as a
    mistake of the system, so nothing is measured (a table once said `switch_language` for
    `change_language`, and 15 right answers counted as wrong)."""


def load_cases(path: Path = CASES) -> list[dict[str, object]]:
    """The cases of a table; a case may give its facts beside its intent (`region: "13"`) or, as the corpus
    does, under `slots:` (`slots: {region: "13"}`)."""
    cases = []
    for number, case in enumerate(load_trusted(Path(path).read_text(encoding="utf-8"))["cases"], 1):
        flat = {key: value for key, value in case.items() if key != "slots"}
        flat.update(case.get("slots") or {})
        _check_labels(path, number, flat)
        cases.append(flat)
    return cases


def _check_labels(path: Path, number: int, case: dict[str, object]) -> None:
    known = {"intent": INTENTS, "lang": ("fr", "en", "ar"), "stage": STAGES}
    for key, values in known.items():
        if key in case and case[key] not in values:
            raise CasesError(
                f"{path}: case {number} ({str(case.get('text'))[:40]!r}): {key} {case[key]!r} is not one of "
                + ", ".join(values)
            )


HEADER = (
    f"{'subset':<22}{'system':<10}{'cases':>6}{'intent acc':>12}{'error':>8}{'oos P':>8}{'oos R':>8}"
    f"{'stage R':>9}{'slot F1':>9}"
)


def table_row(name: str, system: str, report: Report, slots: bool) -> str:
    precision, recall = report.oos_precision_recall()
    stage = f"{report.f1('stage')[1]:>9.3f}" if slots else f"{'-':>9}"
    f1 = f"{report.f1()[2]:>9.3f}" if slots else f"{'-':>9}"
    return (
        f"{name:<22}{system:<10}{report.cases:>6}{report.accuracy:>12.3f}{report.error_rate:>8.3f}"
        f"{precision:>8.3f}{recall:>8.3f}{stage}{f1}"
    )


def subsets(cases: list[dict[str, object]]) -> list[tuple[str, list[dict[str, object]]]]:
    """All cases, each language, then each tag."""
    out: list[tuple[str, list[dict[str, object]]]] = [("all", cases)]
    for lang in ("fr", "en", "ar"):
        subset = [c for c in cases if c["lang"] == lang]
        if subset:
            out.append((lang, subset))
    tags = sorted({str(t) for c in cases for t in listed(c.get("tags"))})
    out.extend((f"tag {tag}", [c for c in cases if tag in listed(c.get("tags"))]) for tag in tags)
    return out


def slot_values(value: object, slot: str) -> set[Any]:
    """A fact as a set, to compare two readings of it: the needs listed, another slot's one value or none."""
    return set(listed(value)) if slot == "needs" else {value} - {None}


def listed(value: object) -> Iterable[object]:
    """A list field of a case as read from YAML (absent or empty: nothing)."""
    return cast("Iterable[object]", value or ())


# The understanding's targets on a blind table (docs/language-data.md, "Measuring it"): name, at least or at
# most, the bound.
TARGETS = (
    ("intent accuracy", ">=", 0.95),
    ("error rate / the baseline's", "<=", 0.5),
    ("out-of-scope precision", ">=", 0.90),
    ("out-of-scope recall", ">=", 0.90),
    ("stage recall", ">=", 0.90),
    ("slot F1", ">=", 0.93),
)


def targets(ours: Report, ratio: float) -> list[str]:
    """One line per target: the figure measured, the bound, met or not."""
    precision, recall = ours.oos_precision_recall()
    measured = (ours.accuracy, ratio, precision, recall, ours.f1("stage")[1], ours.f1()[2])
    lines = []
    for (name, sense, bound), value in zip(TARGETS, measured, strict=True):
        met = value >= bound if sense == ">=" else value <= bound
        lines.append(f"  target: {name} {value:.3f} {sense} {bound}: {'met' if met else 'NOT met'}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.understanding.evaluate", description=__doc__)
    parser.add_argument(
        "cases", nargs="*", type=Path, default=[CASES], help="cases YAML files (several: measured pooled)"
    )
    parser.add_argument("--failures", type=int, default=25, help="how many of our failures to print")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline (no training)")
    args = parser.parse_args(argv)
    try:
        cases = [case for path in args.cases for case in load_cases(path)]
        for network in sorted({network_of(case) for case in cases}):
            language_data(network)  # before any table is printed
    except (CasesError, LanguageDataError) as error:
        sys.exit(str(error))
    baseline = None if args.no_baseline else Baseline(progress=lambda line: print(line, file=sys.stderr))
    print(f"{', '.join(map(str, args.cases))}: {len(cases)} cases")
    print(HEADER)
    for name, subset in subsets(cases):
        ours = evaluate(subset)
        print(table_row(name, "ours", ours, slots=True))
        if baseline is not None:
            print(table_row("", "baseline", evaluate_baseline(subset, baseline), slots=False))
    ours = evaluate(cases)
    if baseline is not None:
        base = evaluate_baseline(cases, baseline)
        ratio = ours.error_rate / base.error_rate if base.error_rate else float("inf")
        print(f"error rate: ours {ours.error_rate:.3f}, baseline {base.error_rate:.3f} (ratio {ratio:.2f})")
        for line in targets(ours, ratio):
            print(line)
    for lang in ("fr", "en", "ar", None):
        subset = [c for c in cases if lang is None or c["lang"] == lang]
        if not subset:
            continue
        report = evaluate(subset)
        detected = report.language_right / report.cases
        print(
            f"{lang or 'all'}: {report.cases} cases, intent accuracy {report.accuracy:.3f}, "
            f"slot F1 {report.f1()[2]:.3f}, language detected right {detected:.3f}"
        )
        for slot in SLOTS:
            p, r, f = report.f1(slot)
            print(f"    {slot:7} precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    print(f"worst failures ({len(ours.failures)} cases with a mistake), first {args.failures}:")
    for failure in ours.failures[: args.failures]:
        print(f"  {failure}")


if __name__ == "__main__":
    main()
