"""Intent classification over a delexicalised message, with the facts replaced by their kind.

"chu en démarrage à Rimouski" and "we're a startup in Sherbrooke" both become "... _stage_ ... _region_",
so the model learns how people *ask* from the examples, not which towns they named. The model is the
trained classifier of `classifier.py` (word and character n-grams, logistic regression). Unknown long words
are first corrected to the nearest known word; an exact match of a whole example wins outright.

A second model of the same kind reads the words as written (towns and all): averaged with the first, it
catches what the placeholders hide ("a loan for a boat" next to "a loan for my business"). Chosen on the
blind development set (tests/understanding/dev.yaml: intent accuracy 0.940 -> 0.948, out-of-scope precision
0.961 -> 0.974); its share, RAW_WEIGHT, was then chosen by cross-validation over the corpus
(`python -m bot.understanding.crossval`); the held-out set never saw either choice.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from rapidfuzz import fuzz, process

from bot.understanding.classifier import QUESTION, LinearModel, load_or_train

CORRECT_MIN_LENGTH = 5
CORRECT_CUTOFF = 80  # 'mersi' -> 'merci' (80); a wrong correction still has to win the vote
EXACT_CONFIDENCE = 0.99
# A feature of one example only is left out: the models take 17 MB less and cross-validation over the corpus
# says 0.911 against 0.907 (issue 12); an example still counts whole, as an exact match (docs/language-data.md).
MIN_DF = 2
RAW_WEIGHT = (
    0.4  # the share of the model of the words as written (0.3-0.6 tried: 0.4 best in cross-validation)
)


def exact_key(words: list[str]) -> str:
    """The words of a message or an example as an exact match sees them: with or without a question mark."""
    return " ".join(w for w in words if w != QUESTION)


class IntentModel:
    """The classifier of one language, with its exact matches and its spelling correction."""

    def __init__(
        self, examples: dict[str, list[list[str]]], raw_examples: dict[str, list[list[str]]] | None = None
    ) -> None:
        self.intents = sorted(examples)
        self.exact: dict[str, str] = {}
        for intent in self.intents:
            for words in examples[intent]:
                self.exact.setdefault(exact_key(words), intent)
        self.model: LinearModel = load_or_train(examples, MIN_DF)
        self.raw: LinearModel | None = load_or_train(raw_examples, MIN_DF) if raw_examples else None
        counts = Counter(w for phrases in examples.values() for words in phrases for w in words)
        self.vocabulary = set(counts)
        self.words_by_shape: dict[tuple[str, int], list[str]] = defaultdict(list)
        # the commoner word first, then alphabetical: a correction between equally near words is the same
        # in every process (a set's order changes with each start, and "labes" was "labas" or "label")
        for word in sorted(counts, key=lambda w: (-counts[w], w)):
            if len(word) >= CORRECT_MIN_LENGTH and not word.startswith(("_", "<")):
                self.words_by_shape[(word[0], len(word))].append(word)

    def correct(self, words: list[str]) -> list[str]:
        """Replace unknown long words by the nearest known word, when one is close enough."""
        fixed = []
        for word in words:
            if word in self.vocabulary or len(word) < CORRECT_MIN_LENGTH or word.startswith(("_", "<")):
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

    def probabilities(self, words: list[str]) -> dict[str, float]:
        """Every intent's probability for a delexicalised message (already corrected)."""
        return self.model.probabilities(words)

    def knows_any(self, words: list[str]) -> bool:
        """Whether any of the words is a word of the examples (keyboard mash is none)."""
        return any(word in self.vocabulary for word in words)

    def predict(self, words: list[str], raw_words: list[str] | None = None) -> tuple[str, float]:
        """(intent, probability) for a delexicalised message, averaged with the model of the words as
        written (`raw_words`) when given; an exact example wins outright."""
        probabilities = self.distribution(words, raw_words)
        best = max(probabilities, key=probabilities.__getitem__)
        return best, probabilities[best]

    def distribution(self, words: list[str], raw_words: list[str] | None = None) -> dict[str, float]:
        """Every intent's probability, as `predict` weighs them (an exact example: that intent at 0.99)."""
        words = self.correct(words)
        exact = self.exact.get(exact_key(words))
        if exact is not None:
            return {exact: EXACT_CONFIDENCE}
        probabilities = self.probabilities(words)
        if raw_words is not None and self.raw is not None:
            raw = self.raw.probabilities(raw_words)
            probabilities = {
                intent: (1 - RAW_WEIGHT) * p + RAW_WEIGHT * raw.get(intent, 0.0)
                for intent, p in probabilities.items()
            }
        return probabilities
