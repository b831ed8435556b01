"""Text normalisation shared by every fuzzy comparison: done once per text, never inside a scorer.

Casefold, strip accents, turn hyphens, apostrophes and punctuation into spaces, collapse spaces, so that
"Démarrage", "demarrage" and "DÉMARRAGE!" compare equal and typos are all that is left to tolerate.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """A comparable form of `text`: lower case, no accents, words separated by single spaces."""
    lowered = text.casefold()
    if lowered.isascii():  # most words: nothing to decompose (and start-up folds some 20,000 phrases)
        return _NOT_WORD.sub(" ", lowered).strip()
    decomposed = unicodedata.normalize("NFKD", lowered)
    if decomposed.isascii():
        return _NOT_WORD.sub(" ", decomposed).strip()
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", stripped).strip()
