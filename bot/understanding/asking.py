"""When a message asks for the need it names (find_services) rather than tells it (inform): the convention of
docs/language-data.md ("Facts, requests and the line between inform and find_services").

A need is asked for with a question, with a word of asking ("je cherche", "we need", "نحتاج", "il nous
faudrait"), or by wishing for a service ("je voudrais une formation", "we just want some networking", "حاب
نتكون"). A wish for what the business means to do is told, not asked: "on veut exporter", "we want to hire",
so hiring, export, digital and innovation are not services here; and a plan with no need named, no question
and no word of asking ("je veux partir en affaires", "nheb nkabbarha") is told too, whatever the classifier
hears in it.
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
    return any(
        code in _SERVICES and _wished(words, start, _BETWEEN) for start, _end, code in found.need_spans
    )


def _wished(words: list[str], start: int, between: set[str]) -> bool:
    """Whether a word of wishing stands before `words[start]`, with only `between` words in the way; "and"
    may be glued to it ("ونرغب", "وحابين")."""
    before = start - 1
    while before >= 0 and words[before] in between:
        before -= 1
    return before >= 0 and (words[before] in WISH or words[before].removeprefix("و") in WISH)


# fmt: off
# Words that ask without naming a need: a question written without its mark ("c koi les aides", "kifach
# nebda", "how do I"), help or information asked for, someone to find or meet
_ASKING = normalized_words({
    "comment", "how", "what", "quoi", "koi", "kosse", "quel", "quels", "quelle", "quelles", "qui", "who",
    "tu", "any", "anyone", "anybody", "anything", "can", "could", "pouvez", "peux", "pourriez",
    "possible", "kifach", "kifeh", "kifech", "kifah", "wach", "wesh", "kayen", "kayn", "chkoun", "win",
    "كيفاش", "واش", "هل", "شكون", "وين", "كاين",
    "aide", "aides", "aider", "aidez", "help", "support", "soutien", "programme", "programmes", "program",
    "programs", "options", "ressources", "resources", "available", "dispo", "disponible",
    "disponibles", "offrez", "offrent", "offer", "orienter", "guide", "guider", "advise", "conseiller",
    "recommend", "suggest", "t3awnouni", "t3awenni", "3awnouni", "y3awenni", "da3m", "يعاوني", "يعاونني",
    "تعاونوني", "عاونوني", "ساعدوني", "مساعدة", "دعم", "الدعم", "برامج", "البرامج", "الخدمات", "التمويل",
    "show", "montre", "montrez", "list", "liste", "send", "envoie", "envoyez", "info", "infos", "information",
    "informations", "informer", "connaitre", "know", "n3ref", "نعرف",
    "svp", "please", "pls", "stp", "3afak", "عافاك", "بليز",
    "meet", "rencontrer", "nrencontre", "trouver", "find", "search", "searching", "jcherche", "louer", "rent",
    "nal9a", "n7awsou", "n7awes", "nhawsou", "نلقى", "أحتاج", "تبحث", "يبحث", "أود",
})
# fmt: on
# Needs that are what the business means to do, not a service: wished for, they are told ("on veut exporter")
_GOALS = frozenset({"export", "hiring", "digital", "innovation"})
# between the wish and the goal: "we want TO START exporting", "on veut JUSTE exporter", "نرغب في تصدير" (in
# MSA the wish takes "في"), and the light verbs: "nheb ndir site web", "حابين نديرو موقع", "on veut faire"
# fmt: off
_BEFORE_GOAL = normalized_words({
    "to", "à", "a", "juste", "just", "start", "commencer", "begin", "d", "de", "في", "faire", "do", "get",
    "ndir", "ndiro", "ndirou", "ندير", "نديرو", "نعمل", "نعملو",
})
# fmt: on
_ANY_ASKING = _ASKING | _REQUEST_WORDS


def asks(words: list[str]) -> bool:
    """A word of asking: for a need ("cherche", "need", "نحتاج") or for anything ("comment", "c koi", "aide",
    "wach", "show me", "trouver un repreneur")."""
    return not _ANY_ASKING.isdisjoint(words)


def tells_without_asking(words: list[str], found: Found, question: bool) -> bool:
    """Facts, but no need named, no question, no word of asking: "je veux partir en affaires", "nheb
    nkabbarha", "we'd like to open a second location", "je veux vendre mon entreprise" tell a plan (inform),
    whatever the classifier hears in them. Without a fact there would be nothing to note, and the request
    reading (the services, or the next question) is the better answer."""
    told = found.stage or found.sector or found.region  # facts to note: the dialogue confirms them
    return bool(told) and not question and not found.needs and not asks(words)


def only_wishes_for_goals(words: list[str], found: Found, question: bool) -> bool:
    """'on veut exporter en Allemagne', 'nhebo nsadrou l'Europe', 'we want to hire': what the business means to
    do, wished for and not asked (no question, no word of asking): told, so inform."""
    if question or not found.needs or not _GOALS.issuperset(found.needs) or asks(words):
        return False
    return all(_wished(words, start, _BEFORE_GOAL) for start, _end, _code in found.need_spans)
