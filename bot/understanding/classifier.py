"""The intent classifier: word and character n-gram TF-IDF, multinomial logistic regression (scikit-learn).

Trained on the example phrases of `intents/<lang>.yaml` after delexicalisation ("je suis en _stage_ a
_region_"), so it learns how people *ask*, not which towns they name. scikit-learn fits it; a message is then
scored here with plain dictionaries and one small numpy product (a few microseconds), because scikit-learn's
per-call checks cost more than the whole understanding and importing it takes over a second.

A fitted model is cached on disk, keyed by a hash of everything it was trained on (the delexicalised examples
and the settings below): a start-up with unchanged language data reads about 1 MB instead of importing
scikit-learn and training (see `python -m tools.bench_understanding`). Edit `intents/` and the next start-up
trains again. `AIGUILLEUR_MODEL_CACHE` chooses the folder (default `$XDG_CACHE_HOME/aiguilleur`; "off" never
writes one).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_VERSION = 3  # bump when the features or the training change: cached models are then ignored
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 4)
CHAR_WEIGHT = 3.0  # the character block against the word block (each L2-normalised first); chosen by CV
C = 10.0  # inverse regularisation of the logistic regression
TEMPERATURE = 1.0  # softmax temperature applied to the scores (1.0: the probabilities of the fitted model)


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
        if word.startswith("_"):
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
    """A fitted model as plain data: feature -> row, idf per row, weights (rows x classes), intercepts."""

    classes: tuple[str, ...]
    word_index: dict[str, int]
    char_index: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray
    intercept: np.ndarray

    def scores(self, words: Sequence[str]) -> np.ndarray:
        rows: list[int] = []
        values: list[float] = []
        for index, features, scale in (
            (self.word_index, word_features(words), 1.0),
            (self.char_index, char_features(words), CHAR_WEIGHT),
        ):
            counts = Counter(index[f] for f in features if f in index)
            if not counts:
                continue
            block = [(row, (1.0 + math.log(n)) * float(self.idf[row])) for row, n in counts.items()]
            norm = math.sqrt(sum(v * v for _, v in block)) or 1.0
            for row, value in block:
                rows.append(row)
                values.append(scale * value / norm)
        if not rows:
            return self.intercept.copy()
        return np.asarray(values) @ self.weights[rows] + self.intercept

    def known(self, words: Sequence[str]) -> bool:
        """Whether the message has any word or word pair the model was trained on."""
        return any(f in self.word_index for f in word_features(words) if f != "<short>")

    def probabilities(self, words: Sequence[str]) -> dict[str, float]:
        scores = self.scores(words) / TEMPERATURE
        exp = np.exp(scores - scores.max())
        exp /= exp.sum()
        return dict(zip(self.classes, exp.tolist(), strict=True))


def train(examples: dict[str, list[list[str]]]) -> LinearModel:
    """Fit the model with scikit-learn (imported here: a cached model never needs it)."""
    from scipy.sparse import hstack  # heavy: only when training
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [" ".join(words) for phrases in examples.values() for words in phrases]
    labels = [intent for intent, phrases in examples.items() for _ in phrases]
    if len(set(labels)) < 2:  # nothing to tell apart: one class, always
        only = labels[0] if labels else "out_of_scope"
        return LinearModel((only,), {}, {}, np.zeros(0), np.zeros((0, 1)), np.zeros(1))
    vectorizers = [
        TfidfVectorizer(analyzer=analyse, sublinear_tf=True, lowercase=False)
        for analyse in (_analyse_words, _analyse_chars)
    ]
    word_matrix = vectorizers[0].fit_transform(texts)
    char_matrix = vectorizers[1].fit_transform(texts) * CHAR_WEIGHT
    model = LogisticRegression(C=C, solver="newton-cg", max_iter=1000)  # 5x faster than lbfgs here
    model.fit(hstack([word_matrix, char_matrix]).tocsr(), labels)
    words_vocabulary = vectorizers[0].vocabulary_
    offset = len(words_vocabulary)
    char_vocabulary = {f: offset + i for f, i in vectorizers[1].vocabulary_.items()}
    return LinearModel(
        tuple(str(c) for c in model.classes_),
        {f: int(i) for f, i in words_vocabulary.items()},
        {f: int(i) for f, i in char_vocabulary.items()},
        np.concatenate([vectorizers[0].idf_, vectorizers[1].idf_]).astype(np.float64),
        np.ascontiguousarray(model.coef_.T, dtype=np.float64),
        model.intercept_.astype(np.float64),
    )


# --- the cache -------------------------------------------------------------------------------------------

_MEMORY: dict[str, LinearModel] = {}


def cache_key(examples: dict[str, list[list[str]]]) -> str:
    digest = hashlib.sha256()
    settings = [MODEL_VERSION, WORD_NGRAMS, CHAR_NGRAMS, CHAR_WEIGHT, C]
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
    try:
        with np.load(path, allow_pickle=False) as saved:
            words = saved["words"].tolist()
            chars = saved["chars"].tolist()
            return LinearModel(
                tuple(saved["classes"].tolist()),
                dict(zip(words, range(len(words)), strict=True)),
                dict(zip(chars, range(len(words), len(words) + len(chars)), strict=True)),
                saved["idf"],
                saved["weights"],
                saved["intercept"],
            )
    except (OSError, KeyError, ValueError):
        return None  # missing, half-written by a crash, or from another numpy: train again


def _write(path: Path, model: LinearModel) -> None:
    """Write atomically (another process may be reading the same cache); a read-only disk is no error."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(
                    out,
                    classes=np.array(model.classes),
                    words=np.array(sorted(model.word_index, key=model.word_index.__getitem__) or [""])[
                        : len(model.word_index)
                    ],
                    chars=np.array(sorted(model.char_index, key=model.char_index.__getitem__) or [""])[
                        : len(model.char_index)
                    ],
                    idf=model.idf,
                    weights=model.weights,
                    intercept=model.intercept,
                )
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def load_or_train(examples: dict[str, list[list[str]]]) -> LinearModel:
    """The model for these examples: from memory, from the disk cache, or trained (and cached)."""
    key = cache_key(examples)
    model = _MEMORY.get(key)
    if model is not None:
        return model
    folder = cache_folder()
    path = folder / f"intent-model-{key}.npz" if folder else None
    model = _read(path) if path else None
    if model is None:
        model = train(examples)
        if path:
            _write(path, model)
    _MEMORY[key] = model
    return model
