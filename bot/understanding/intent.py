"""Intent classification: naive Bayes over words and word pairs, with the facts replaced by their kind.

"chu en démarrage à Rimouski" and "we're a startup in Sherbrooke" both become "... _stage_ ... _region_",
so the model learns how people *ask* from the examples, not which towns they named. Unknown long words are
first corrected to the nearest known word. An exact match of a whole example wins outright.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict

from rapidfuzz import fuzz, process

SMOOTHING = 0.5
TEMPERATURE = 0.35
CORRECT_MIN_LENGTH = 5
CORRECT_CUTOFF = 80  # 'mersi' -> 'merci' (80); a wrong correction still has to win the vote


def features(words: list[str]) -> list[str]:
    """Words and word pairs without the facts themselves, a flag that there were facts, and a marker of
    very short messages ('oui', 'merci'). Facts alone do not tell a request from a statement; the words
    around them do ("je cherche", "looking for", "نحوس على")."""
    plain = [w for w in words if not w.startswith("_")]
    pairs = [f"{a}+{b}" for a, b in itertools.pairwise(plain)]
    flags = (["<facts>"] if len(plain) < len(words) else []) + (["<short>"] if len(words) <= 2 else [])
    return [*plain, *pairs, *flags]


class IntentModel:
    """A small, fast, explainable classifier trained on the examples of one language."""

    def __init__(self, examples: dict[str, list[list[str]]]) -> None:
        self.intents = sorted(examples)
        self.exact: dict[str, str] = {}
        counts: dict[str, Counter[str]] = {intent: Counter() for intent in self.intents}
        for intent, phrases in examples.items():
            for words in phrases:
                self.exact.setdefault(" ".join(words), intent)
                counts[intent].update(features(words))
        self.vocabulary = {f for counter in counts.values() for f in counter}
        size = len(self.vocabulary)
        self.log_likelihood: dict[str, dict[str, float]] = {}
        self.unseen: dict[str, float] = {}
        for intent, counter in counts.items():
            total = sum(counter.values()) + SMOOTHING * size
            self.log_likelihood[intent] = {f: math.log((n + SMOOTHING) / total) for f, n in counter.items()}
            self.unseen[intent] = math.log(SMOOTHING / total)
        self.words_by_shape: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in self.vocabulary:
            if "+" not in word and len(word) >= CORRECT_MIN_LENGTH:
                self.words_by_shape[(word[0], len(word))].append(word)

    def correct(self, words: list[str]) -> list[str]:
        """Replace unknown long words by the nearest known word, when one is close enough."""
        fixed = []
        for word in words:
            if word in self.vocabulary or len(word) < CORRECT_MIN_LENGTH or word.startswith("_"):
                fixed.append(word)
                continue
            candidates = [
                w
                for n in range(len(word) - 2, len(word) + 3)
                for w in self.words_by_shape.get((word[0], n), ())
            ]
            best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=CORRECT_CUTOFF)
            fixed.append(best[0] if best else word)
        return fixed

    def predict(self, words: list[str]) -> tuple[str, float]:
        """(intent, probability) for a delexicalised message; nothing known means out of scope."""
        words = self.correct(words)
        exact = self.exact.get(" ".join(words))
        if exact is not None:
            return exact, 0.99
        known = [f for f in features(words) if f in self.vocabulary]
        if not [f for f in known if f != "<short>"]:  # being short says nothing: "zzzzqqq" is not a "yes"
            return "out_of_scope", 0.5
        scores = {
            intent: sum(table.get(f, self.unseen[intent]) for f in known) / len(known)
            for intent, table in self.log_likelihood.items()
        }
        top = max(scores.values())
        weights = {intent: math.exp((score - top) / TEMPERATURE) for intent, score in scores.items()}
        best = max(weights, key=weights.__getitem__)
        return best, weights[best] / sum(weights.values())
