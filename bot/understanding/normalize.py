"""Normalisation for understanding, done once per message and once per data item at load.

On top of `fold` (case, accents, punctuation, emoji): Arabic letter variants and tatweel, letters repeated
for emphasis ("merciii"), and the contractions of spoken Québec French ("chu", "j'pars", "y'a"), so that the
data and the messages meet in one written form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.normalize import fold

_ARABIC = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ـ": ""}
)
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")  # letters only: "1999" and "1000" are numbers, not emphasis
# A "word" that is one letter typed again and again ("aaaa", "zzzzzz", "ههههه") is noise, one token for all of
# them (the language data teaches it as out of scope): collapsed like emphasis ("merciii"), "aaaa" would be
# "a", the "a+" ("à plus") of goodbyes.
NOISE = "<noise>"
_ONE_LETTER_RUN = re.compile(r"(?<!\w)([^\W\d_])\1{2,}(?!\w)")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
# Spoken forms -> one written form. Applied to whole words after folding (apostrophes are spaces by then).
_CONTRACTIONS = {
    "chu": "je suis",
    "chus": "je suis",
    "jsuis": "je suis",
    "jsu": "je suis",
    "j": "je",
    "m": "me",
    "t": "te",
    "pis": "et",
    "pi": "et",
    "ben": "bien",
    "icitte": "ici",
    "y": "il",
    "chte": "je te",
    "pcq": "parce que",
    "pk": "pourquoi",
    "svp": "s il vous plait",
    "stp": "s il te plait",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "u": "you",
    "im": "i am",
    "wanna": "want to",
    "gonna": "going to",
    "st": "saint",
    "ste": "sainte",
}
# Arabic clitics glued to a word with its article: بالبليدة, والتمويل, للمؤسسات -> the bare word.
_ARABIC_PREFIX = re.compile(r"^(?:وال|بال|كال|فال|لل|ال)(?=\w{3})")


def has_arabic(text: str) -> bool:
    return bool(_ARABIC_LETTER.search(text))


BOUNDARY = "||"
# Punctuation ends a clause, and "but" starts one ("j'ai une boîte à Laval mais efface mes données": an action
# after it is a clause of its own). The boundary goes before the word, which stays. English "but" is also
# the French noun "goal" ("mon but, c'est d'ouvrir"): not after a determiner.
_BUT = (
    r"(?=\b(?:mais|bessah|bsah|بصح|لكن|ولكن)\b)|"
    + "".join(
        rf"(?<!\b{determiner} )" for determiner in ("le", "mon", "notre", "un", "ton", "son", "votre", "leur")
    )
    + r"(?=\bbut\b)"
)
_CLAUSE = re.compile(r"[,;.!?؟،؛\n]+|" + _BUT, re.IGNORECASE)


def normalize_clauses(text: str) -> list[str]:
    """A message as normalised words, with `||` between clauses: a negation never reaches past a comma or a
    "but"."""
    words: list[str] = []
    for clause in _CLAUSE.split(text):
        normal = normalize(clause)
        if normal:
            if words:
                words.append(BOUNDARY)
            words.extend(normal.split())
    return words


# Clitics that Arabic glues in front of a word: a conjunction (و "and", ف "so"), then a preposition (ب "in,
# with", ل "for", ك "like"), then the article. بوهران, فوهران, وبعنابة, لورقلة, وللمؤسسات, فبسكرة.
CLITIC_PREFIXES = sorted(
    {f"{c}{p}{a}" for c in ("", "و", "ف") for p in ("", "ب", "ل", "ك") for a in ("", "ال") if c or p or a},
    key=len,
)


def strip_clitics(
    words: list[str],
    known: set[str] | frozenset[str],
    facts: set[str] | frozenset[str] = frozenset(),
    whole: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """Arabic words with the shortest run of leading clitics removed when that leaves a word the bot knows:
    "بوهران" -> "وهران", "فبسكره" -> "بسكره" (not "سكره").

    A word of a fact ("وهران", a place; "فلاحه", a sector) is never touched, and a word that becomes a word of
    a fact once stripped is stripped even if it is known as written: whole messages in the language data
    teach the classifier "فوهران" as a word, and it must still be read as Oran. Otherwise a known word is
    left as written ("بيع", sale, is not "ب" + "يع"), and an unknown one is stripped to a known one. A word
    that is a fact by itself (`whole`: "عياده", a clinic) is also found under a possessive ("عيادتنا").
    """
    out = []
    for word in words:
        if word not in facts and _ARABIC_LETTER.match(word):
            stripped = _stripped(word, facts) if facts else None
            if stripped is None and whole:
                stripped = _unpossessed(word, whole)
            if stripped is None and word not in known:
                stripped = _stripped(word, known)
            word = stripped or word
        out.append(word)
    return out


# Arabizi glues its article and its prepositions of place to the next word as Arabic script does ("lfla7a",
# "elbiscuit", "lexport", "fbejaia", "bel3asima"): the longest first, so that "fel" goes before "f"
_LATIN_CLITICS = ("fel", "bel", "fl", "bl", "el", "f", "b", "l")


def strip_latin_clitics(words: list[str], facts: set[str] | frozenset[str]) -> list[str]:
    """Latin-script words without a glued article or preposition when that leaves a word of a fact ("lfla7a"
    -> "fla7a", farming; "fbejaia" -> "bejaia"): Arabizi writes "l", "el", "f" and "b" as Arabic script
    writes "ال", "ف" and "ب". Other words as they are."""
    out = []
    for word in words:
        if word.isascii() and word not in facts:
            for clitic in _LATIN_CLITICS:
                rest = word[len(clitic) :]
                if word.startswith(clitic) and len(rest) >= 4 and rest in facts:
                    word = rest
                    break
        out.append(word)
    return out


def _stripped(word: str, vocabulary: set[str] | frozenset[str]) -> str | None:
    """`word` without the shortest run of clitics that leaves a word of `vocabulary` (of 2 letters or more),
    or failing that without the alif of the indefinite accusative as well ("أملك مصنعا", "فندقا صغيرا": MSA's
    object, whose stem of 3 letters or more is the word known)."""
    for prefix in CLITIC_PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 2 and rest in vocabulary:
            return rest
    if word.endswith("ا") and len(word) >= 4:
        for prefix in ("", *CLITIC_PREFIXES):
            rest = word[len(prefix) : -1]
            if word.startswith(prefix) and len(rest) >= 3 and rest in vocabulary:
                return rest
    return None


_POSSESSIVES = ("نا", "ي", "ها", "هم", "كم", "ك", "ه")


def _unpossessed(word: str, whole: set[str] | frozenset[str]) -> str | None:
    """A feminine noun with a possessive, whose ة is written ت ("عيادتنا" "our clinic", "لمزرعتي" "for my
    farm"), as the noun when that noun is a fact by itself (in `whole`): "شركتي" stays as written, for the
    classifier and the cues that know it ("شركة" alone is no fact)."""
    for suffix in _POSSESSIVES:
        stem = word.removesuffix(suffix)
        if stem != word and stem.endswith("ت") and len(stem) >= 4:
            bare = stem[:-1] + "ه"  # normalised: ة -> ه
            if found := (bare if bare in whole else _stripped(bare, whole)):
                return found
    return None


@lru_cache(maxsize=1 << 15)
def normalize(text: str) -> str:
    """The comparable form of a message or of a phrase of the language data (remembered: start-up
    normalises each of the language data's 20,000 phrases several times, in checks, lexicon and training)."""
    folded = fold(text.translate(_ARABIC))
    folded = _REPEATS.sub(r"\1", _ONE_LETTER_RUN.sub(NOISE, folded))
    words = folded.split()
    return " ".join(
        _ARABIC_PREFIX.sub(
            "", "am" if word == "m" and words[i - 1 : i] == ["i"] else _CONTRACTIONS.get(word, word)
        )
        for i, word in enumerate(words)
    )  # "i'm": "i am", not the French "m'" ("me")


def normalized_words(words: Iterable[str]) -> set[str]:
    """A word list written as people write it, in the form `normalize` gives (no accents, ؤ -> و, ة -> ه):
    the cue modules' lists, normalised once at import so that they match normalised messages."""
    return {normalize(word) for word in words}
