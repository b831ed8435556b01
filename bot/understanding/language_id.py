"""Which offered language a message is in, when nothing else says it (a first message from someone whose
Telegram language the network does not offer).

Arabic script is Arabic. Otherwise each Latin-script language (Arabizi counts: "nheb n7al ma7al f Wahran")
scores the words of the message that lean its way: words its own language data uses and no other offered
language does, and words shared but used at least `LEANING` times as often, per word of data, as in any
other ("hi", "thanks", "nope" appear in the French data too, where Québec speakers borrow them, but far more
often in the English), which count for less (`SHARED`). A tie, or no leaning word at all, is the network's default
language. A language read but not answered in (Arabic in Québec) leans by its own Latin words only, the ones
no offered language's data or catalog uses ("rani", "3andi", "nhawes"), and at least `BORROWED_WORDS` of them:
Arabizi is then read as Arabic, and the offered languages lean among themselves as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from bot.understanding.normalize import normalize
from bot.understanding.schema import LanguageFile

LEANING = 4.0  # how much more often (per word of data) a shared word must be used to lean one way
OWN = 1.0  # the weight of a word only one language's data uses
SHARED = 0.3  # of a shared word that leans: "merci bzaf" is Arabizi, "hi" alone is English
# A language read but not offered needs this many of its own words: one word the offered languages' data
# happens to lack ("construction sector") does not make English Arabizi.
BORROWED_WORDS = 2


def data_words(data: LanguageFile) -> Counter[str]:
    """How often each word appears in a language's own data: its example phrases (corpus included) and its
    synonyms; the catalog's labels and places are not a language's own."""
    counts: Counter[str] = Counter()
    for phrases in data.intents.values():
        for phrase in phrases:
            counts.update(normalize(phrase).split())
    for slot in ("stage", "sector", "need"):
        for phrases in getattr(data.synonyms, slot).values():
            for phrase in phrases:
                counts.update(normalize(phrase).split())
    return counts


def leaning_words(counts: Mapping[str, Counter[str]]) -> dict[str, dict[str, float]]:
    """Each language's words that lean its way, and how much: `OWN` for a word no other offered language
    uses, `SHARED` for one it merely uses far more often (see the module's docstring)."""
    totals = {lang: max(1, sum(words.values())) for lang, words in counts.items()}
    out: dict[str, dict[str, float]] = {}
    for lang, words in counts.items():
        others = [(counts[o], totals[o]) for o in counts if o != lang]
        out[lang] = {
            word: OWN if all(c[word] == 0 for c, _t in others) else SHARED
            for word, count in words.items()
            if all(c[word] == 0 or count / totals[lang] >= LEANING * c[word] / t for c, t in others)
        }
    return out


def latin_own_words(counts: Counter[str], offered: Iterable[frozenset[str]]) -> dict[str, float]:
    """The Latin-script words of a language read but not offered that none of the offered languages knows."""
    known = frozenset().union(*offered)
    return {word: OWN for word in counts if word.isascii() and word not in known}


def best_language(words: Iterable[str], leaning: Mapping[str, Mapping[str, float]], default: str) -> str:
    """The language whose leaning words weigh most in the message; `default` on a tie or with none."""
    message = list(words)
    scores = {lang: sum(own.get(word, 0.0) for word in message) for lang, own in leaning.items()}
    best = max(scores.values(), default=0)
    if best == 0 or list(scores.values()).count(best) > 1:
        return default
    return max(scores, key=scores.__getitem__)
