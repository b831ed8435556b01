"""Needs said in two parts: an act, then, a few words later in the same clause, what it bears on.

Neither part is a need alone: "vendre" is any sale (of the business itself, too), "en Asie" any trip, "des
soudeurs" any mention of welders, "une boutique en ligne" what many already run. Together they ask for one:
"on veut vendre nos produits de la mer en Asie" (export), "we can't find welders" (hiring), "je voudrais une
boutique en ligne" (digital). The pairs are language data (`paired_needs` in `intents/<lang>.yaml`), compared
on singular words, so "soudeur" and "soudeurs" are one target.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.understanding.business_words import POSSESSIVE
from bot.understanding.normalize import BOUNDARY, normalize

# "on exporte déjà en Ontario", "we already sell in Europe": done, not needed (said up to two words before the
# act, or between it and its target)
ALREADY = frozenset(normalize(word) for word in ("déjà", "deja", "already", "ديجا", "déja"))
PAIR_REACH = 6  # words between the act's end and the target ("vendre nos produits de la mer en Asie": 5)

Words = tuple[str, ...]


@dataclass
class PairIndex:
    """One need's acts and targets, indexed by their first word (a message is scanned once per need)."""

    acts: dict[str, list[Words]] = field(default_factory=lambda: defaultdict(list))
    targets: dict[str, list[Words]] = field(default_factory=lambda: defaultdict(list))


def build_pairs(
    paired: dict[str, tuple[list[str], list[str]]], reduce: Callable[[str], str]
) -> dict[str, PairIndex]:
    """need -> its index, every phrase normalised and each word `reduce`d (put in the singular) as a
    message's words will be."""
    pairs: dict[str, PairIndex] = {}
    for code, (acts, targets) in paired.items():
        index = PairIndex()
        for phrases, into in ((acts, index.acts), (targets, index.targets)):
            for phrase in phrases:
                words = tuple(reduce(word) for word in normalize(phrase).split())
                if words:
                    into[words[0]].append(words)
        pairs[code] = index
    return pairs


def _occurrences(words: list[str], index: dict[str, list[Words]]) -> list[tuple[int, int]]:
    """(start, end) of every phrase of `index` in `words`."""
    found = []
    for start, word in enumerate(words):
        for phrase in index.get(word, ()):
            if tuple(words[start : start + len(phrase)]) == phrase:
                found.append((start, start + len(phrase)))
    return found


def paired_span(
    words: list[str], index: PairIndex, needs_named: list[tuple[int, int, str]]
) -> tuple[int, int, int] | None:
    """Where an act and a target after it stand together (act's start, target's start and end), or None.

    `words`: the message's words in the singular, clause boundaries kept; `needs_named`: the spans of the
    needs the lexicon found, each one the object of an act before it ("je cherche de la formation pour mes
    employés" seeks training, not employees). Each target looks back `PAIR_REACH` words at most, so a long
    message costs in proportion to its length."""
    acts: dict[int, int] = {}  # act's end -> its start (the longest act ending there)
    for start, end in _occurrences(words, index.acts):
        acts[end] = min(start, acts.get(end, start))
    if not acts:
        return None
    for target_start, target_end in _occurrences(words, index.targets):
        if target_start and words[target_start - 1] in POSSESSIVE:
            continue  # "nos préposées", "my staff": the people they have, not people sought
        for act_end in range(target_start, max(-1, target_start - PAIR_REACH - 1), -1):
            act_start = acts.get(act_end)
            if act_start is None:
                continue
            if BOUNDARY in words[act_end:target_start]:
                break  # another clause: no act further back belongs to this target
            if ALREADY.isdisjoint(words[max(0, act_start - 2) : target_start]) and not any(
                act_end <= start < target_start for start, _end, _code in needs_named
            ):
                return act_start, target_start, target_end
    return None
