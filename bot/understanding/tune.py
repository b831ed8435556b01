"""Tuning the thresholds of `understand.py` (and `understanding.py`'s safe-action bar) by cross-validation
on `intents/` only (never on a test table).

    .venv/bin/python -m bot.understanding.tune [folds]

Each language's delexicalised examples are split in stratified folds; the classifier is trained on the
others and scores the fold it has not seen. On these out-of-fold probabilities it prints the accuracy, then
the threshold that works best for each rule:

- REJECT_BELOW: a message without facts whose best intent is less sure than this is out of scope;
- OFF_TOPIC_CONFIDENCE: an out-of-scope guess at least this sure stays out of scope although it has facts;
- SAFE_ACTION_CONFIDENCE: the lowest confidence from which restart / forget_me / change_language guesses
  are right at least 98% of the time (never under 0.85).
"""

from __future__ import annotations

import sys

from bot.understanding.classifier import train
from bot.understanding.clauses import STATE_CHANGING
from bot.understanding.evaluate import language_data, understander

GRID = [round(0.05 * i, 2) for i in range(1, 20)]
SAFE_PRECISION = 0.98
SAFE_FLOOR = 0.85


def out_of_fold(examples: dict[str, list[list[str]]], folds: int) -> list[tuple[str, dict[str, float], bool]]:
    """(expected intent, probabilities, has facts) of every example, scored by a model that did not see it."""
    from sklearn.model_selection import StratifiedKFold  # a development tool

    items = [(intent, words) for intent in sorted(examples) for words in examples[intent]]
    labels = [intent for intent, _ in items]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=7)
    scored = []
    for train_rows, test_rows in splitter.split(items, labels):
        subset: dict[str, list[list[str]]] = {}
        for row in train_rows:
            subset.setdefault(items[row][0], []).append(items[row][1])
        model = train(subset)
        for row in test_rows:
            intent, words = items[row]
            facts = any(w.startswith("_") for w in words)
            scored.append((intent, model.probabilities(words), facts))
    return scored


def best(probabilities: dict[str, float]) -> tuple[str, float]:
    intent = max(probabilities, key=probabilities.__getitem__)
    return intent, probabilities[intent]


def tune(scored: list[tuple[str, dict[str, float], bool]]) -> dict[str, float]:
    plain = [(e, p) for e, p, facts in scored if not facts]
    with_facts = [(e, p) for e, p, facts in scored if facts]

    def reject_accuracy(t: float) -> float:
        right = 0
        for expected, probabilities in plain:
            intent, confidence = best(probabilities)
            right += (intent if confidence >= t else "out_of_scope") == expected
        return right / max(len(plain), 1)

    def off_topic_accuracy(t: float) -> float:
        right = 0
        for expected, probabilities in with_facts:
            intent, confidence = best(probabilities)
            if intent == "out_of_scope" and confidence < t:
                intent = "inform"
            right += intent == expected
        return right / max(len(with_facts), 1)

    def safe_precision(t: float) -> float:
        chosen = [(e, best(p)) for e, p in (s[:2] for s in scored) if best(p)[0] in STATE_CHANGING]
        acted = [(e, i) for e, (i, c) in chosen if c >= t]
        return sum(e == i for e, i in acted) / len(acted) if acted else 1.0

    reject = max(GRID, key=lambda t: (round(reject_accuracy(t), 4), -t))
    off_topic = max(GRID, key=lambda t: (round(off_topic_accuracy(t), 4), -t))
    safe = next((t for t in GRID if safe_precision(t) >= SAFE_PRECISION), GRID[-1])
    return {
        "accuracy": sum(best(p)[0] == e for e, p, _ in scored) / len(scored),
        "REJECT_BELOW": reject,
        "reject accuracy": reject_accuracy(reject),
        "OFF_TOPIC_CONFIDENCE": off_topic,
        "off-topic accuracy (examples with facts)": off_topic_accuracy(off_topic),
        "SAFE_ACTION_CONFIDENCE": max(safe, SAFE_FLOOR),
        "safe-action precision": safe_precision(max(safe, SAFE_FLOOR)),
    }


def main(folds: int = 5) -> None:
    everything: list[tuple[str, dict[str, float], bool]] = []
    for network, langs in (("quebec", ("fr", "en")), ("algerie", ("ar",))):
        model = understander(network)
        data = language_data(network)
        for lang in langs:
            scored = out_of_fold(model.prepared_examples(data[lang], lang), folds)
            everything.extend(scored)
            print(lang, {k: round(v, 3) for k, v in tune(scored).items()})
    print("all", {k: round(v, 3) for k, v in tune(everything).items()})


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
