"""The plain statistical baseline the evaluation compares the understanding with (`bot.understanding.evaluate`).

TF-IDF character n-grams (2-5, within words) + logistic regression on the raw example phrases of
`intents/<lang>.yaml` and the messages of `intents/corpus/`: what a plain statistical classifier does with
the same data. It is never used by the bot.

Fitting it takes about 40 s of CPU (20 s on 2 cores), every time the evaluation ran, although `intents/`
rarely changed in between. The fitted models are kept in the model cache (`AIGUILLEUR_MODEL_CACHE`, as for
the intent models; "off" writes nothing), under a key made of every YAML file of the folder, the
parameters below and scikit-learn's version: any edit of the data fits it again. The file is a pickle
(scikit-learn's own way to keep a fitted model), read only from that folder of the user's own; a damaged or
unreadable one is fitted again. Two processes that need it at once (the test workers) fit it once: the
second waits for the first behind a lock file (POSIX systems; elsewhere both fit).
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bot.catalog.yamlfile import load_trusted
from bot.understanding.cache_files import keep_recent, mark_used, write_atomically
from bot.understanding.classifier import cache_folder
from bot.understanding.corpus import load_corpus

INTENTS_DIR = Path(__file__).resolve().parent.parent.parent / "intents"
# Changing the pipeline below? Change this too, so that no model fitted the old way is read back.
BASELINE_VERSION = 1
NGRAMS = (2, 5)
C = 10.0
MAX_ITER = 2000


class Baseline:
    """One fitted pipeline per language of the folder."""

    def __init__(
        self, directory: Path = INTENTS_DIR, progress: Callable[[str], object] | None = None
    ) -> None:
        self.directory = Path(directory)
        self.progress = progress  # told when a fit starts (the only slow part)
        self.fitted = False  # True when this object fitted its models, False when it read them back
        self.models: dict[str, Any] = self._read_or_fit()

    def predict(self, texts: list[str], lang: str) -> list[str]:
        return [str(label) for label in self.models[lang].predict(texts)] if texts else []

    def _fit(self) -> dict[str, Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer  # evaluation only
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        if self.progress is not None:
            self.progress(f"fitting the baseline on {self.directory} (about 20 s; kept for the next runs)")
        models = {}
        corpus, _problems = load_corpus(self.directory)
        for path in sorted(self.directory.glob("*.yaml")):
            data = load_trusted(path.read_text(encoding="utf-8"))
            examples = {
                intent: [*phrases, *corpus.get(data["language"], {}).get(intent, ())]
                for intent, phrases in data["intents"].items()
            }
            texts = [p for phrases in examples.values() for p in phrases]
            labels = [intent for intent, phrases in examples.items() for _ in phrases]
            pipeline = make_pipeline(
                TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True),
                LogisticRegression(C=C, max_iter=MAX_ITER),
            )
            models[data["language"]] = pipeline.fit(texts, labels)
        self.fitted = True
        return models

    def _read_or_fit(self) -> dict[str, Any]:
        """The models fitted on this very data: from the cache, or fitted (and written there)."""
        folder = cache_folder()
        if folder is None:
            return self._fit()
        key = _key(self.directory)
        path = folder / f"baseline-{key}.pickle"
        with _locked(folder / "baseline.lock"):
            models = _read(path, key)
            if models is not None:
                mark_used(path)
                return models
            models = self._fit()
            write_atomically(path, lambda out: pickle.dump({"key": key, "models": models}, out))
        keep_recent(folder, "baseline-*.pickle", keep=2)
        return models


def _key(directory: Path) -> str:
    """Every YAML file of the folder (names and bytes), the pipeline's parameters, scikit-learn's version."""
    import sklearn

    digest = hashlib.sha256(repr((BASELINE_VERSION, NGRAMS, C, MAX_ITER, sklearn.__version__)).encode())
    for path in sorted(directory.rglob("*.yaml")):
        digest.update(str(path.relative_to(directory)).encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def _read(path: Path, key: str) -> dict[str, Any] | None:
    try:
        kept = pickle.loads(path.read_bytes())  # noqa: S301 - the user's own cache folder (module docstring)
    except Exception:  # missing, half-written, or written by another scikit-learn: fitted again
        return None
    models = kept.get("models") if isinstance(kept, dict) and kept.get("key") == key else None
    return models if isinstance(models, dict) else None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` while the cache is read or written; none where fcntl is missing, or the
    folder cannot be written (both processes then fit)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
