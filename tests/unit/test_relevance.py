"""Routing quality on the blind relevance tables, with floors: a ranking change that buries the specialist,
shows an entry that covers no stated need before one that does, or stops admitting gaps fails here.

`python -m tools.relevance [TABLE]` prints the full table; the floors sit a little under today's figures
(docs/matching.md). `judgments.yaml` is the table the weights were chosen on; `heldout.yaml` was written
blind afterwards and never tuned on.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tools.relevance import evaluate

FLOORS = {
    # Just under the figures of 2026-12-04 (towns understood by the bot itself): 0.851 / 0.899 / 1.0 on the
    # tuning table, 0.768 / 0.807 / 0.854 on the held-out one.
    "judgments.yaml": {"ndcg": 0.848, "precision": 0.895, "specialist": 0.98, "gaps_admitted": 0.99},
    "heldout.yaml": {"ndcg": 0.76, "precision": 0.80, "specialist": 0.85, "gaps_admitted": 0.99},
}
# Needs said uncovered although the judge found a relevant entry. The held-out table has one (measured on
# 2026-12-04 and not examined: that table is read only as an aggregate): the gap rule counts a generic
# entry that lists a need after its main purpose as covering it only in passing, which admits every judged
# gap on both tables at that price (docs/matching.md).
FALSE_GAPS = {"judgments.yaml": 0, "heldout.yaml": 1}


@pytest.mark.parametrize("table", sorted(FLOORS))
def test_routing_quality_stays_above_its_floors(table: str) -> None:
    scores = evaluate(ROOT / "tests" / "relevance" / table)["all"]
    summary = scores.summary
    assert scores.profiles >= 40
    assert summary["need_first"] == 1.0, "an entry covering no stated need came before one that does"
    assert summary["false_gaps"] <= FALSE_GAPS[table], (
        "a need said uncovered although a judged entry covers it"
    )
    for metric, floor in FLOORS[table].items():
        assert summary[metric] >= floor, f"{metric} {summary[metric]:.3f} fell under {floor} on {table}"
