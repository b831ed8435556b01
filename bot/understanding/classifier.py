"""The intent classifier: word and character n-gram TF-IDF, multinomial logistic regression (scikit-learn).

Trained on the example phrases of `intents/<lang>.yaml` after delexicalisation ("je suis en _stage_ a
_region_"), so it learns how people *ask*, not which towns they name. scikit-learn fits it; a message is then
scored here in plain Python (a few hundred multiply-adds over the message's features), because scikit-learn's
per-call checks cost more than the whole understanding, and importing it (or even numpy) at every start-up
would cost more than the whole language data.

A fitted model is cached on disk, keyed by a hash of everything it was trained on (the delexicalised examples
and the settings below), as its features (one UTF-8 block, a line each) and raw little-endian 32-bit floats:
a start-up with unchanged language data reads about 1.5 MB a model instead of importing scikit-learn and
training (see `python -m tools.bench_understanding`). Edit `intents/` and the next start-up trains again.
`AIGUILLEUR_MODEL_CACHE` chooses the folder (default `$XDG_CACHE_HOME/aiguilleur`; "off" never writes one).

In memory a model is kept small, since the bot holds its models for its whole life (issue 12): weights and
idf as 32-bit floats (no probability of the test and corpus tables moves by 1e-7), one string per feature
shared by every model that has it, and one int object per row number shared likewise. A freshly trained
model is rounded the same way, so a cached model scores exactly as the one trained.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter, mul
from pathlib import Path
from typing import Any, BinaryIO

from bot.understanding.cache_files import keep_recent, mark_used, write_atomically

MODEL_VERSION = 10  # bump when the features, the training or the cache format change: old caches are ignored
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 4)
CHAR_WEIGHT = 1.5  # the character block against the word block (each L2-normalised first); chosen by CV
C = 10.0  # inverse regularisation of the logistic regression
CLASS_WEIGHT: str | None = None  # "balanced" weighs the classes by their inverse frequency; chosen by CV
TEMPERATURE = 1.0  # softmax temperature applied to the scores (1.0: the probabilities of the fitted model)
# Words whose character n-gram rows each model remembers: the common words come back message after message;
# about 400 bytes each, so 5,000 bound what a long run adds to about 2 MB per model (50,000 allowed 20).
WORD_CACHE = 5_000
# Appended to a message (or an example) that asks a question: "?" or "؟" is gone once normalised.
QUESTION = "<q>"
# Appended when the message speaks of a business of the person's own, or of their personal life.
OWN_BUSINESS = "<own>"
PERSONAL = "<personal>"


def word_features(words: Sequence[str]) -> list[str]:
    """Words and word pairs (placeholders such as `_region_` included), and a marker of very short messages."""
    out = list(words)
    out.extend(f"{a} {b}" for a, b in itertools.pairwise(words))
    if len(words) <= 2:
        out.append("<short>")
    return out


def char_features(words: Sequence[str]) -> list[str]:
    """Character n-grams inside each word padded with spaces (scikit-learn's `char_wb`); placeholders whole."""
    low, high = CHAR_NGRAMS
    out: list[str] = []
    for word in words:
        if word.startswith(("_", "<")):
            out.append(word)
            continue
        padded = f" {word} "
        size = len(padded)
        for n in range(low, min(high, size) + 1):
            out.extend(padded[i : i + n] for i in range(size - n + 1))
    return out


def _analyse_words(text: str) -> list[str]:
    return word_features(text.split())


def _analyse_chars(text: str) -> list[str]:
    return char_features(text.split())


@dataclass
class LinearModel:
    """A fitted model as plain data: feature -> row, idf per row, weights (classes x rows: one class's weights
    after the other, as scikit-learn's `coef_` holds them), intercepts."""

    classes: tuple[str, ...]
    word_index: dict[str, int]
    char_index: dict[str, int]
    idf: array[float]
    weights: array[float]
    intercept: array[float]

    def row(self, index: int) -> list[float]:
        """One feature's weight for each class."""
        return [column[index] for column in self.columns]

    @cached_property
    def columns(self) -> list[memoryview]:
        """The weights one class at a time (views, no copy): a message is then scored with one C-level pass
        per class over its few hundred features instead of a Python loop per feature."""
        size = len(self.idf)
        whole = memoryview(self.weights)
        return [whole[k * size : (k + 1) * size] for k in range(len(self.classes))]

    @cached_property
    def _rows_of_word(self) -> dict[str, list[int]]:
        return {}

    def _char_rows(self, word: str) -> list[int]:
        """The rows of a word's character n-grams, remembered: most words come back message after message."""
        rows = self._rows_of_word.get(word)
        if rows is None:
            index = self.char_index
            rows = [index[f] for f in char_features((word,)) if f in index]
            if len(self._rows_of_word) < WORD_CACHE:
                self._rows_of_word[word] = rows
        return rows

    def scores(self, words: Sequence[str]) -> list[float]:
        rows: list[int] = []
        factors: list[float] = []
        idf = self.idf
        word_index = self.word_index
        for counts, scale in (
            (Counter([word_index[f] for f in word_features(words) if f in word_index]), 1.0),
            (Counter(itertools.chain.from_iterable(map(self._char_rows, words))), CHAR_WEIGHT),
        ):
            if not counts:
                continue
            values = [(1.0 + math.log(n)) * idf[row] for row, n in counts.items()]
            norm = math.sqrt(sum(v * v for v in values)) or 1.0
            rows.extend(counts)
            factors.extend(scale * v / norm for v in values)
        totals = list(self.intercept)
        if not rows:
            return totals
        pick = itemgetter(*rows) if len(rows) > 1 else (lambda column: (column[rows[0]],))
        for k, column in enumerate(self.columns):
            totals[k] += sum(map(mul, factors, pick(column)))
        return totals

    def probabilities(self, words: Sequence[str]) -> dict[str, float]:
        scores = [score / TEMPERATURE for score in self.scores(words)]
        top = max(scores)
        exp = [math.exp(score - top) for score in scores]
        total = sum(exp)
        return {intent: value / total for intent, value in zip(self.classes, exp, strict=True)}


def _floats(values: Iterable[float]) -> array[float]:
    """32-bit floats, half the memory of doubles: a trained model is rounded as its cache stores it, so that
    the model trained and the model read back score alike."""
    return array("f", (float(v) for v in values))


# One object per row number and per feature string, shared by every model of the process: the bot's four
# models hold about 92,000 features, 42,000 distinct strings (the two models of a language share most).
# Like _MEMORY, these only grow: by the features of each new model a process trains or reads.
_ROWS: list[int] = []
_STRINGS: dict[str, str] = {}


def _rows(start: int, stop: int) -> list[int]:
    """The row numbers start..stop-1 as shared int objects (range() would make new ones each time)."""
    if len(_ROWS) < stop:
        _ROWS.extend(range(len(_ROWS), stop))
    return _ROWS[start:stop]


def _index(features: Iterable[str], start: int) -> dict[str, int]:
    """feature -> row, numbered from `start`, with the shared string and int objects."""
    shared = [_STRINGS.setdefault(f, f) for f in features]
    return dict(zip(shared, _rows(start, start + len(shared)), strict=True))


def train(examples: dict[str, list[list[str]]], min_df: int = 1) -> LinearModel:
    """Fit the model with scikit-learn (imported here: a cached model never needs it). A feature (word, word
    pair or character n-gram) found in fewer than `min_df` examples is left out."""
    from scipy.sparse import hstack  # heavy: only when training
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [" ".join(words) for phrases in examples.values() for words in phrases]
    labels = [intent for intent, phrases in examples.items() for _ in phrases]
    if len(set(labels)) < 2:  # nothing to tell apart: one class, always
        only = labels[0] if labels else "out_of_scope"
        return LinearModel((only,), {}, {}, array("f"), array("f"), array("f", [0.0]))

    def fitted(analyse: Callable[[str], list[str]]) -> tuple[TfidfVectorizer, Any]:
        for least in (min_df, 1):  # a few examples sharing no feature at all keep every one
            vectorizer = TfidfVectorizer(analyzer=analyse, sublinear_tf=True, lowercase=False, min_df=least)
            with contextlib.suppress(ValueError):  # "After pruning, no terms remain"
                return vectorizer, vectorizer.fit_transform(texts)
        raise ValueError("no example has a feature to learn from")

    (word_vectorizer, word_matrix), (char_vectorizer, char_matrix) = map(
        fitted, (_analyse_words, _analyse_chars)
    )
    char_matrix = char_matrix * CHAR_WEIGHT
    model = LogisticRegression(
        C=C, class_weight=CLASS_WEIGHT, solver="newton-cg", max_iter=1000
    )  # 5x faster than lbfgs here
    model.fit(hstack([word_matrix, char_matrix]).tocsr(), labels)
    words = sorted(word_vectorizer.vocabulary_, key=word_vectorizer.vocabulary_.__getitem__)
    chars = sorted(char_vectorizer.vocabulary_, key=char_vectorizer.vocabulary_.__getitem__)
    coef, intercept = model.coef_, model.intercept_
    if len(model.classes_) == 2:  # one row for two classes: p(second) = sigmoid(s) = softmax(-s/2, s/2)
        coef, intercept = [-coef[0] / 2, coef[0] / 2], [-intercept[0] / 2, intercept[0] / 2]
    return LinearModel(
        tuple(str(c) for c in model.classes_),
        _index(words, 0),
        _index(chars, len(words)),
        _floats([*word_vectorizer.idf_, *char_vectorizer.idf_]),
        _floats(itertools.chain.from_iterable(coef)),  # one class after the other
        _floats(intercept),
    )


# --- the cache -------------------------------------------------------------------------------------------

_MEMORY: dict[str, LinearModel] = {}


def cache_key(examples: dict[str, list[list[str]]], min_df: int = 1) -> str:
    digest = hashlib.sha256()
    settings = [MODEL_VERSION, WORD_NGRAMS, CHAR_NGRAMS, CHAR_WEIGHT, C, CLASS_WEIGHT, min_df]
    digest.update(json.dumps([settings, sorted(examples.items())], ensure_ascii=False).encode())
    return digest.hexdigest()[:32]


def cache_folder() -> Path | None:
    chosen = os.environ.get("AIGUILLEUR_MODEL_CACHE")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "aiguilleur"


def _read(path: Path) -> LinearModel | None:
    """A cached model: a small JSON header (classes, counts), the features, three blocks of 32-bit floats.

    Read through a memoryview, so that no block is copied on its way into its array."""
    try:
        raw = memoryview(path.read_bytes())
        header_size = int.from_bytes(raw[:8], "little")
        header = json.loads(str(raw[8 : 8 + header_size], "utf-8"))
        offset = 8 + header_size + header["features"]
        text = str(raw[8 + header_size : offset], "utf-8")
        features = text.split("\n") if text else []
        blocks = []
        for count in header["sizes"]:
            block = array("f")
            block.frombytes(raw[offset : offset + 4 * count])
            if sys.byteorder != "little":
                block.byteswap()
            blocks.append(block)
            offset += 4 * count
        classes = tuple(header["classes"])
        idf, weights, intercept = blocks
        words = header["words"]
        if (
            offset != len(raw)
            or not 0 <= words <= len(features)
            or len(features) != len(idf)
            or len(weights) != len(idf) * len(classes)
            or len(intercept) != len(classes)
        ):
            return None
        return LinearModel(
            classes, _index(features[:words], 0), _index(features[words:], words), idf, weights, intercept
        )
    except (OSError, KeyError, ValueError, TypeError):
        return None  # missing, half-written by a crash, or damaged: train again


def _write(path: Path, model: LinearModel) -> None:
    """The cache file: an 8-byte header size, a JSON header, the features, then the three float blocks."""
    blocks = [model.idf, model.weights, model.intercept]
    features = [
        *sorted(model.word_index, key=model.word_index.__getitem__),
        *sorted(model.char_index, key=model.char_index.__getitem__),
    ]
    if any("\n" in f for f in features):
        return  # cannot happen (features come from str.split()), but would make a cache that never reads
    blob = "\n".join(features).encode("utf-8")
    header = {
        "classes": list(model.classes),
        "words": len(model.word_index),
        "features": len(blob),
        "sizes": [len(block) for block in blocks],
    }
    encoded = json.dumps(header, ensure_ascii=False).encode("utf-8")

    def write(out: BinaryIO) -> None:
        out.write(len(encoded).to_bytes(8, "little"))
        out.write(encoded)
        out.write(blob)
        for block in blocks:
            block = array("f", block)  # a copy: 32-bit floats in little-endian order whatever given
            if sys.byteorder != "little":
                block.byteswap()
            out.write(block.tobytes())

    write_atomically(path, write)


def load_or_train(examples: dict[str, list[list[str]]], min_df: int = 1) -> LinearModel:
    """The model for these examples: from memory, from the disk cache, or trained (and cached)."""
    key = cache_key(examples, min_df)
    model = _MEMORY.get(key)
    if model is not None:
        return model
    folder = cache_folder()
    path = folder / f"intent-model-{key}.bin" if folder else None
    model = _read(path) if path else None
    if model is not None and path:
        mark_used(path)
    if model is None:
        model = train(examples, min_df)
        if path:
            _write(path, model)
            keep_recent(path.parent, "intent-model-*.bin")
    _MEMORY[key] = model
    return model
