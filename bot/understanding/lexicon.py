"""The words the bot understands in one language, merged from `intents/<lang>.yaml` and the catalog.

Synonyms come from the language data; labels of the taxonomy and place names from the catalog, so the same
code understands Québec towns with the Québec catalog and wilayas with the Algerian one. Everything is
normalised here, once, at load.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bot.catalog.model import Catalog
from bot.understanding.language_id import data_words
from bot.understanding.normalize import normalize
from bot.understanding.paired_needs import PairIndex, build_pairs
from bot.understanding.schema import LanguageFile

SLOT_DIMENSIONS = {"stage": "stages", "sector": "sectors", "need": "needs", "region": "regions"}
FUZZY_MIN_LENGTH = 6
NUMBERED = re.compile(r"^(\d{1,3})\s")  # a region label that starts with the region's number: "19 Sétif"


@dataclass
class Lexicon:
    """Phrase -> (slot, code) for one language, with indexes for exact n-gram and fuzzy word look-ups."""

    lang: str
    phrases: dict[str, tuple[str, str]] = field(default_factory=dict)
    longest: int = 1
    fuzzy_words: dict[tuple[str, int], list[str]] = field(default_factory=lambda: defaultdict(list))
    negations: tuple[tuple[str, ...], ...] = ()
    lacks: tuple[tuple[str, ...], ...] = ()  # "je trouve pas de": a negation that says a need is missing
    denials: tuple[tuple[str, ...], ...] = ()
    corrections: tuple[tuple[str, ...], ...] = ()
    language_names: dict[str, str] = field(default_factory=dict)
    vocabulary: set[str] = field(default_factory=set)
    towns: dict[str, str] = field(default_factory=dict)  # a place's phrase -> its town's official name
    # first word -> the lengths of the phrases of 2 words or more it starts: a message's n-grams are looked up
    # only where a phrase could start (most words start none)
    starts: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    # the phrases in the singular ("sirop d erable", "local"), for a message that uses the plural ("sirops
    # d erable", "locaux"): looked up only where the phrase as written is not found
    singular: dict[str, str] = field(default_factory=dict)
    singular_starts: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    # need -> its acts and targets (paired_needs.py), and the words of those acts and targets
    pairs: dict[str, PairIndex] = field(default_factory=dict)
    pair_words: frozenset[str] = frozenset()

    def add(self, phrase: str, slot: str, code: str) -> None:
        """A phrase meaning `code`; slot "none" marks a phrase that is never a fact."""
        key = normalize(phrase)
        if not key or key in self.phrases:
            return
        self.phrases[key] = (slot, code)
        words = key.split()
        self.longest = max(self.longest, len(words))
        if len(words) > 1:
            self.starts[words[0]].add(len(words))
        singular_words = [singular(word) for word in words]
        self.singular.setdefault(" ".join(singular_words), key)
        self.singular_starts[singular_words[0]].add(len(words))
        if len(words) == 1 and len(key) >= FUZZY_MIN_LENGTH and slot != "none":
            self.fuzzy_words[(key[0], len(key))].append(key)

    def fuzzy_candidates(self, word: str) -> list[str]:
        """Known long words with the same first letter and a length within 2 of `word`."""
        found: list[str] = []
        for length in range(len(word) - 2, len(word) + 3):
            found.extend(self.fuzzy_words.get((word[0], length), ()))
        return found


def singular(word: str) -> str:
    """A French or English word without its plural ending ("sirops" -> "sirop", "locaux" -> "local",
    "bakeries" -> "bakery"); other words, and words in Arabic script, as they are. Both a phrase and a
    message are reduced the same way, so an odd reduction ("temps" -> "temp") still matches only itself."""
    if len(word) < 4 or not word.isascii():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("aux"):
        return word[:-3] + "al"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _word_tuples(phrases: list[str]) -> tuple[tuple[str, ...], ...]:
    """Phrases as the words `normalize` gives, the empty ones left out."""
    return tuple(words for phrase in phrases if (words := tuple(normalize(phrase).split())))


def build_lexicon(
    data: LanguageFile | None, catalog: Catalog, lang: str, words: Counter[str] | None = None
) -> Lexicon:
    """One language's lexicon: its synonyms, then the catalog's labels and places. `words`: the data's words
    already counted (`language_id.data_words`), so that the phrases are not normalised twice."""
    lexicon = Lexicon(lang)
    if data is not None:
        for phrase in data.not_facts:  # first: they win over labels and synonyms inside them
            lexicon.add(phrase, "none", "")
        for slot in ("stage", "sector", "need"):
            for code, phrases in getattr(data.synonyms, slot).items():
                for phrase in phrases:
                    lexicon.add(phrase, slot, code)
        lexicon.negations = _word_tuples(data.negations)
        lexicon.lacks = _word_tuples(data.lacks)
        lexicon.denials = _word_tuples(data.denials)
        lexicon.corrections = _word_tuples(data.corrections)
        known = {term.code for term in catalog.terms(SLOT_DIMENSIONS["need"])}
        lexicon.pairs = build_pairs(
            {code: (pair.acts, pair.targets) for code, pair in data.paired_needs.items() if code in known},
            singular,
        )
        lexicon.pair_words = frozenset(
            word
            for index in lexicon.pairs.values()
            for phrases in (*index.acts.values(), *index.targets.values())
            for phrase in phrases
            for word in phrase
        )
        lexicon.language_names = {
            normalize(name): code for code, names in data.language_names.items() for name in names
        }
        lexicon.vocabulary.update(data_words(data) if words is None else words)
    for slot, dimension in SLOT_DIMENSIONS.items():
        for term in catalog.terms(dimension):
            for text in term.label.values():
                lexicon.add(text, slot, term.code)
    if data is not None:
        for term in catalog.terms(SLOT_DIMENSIONS["region"]):
            for number in {match.group(1) for text in term.label.values() if (match := NUMBERED.match(text))}:
                for word in data.region_numbers:  # "wilaya 19", "wilaya 5" for "05 Batna"
                    lexicon.add(f"{word} {number}", "region", term.code)
                    lexicon.add(f"{word} {int(number)}", "region", term.code)
    for name, region in catalog.place_names.items():
        lexicon.add(name, "region", region)
        if (town := catalog.town(name)) is not None and (key := normalize(name)):
            lexicon.towns[key] = town  # "matane" is region 01 and the town Matane
    lexicon.vocabulary.update(word for phrase in lexicon.phrases for word in phrase.split())
    return lexicon
