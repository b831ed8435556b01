"""How far two writers agree on the same messages, and how the understanding scores against each.

    .venv/bin/python -m bot.understanding.agreement FIRST.yaml SECOND.yaml

Both tables hold the same texts in the same order, labelled blind by two writers under the same convention
(`tests/understanding/agreement/` holds second labellings of blind tables). Printed, in the evaluation's
columns: the second writer read as if it were a system scored against the first (intent agreement, out of
scope, stage and slot agreement: slot F1 between two writers is symmetric), then ours against each writer,
then ours on the cases where both writers agree. The writers' agreement is the ceiling a target on a single
writer's table can be read against: a system cannot agree with one writer much more than writers agree
with each other.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.understanding.evaluate import (
    HEADER,
    SLOTS,
    CasesError,
    LanguageDataError,
    Report,
    evaluate,
    language_data,
    listed,
    load_cases,
    network_of,
    slot_values,
    table_row,
)


@dataclass(frozen=True)
class Labels:
    """A writer's labels of one case, read as a system's answer."""

    intent: str
    stage: str | None
    sector: str | None
    region: str | None
    needs: tuple[str, ...]
    confidence: float = 1.0

    @classmethod
    def of(cls, case: dict[str, object]) -> Labels:
        def one(slot: str) -> str | None:
            return None if case.get(slot) is None else str(case[slot])

        needs = tuple(str(need) for need in listed(case.get("needs")))
        return cls(str(case["intent"]), one("stage"), one("sector"), one("region"), needs)


def same_facts(first: dict[str, object], second: dict[str, object]) -> bool:
    return all(slot_values(first.get(slot), slot) == slot_values(second.get(slot), slot) for slot in SLOTS)


def paired(first: Path, second: Path) -> list[tuple[dict[str, object], dict[str, object]]]:
    """The two tables case by case; refused unless they hold the same texts in the same order."""
    a, b = load_cases(first), load_cases(second)
    if [case["text"] for case in a] != [case["text"] for case in b]:
        raise CasesError(f"{first} and {second} do not hold the same texts in the same order")
    return list(zip(a, b, strict=True))


def writers(pairs: list[tuple[dict[str, object], dict[str, object]]]) -> Report:
    """The second writer scored against the first."""
    report = Report()
    for first, second in pairs:
        report.count_case(first, Labels.of(second), str(second["lang"]))
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.understanding.agreement", description=__doc__)
    parser.add_argument("first", type=Path, help="a table as its first writer labelled it")
    parser.add_argument("second", type=Path, help="the same texts as a second writer labelled them")
    args = parser.parse_args(argv)
    try:
        pairs = paired(args.first, args.second)
        for network in sorted({network_of(case) for pair in pairs for case in pair}):
            language_data(network)
    except (CasesError, LanguageDataError) as error:
        sys.exit(str(error))
    first = [a for a, _ in pairs]
    second = [b for _, b in pairs]
    intents = [a for a, b in pairs if a["intent"] == b["intent"]]
    facts = [a for a, b in pairs if a["intent"] == b["intent"] and same_facts(a, b)]
    print(f"{args.first} and {args.second}: {len(pairs)} texts")
    print(HEADER)
    print(table_row("writers", "2nd/1st", writers(pairs), slots=True))
    print(table_row("ours", "1st", evaluate(first), slots=True))
    print(table_row("", "2nd", evaluate(second), slots=True))
    print(table_row("both agree: intent", "ours", evaluate(intents), slots=True))
    print(table_row("both agree: all", "ours", evaluate(facts), slots=True))
    per_slot = writers(pairs)
    print("writers' agreement per fact (F1): " + ", ".join(f"{s} {per_slot.f1(s)[2]:.3f}" for s in SLOTS))


if __name__ == "__main__":
    main()
