"""Understanding on the two blind sets, with floors under today's figures (docs/language-data.md): a change
that helps the regression table but hurts messages nobody tuned for fails here.

`dev.yaml` was written blind and studied (its failures guided the data and the rules); `heldout.yaml` was
written blind by someone else and never looked into: it is only measured; `heldout2.yaml` was written blind
by a third writer given the labelling convention of docs/language-data.md, and is only measured too.
"""

from __future__ import annotations

import pytest

from bot.understanding.evaluate import evaluate, load_cases
from tests.support.personas import ROOT

FLOORS = {
    "dev.yaml": {"accuracy": 0.975, "oos_precision": 0.985, "oos_recall": 0.95, "slot_f1": 0.955},
    # Lowered on 2026-12-04 (were 0.85 / 0.95 / 0.95 / 0.92): the second pass on the labelling convention and
    # the stage cues raised dev (0.964 -> 0.982) and cross-validation (0.883 -> 0.906) but lowered the held-out
    # accuracy (0.865 -> 0.844) and out-of-scope recall (0.968 -> 0.935); kept, and said in issue 10's note.
    # Raised on 2026-12-04, third pass (0.863 / 1.000 / 0.961 / 0.951 measured).
    "heldout.yaml": {"accuracy": 0.855, "oos_precision": 0.98, "oos_recall": 0.95, "slot_f1": 0.94},
    # First measured on 2026-12-04, third pass: 0.947 / 0.964 / 0.931 / 0.908.
    "heldout2.yaml": {"accuracy": 0.94, "oos_precision": 0.95, "oos_recall": 0.92, "slot_f1": 0.90},
}
MINIMUM_CASES = {"dev.yaml": 450, "heldout.yaml": 450, "heldout2.yaml": 350}


@pytest.mark.parametrize("table", sorted(FLOORS))
def test_blind_sets_stay_above_their_floors(table: str) -> None:
    cases = load_cases(ROOT / "tests" / "understanding" / table)
    assert len(cases) >= MINIMUM_CASES[table]
    report = evaluate(cases)
    precision, recall = report.oos_precision_recall()
    measured = {
        "accuracy": report.accuracy,
        "oos_precision": precision,
        "oos_recall": recall,
        "slot_f1": report.f1()[2],
    }
    for metric, floor in FLOORS[table].items():
        assert measured[metric] >= floor, f"{metric} {measured[metric]:.3f} fell under {floor} on {table}"
