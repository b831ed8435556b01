"""When a message asks for the need it names (find_services) rather than tells it (inform): the convention of
docs/language-data.md ("Facts, requests and the line between inform and find_services").

A need is asked for with a question, with a word of asking ("je cherche", "we need", "نحتاج", "il nous
faudrait"), or by wishing for a service ("je voudrais une formation", "we just want some networking", "حاب
نتكون"). A wish for what the business means to do is told, not asked: "on veut exporter", "we want to hire"
(the tables' writers label those inform as often as not), so hiring, export, digital and innovation are not
services here.
"""

from __future__ import annotations

from bot.understanding.business_words import WISH
from bot.understanding.normalize import normalized_words
from bot.understanding.slots import Found

# fmt: off
# Words that ask for what a need names: with a need, a request
_REQUEST_WORDS = {
    "cherche", "cherchons", "recherche", "besoin", "need", "needs", "looking", "seeking", "lookin",
    "نحتاج", "نحتاجو", "نحوس", "نحوسو", "نبحث", "أبحث", "محتاج", "محتاجين", "nhawes", "ne7taj",
    "n7taj", "nest7a9", "lazemni", "nest7a9o", "nest7a9ou", "nesta7aq", "nesta7aqou", "nest7aq", "lazemna",
    "lazmna", "lazmni", "لازمنا", "لازمني", "يلزمني", "يلزمنا", "تحتاج", "يحتاج", "نحتاجوا", "faudrait",
}
# Needs that are services one asks for by wishing for them
_SERVICES = frozenset({
    "training", "mentoring", "advice", "networking", "financing", "legal", "incubation", "premises",
})
# between the wish and the service: "je voudrais DE LA formation", "we JUST want SOME", "حاب غير"
_BETWEEN = {
    "du", "de", "des", "la", "le", "l", "d", "some", "a", "an", "more", "juste", "just", "un", "une", "to",
    "get", "avoir", "obtenir", "trouver", "find", "ghir", "غير",
}
# fmt: on
_REQUEST_WORDS, _BETWEEN = map(normalized_words, (_REQUEST_WORDS, _BETWEEN))


def asks_for_need(words: list[str], found: Found, question: bool, exact: bool) -> bool:
    """Whether a message naming a need asks for it: a question, or (unless it is one of the language data's
    phrases, `exact`, labelled as it is) a word of asking or a service wished for."""
    if not found.needs:
        return False
    if question:
        return True
    return not exact and (not _REQUEST_WORDS.isdisjoint(words) or wishes_for_service(words, found))


def wishes_for_service(words: list[str], found: Found) -> bool:
    """'je voudrais une formation en gestion', 'we just want some networking', 'حاب نتكون فالتسويق'."""
    for start, _end, code in found.need_spans:
        if code not in _SERVICES:
            continue
        before = start - 1
        while before >= 0 and words[before] in _BETWEEN:
            before -= 1
        if before >= 0 and words[before] in WISH:
            return True
    return False
