"""The training examples as the classifier sees them (normalised, clitics stripped, facts replaced by their
kind), cached beside the fitted models.

Preparing them means reading every phrase and corpus message for facts: with about 5,000 of them, that was
most of the start-up's understanding time. They depend only on the phrases, the lexicon (the language data's
synonyms, the catalog's labels and places) and the code that prepares them, so a start-up with none of these
changed reads them back instead (`python -m tools.bench_understanding`). The key hashes all three, the code
included: an edit of the normalisation or of the slot rules prepares them again, without a version to bump.
`AIGUILLEUR_MODEL_CACHE` chooses the folder, as for the models ("off": nothing is written).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

from bot.understanding.cache_files import keep_recent, mark_used, write_atomically
from bot.understanding.classifier import cache_folder
from bot.understanding.lexicon import Lexicon

Examples = dict[str, list[list[str]]]
HERE = Path(__file__).resolve().parent
# The code that turns a phrase into an example: a change to any of these files prepares the examples again.
SOURCES = (
    HERE / "normalize.py",
    HERE / "slots.py",
    HERE / "understand.py",
    *sorted(HERE.glob("business_*.py")),  # every stage rule module, a new one included
    HERE / "personal.py",
    HERE / "lexicon.py",
    HERE / "prepared.py",
    HERE.parent / "normalize.py",
)


@cache
def _code_digest() -> bytes:
    digest = hashlib.sha256()
    for source in SOURCES:
        digest.update(source.read_bytes())
    return digest.digest()


def key(phrases: dict[str, list[str]], lexicon: Lexicon, known: frozenset[str]) -> str:
    """What the examples of one language are made from: the code, the phrases and the lexicon."""
    digest = hashlib.sha256(_code_digest())
    facts = [
        sorted(lexicon.phrases.items()),
        lexicon.negations,
        lexicon.lacks,
        sorted(known),
        sorted(lexicon.towns.items()),
    ]
    digest.update(json.dumps([phrases, facts], ensure_ascii=False).encode())
    return digest.hexdigest()[:32]


def load_or_prepare(
    name: str, prepare: Callable[[], tuple[Examples, Examples]], kind: str = "intent"
) -> tuple[Examples, Examples]:
    """The (delexicalised, as written) examples stored under `name`, or prepared now and stored. `kind`:
    "intent" (the phrases) or "stage" (the corpus's messages by the stage they say, for the stage fallback:
    preparing them was half of a start-up's understanding time)."""
    folder = cache_folder()
    path = folder / f"{kind}-examples-{name}.json" if folder else None
    if path is not None:
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            stored = json.loads(path.read_text(encoding="utf-8"))
            mark_used(path)
            return stored["examples"], stored["raw"]
    examples, raw = prepare()
    if path is not None:
        content = json.dumps({"examples": examples, "raw": raw}, ensure_ascii=False).encode("utf-8")
        write_atomically(path, lambda out: out.write(content))
        keep_recent(path.parent, f"{kind}-examples-*.json")
    return examples, raw
