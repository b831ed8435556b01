"""Slots from a normalised message: stage, sector, region and needs, several at once.

Exact look-ups of every n-gram (longest first) in the lexicon, then fuzzy matching of the words that are
left, only for words long enough to be safe ("Rimousky", "Sherbroke", "finacement"; never "art" or "bio").
A negation among the few words before a need, a stage or a sector, in the same clause, removes it ("pas
besoin de financement"); a denial right before a place or a sector too ("c'est pas à Montréal, c'est à
Laval", "not in retail"). A person who corrects themselves ("à Granby... euh non, à Longueuil", "Montreal, I
mean Laval") means the place or sector named after the correction. A factory named with what it makes, when
that is food or clean technology, is in that sector ("مصنع الأجبان", a cheese factory: agrifood).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.understanding.business_words import OWN_AFTER, POSSESSIVE
from bot.understanding.lexicon import FUZZY_MIN_LENGTH, Lexicon, singular
from bot.understanding.normalize import BOUNDARY, strip_clitics
from bot.understanding.paired_needs import paired_span

FUZZY_CUTOFF = 85
FUZZY_CUTOFF_ARABIC = 92  # Arabic words differ by a prefix letter or two: be stricter
NEGATION_REACH = 4
# A denial stands right before what it denies ("pas à Laval"), or one word before ("pas dans la tech").
DENIAL_GAP = 1
MADE_IN_FACTORIES = frozenset({"agrifood", "cleantech"})  # sectors a factory is counted in, named with it
CORRECTED = ("region", "sector")  # the facts people correct by naming another one


@dataclass
class Found:
    """What one message says, and where (word positions), so the intent can ignore the facts."""

    stage: str | None = None
    sector: str | None = None
    region: str | None = None
    town: str | None = None  # the town named, when the region came from one (its official name)
    needs: list[str] = field(default_factory=list)
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    need_spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, code) of each need
    # where a `not_facts` phrase stood ("startups", "شريك حياة"): words a reader must not take as a fact,
    # not even the learned stage fallback (understand.py)
    blocked: list[tuple[int, int]] = field(default_factory=list)

    def any(self) -> bool:
        return bool(self.stage or self.sector or self.region or self.needs)

    def fill_from(self, other: Found) -> None:
        """The facts of a second reading of the same words that this one lacks (its needs added); its
        spans are not taken: the classifier reads the message as its own language's lexicon saw it."""
        for slot in ("stage", "sector", "region"):
            if getattr(self, slot) is None and (code := getattr(other, slot)) is not None:
                setattr(self, slot, code)
                if slot == "region":
                    self.town = other.town
        self.needs.extend(code for code in other.needs if code not in self.needs)


def _matches(words: list[str], lexicon: Lexicon) -> list[tuple[int, int, str, str, str]]:
    """(start, end, slot, code, phrase) of every phrase, longest first, without overlaps."""
    taken = [False] * len(words)
    found = []
    starts, singular_starts = lexicon.starts, lexicon.singular_starts
    singulars = [singular(word) for word in words]
    plural = [s != w for s, w in zip(singulars, words, strict=True)]
    for size in range(min(lexicon.longest, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            as_written = size == 1 or size in starts.get(words[start], ())
            in_singular = any(plural[start : start + size]) and (
                size == 1 or size in singular_starts.get(singulars[start], ())
            )
            if not (as_written or in_singular):
                continue  # no phrase of this length starts with this word
            if any(taken[start : start + size]):
                continue
            phrase = " ".join(words[start : start + size])
            hit = lexicon.phrases.get(phrase) if as_written else None
            if hit is None and in_singular:  # "sirops d'érable" for "sirop d'érable", never the reverse
                phrase = lexicon.singular.get(" ".join(singulars[start : start + size]), phrase)
                hit = lexicon.phrases.get(phrase)
            if hit:
                found.append((start, start + size, *hit, phrase))
                taken[start : start + size] = [True] * size
    for index, word in enumerate(words):
        if taken[index] or len(word) < FUZZY_MIN_LENGTH or word in lexicon.vocabulary:
            continue
        best = process.extractOne(
            word, lexicon.fuzzy_candidates(word), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        if best:
            found.append((index, index + 1, *lexicon.phrases[best[0]], best[0]))
    return sorted(found)


def _said_before(
    words: list[str],
    start: int,
    phrases: tuple[tuple[str, ...], ...],
    reach: int,
    unless: tuple[tuple[str, ...], ...] = (),
) -> bool:
    """One of `phrases` among the `reach` words before `start`, in the same clause, and not as part of one of
    `unless` (a lack: "je trouve pas de" holds the negation "pas de")."""
    before = words[max(0, start - reach) : start]
    if BOUNDARY in before:
        before = before[len(before) - before[::-1].index(BOUNDARY) :]
    text = " " + " ".join(before) + " "
    for phrase in unless:
        text = text.replace(f" {' '.join(phrase)} ", " | ")
    return any(f" {' '.join(phrase)} " in text for phrase in phrases)


def _denied(words: list[str], start: int, denials: tuple[tuple[str, ...], ...]) -> bool:
    """A denial that ends right before `start`, or `DENIAL_GAP` words before it in the same clause: "ماشي
    فالبليدة راهو فتيبازة" denies Blida, not Tipaza."""
    for gap in range(DENIAL_GAP + 1):
        if BOUNDARY in words[start - gap : start]:
            return False
        end = start - gap
        if any(end >= len(phrase) and tuple(words[end - len(phrase) : end]) == phrase for phrase in denials):
            return True
    return False


def _positions(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> list[int]:
    """Where each occurrence of one of `phrases` starts."""
    return [
        start
        for start in range(len(words))
        if any(tuple(words[start : start + len(phrase)]) == phrase for phrase in phrases)
    ]


Mention = tuple[int, int, str, str]  # start, end, code, phrase


def _meant(words: list[str], mentions: list[Mention], lexicon: Lexicon) -> Mention:
    """The first one named, unless the person corrected themselves: one named after a correction replaces the
    one named before it."""
    chosen = mentions[0]
    if len(mentions) == 1 or not lexicon.corrections:
        return chosen
    marks = _positions(words, lexicon.corrections)
    for mention in mentions[1:]:
        if mention[2] != chosen[2] and any(chosen[1] <= mark < mention[0] for mark in marks):
            chosen = mention
    return chosen


def _owned(words: list[str], start: int, end: int) -> bool:
    """A possessive right before a phrase, or one of the two words after it as Darija puts it ("المحل تاعي";
    "مقر الشركة تاعي", the head office of my company)."""
    return (start > 0 and words[start - 1] in POSSESSIVE) or any(
        word in OWN_AFTER for word in words[end : end + 2]
    )


def extract(words: list[str], lexicon: Lexicon) -> Found:
    """The slots of a message given as normalised words."""
    found = Found()
    named: dict[str, list[Mention]] = defaultdict(list)
    for start, end, slot, code, phrase in _matches(words, lexicon):
        if slot == "none":  # "quels services", "يعطيك الصحة": words, not facts
            found.blocked.append((start, end))
            continue
        found.spans.append((start, end, slot))
        # "pas besoin de financement"; never a place: "pas de local à Laval" is still in Laval
        lacks = lexicon.lacks if slot == "need" else ()  # "je trouve pas de main-d'oeuvre": hiring
        if slot != "region" and _said_before(words, start, lexicon.negations, NEGATION_REACH, lacks):
            continue
        if slot in CORRECTED and _denied(words, start, lexicon.denials):  # "pas à Laval"
            continue
        if slot == "need" and code == "premises" and _owned(words, start, end):
            continue  # "our warehouse", "mon entrepôt", "المحل تاعي": the place they have, not one sought
        if slot == "need":
            found.need_spans.append((start, end, code))
            if code not in found.needs:
                found.needs.append(code)
        else:
            named[slot].append((start, end, code, phrase))
    _add_paired_needs(words, lexicon, found)
    for slot, mentions in named.items():
        if slot == "sector" and mentions[0][2] == "manufacturing":
            # "مصنع الأجبان", "une usine de recyclage": a factory of food or of clean technology is that sector
            # (not so for wood, electronics or parts: furniture makers are manufacturing)
            mentions = sorted(mentions, key=lambda m: m[2] not in MADE_IN_FACTORIES)
        if slot in CORRECTED:
            _start, _end, code, phrase = _meant(words, mentions, lexicon)
        else:  # a business changing hands is that, however old ("3e génération, on prépare la relève")
            code = "succession" if any(m[2] == "succession" for m in mentions) else mentions[0][2]
            phrase = mentions[0][3]
        setattr(found, slot, code)
        if slot == "region":
            found.town = lexicon.towns.get(phrase)
    return found


def _add_paired_needs(words: list[str], lexicon: Lexicon, found: Found) -> None:
    """The needs said as an act and its target ("vendre nos produits en Asie": export), unless named already
    or negated ("on ne cherche pas à vendre aux States", "on cherche pas de soudeurs")."""
    if not lexicon.pairs:
        return
    if lexicon.lang == "ar":  # "حاب يصدر لتونس": the target under its clitic
        words = strip_clitics(words, lexicon.pair_words)
    singulars = [singular(word) for word in words]
    for code, index in lexicon.pairs.items():
        if code in found.needs or (span := paired_span(singulars, index, found.need_spans)) is None:
            continue
        start, target, end = span
        if _said_before(words, target, lexicon.negations, target - start + NEGATION_REACH, lexicon.lacks):
            continue  # before the act or between it and its target: "on cherche pas de soudeurs"
        found.need_spans.append((start, end, code))
        found.needs.append(code)


# Words that join the items of a list of needs ("du financement et des conseils", "advice and maybe a mentor"):
# advice listed beside another need is asked for too, unlike advice about that need ("conseils juridiques").
# Not a clause's end: "we want to ship to Europe. Who can guide us?" is about the export (studied tables).
LIST_JOINERS = frozenset({"et", "pis", "puis", "ou", "and", "or", "plus", "also", "او", "ولا", "wela"})
LIST_REACH = 4  # words between two needs of one list, the joiner included ("and maybe some", "et de la")
GENERAL = "advice"


def specific_needs(found: Found, written: list[str]) -> list[str]:
    """The needs, general advice left out when it is advice *about* another need named with it ("des
    conseils juridiques", "advice on exporting"), kept when the message lists it beside that need
    ("financement et conseils"). `written`: the words the needs were found in, before any Arabic clitic was
    taken off ("وتمويل" is "and financing")."""
    if GENERAL not in found.needs or len(found.needs) < 2:
        return found.needs
    spans = sorted(found.need_spans)
    advice = [i for i, span in enumerate(spans) if span[2] == GENERAL]
    if advice and all(_listed(spans, i, written) for i in advice):
        return found.needs
    return [code for code in found.needs if code != GENERAL]


def _listed(spans: list[tuple[int, int, str]], i: int, written: list[str]) -> bool:
    """Whether the advice at `spans[i]` is an item of a list: each other need next to it is joined to it by
    a list word, and at least one is near."""
    near = False
    for j in (i - 1, i + 1):
        if not 0 <= j < len(spans) or spans[j][2] == GENERAL:
            continue
        first, second = sorted((spans[i], spans[j]))
        gap = written[first[1] : second[0]]
        if len(gap) > LIST_REACH:
            continue
        if not (_and_glued(written[second[0]]) or any(word in LIST_JOINERS for word in gap)):
            return False
        near = True
    return near


def _and_glued(word: str) -> bool:
    """An Arabic word that begins with "و" (and) glued to it: "وتمويل", "ونصائح" (a need word that begins
    with the letter itself, next to advice in a short gap, is rare enough)."""
    return len(word) > 3 and word.startswith("و")
