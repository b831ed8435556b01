"""Whose matter a message is about: the person's own life ("ma douche", "my wedding", "سيارتي") rather than a
business (a feature for the intent classifier), or a business they work for or buy from rather than their own
("my company laid me off": a rule of bot/understanding/understand.py)."""

from __future__ import annotations

import itertools
import re

from bot.understanding.business_words import BUSINESS
from bot.understanding.normalize import normalize

# fmt: off
# "ma douche", "my wedding", "mon fils", "ma retraite", "سيارتي": what a person owns or who they love, not a
# business (parents and grandparents are left out: "la ferme de ma grand-mère" is often a succession)
_PERSONAL = {
    "maison", "appartement", "appart", "logement", "loyer", "douche", "toilette", "salle", "char", "voiture",
    "auto", "car", "house", "apartment", "condo", "rent", "mortgage", "hypotheque", "fils", "fille", "enfant",
    "enfants", "kids", "son", "daughter", "wife", "husband", "femme", "mari", "blonde", "chum", "conjoint",
    "conjointe", "girlfriend", "boyfriend", "ex", "mariage", "wedding", "divorce", "retraite", "retirement",
    "cv", "resume", "diplome", "degree", "these", "memoire", "thesis", "assignment", "devoir", "cours", "visa",
    "permis", "passeport", "passport", "salaire", "salary", "paie", "dentiste", "docteur", "medecin", "doctor",
    "chien", "chat", "dog", "cat", "vacances", "vacation", "telephone", "phone", "dari", "weldi", "bniti",
    "mrati", "tomobil", "sayara", "tonobil", "custody", "contravention", "ticket", "amende", "accident",
}
# The speaker on the other side of a business: its employee ("my company laid me off", "mon entreprise m'a
# congédié", "my company's HR"), its customer ("my gym membership", "mon garage préféré") or its traveller
# ("my business class flight"): "my company" is then not theirs.
_SERVED_AFTER = {
    "laid", "fired", "hr", "insurance", "benefits", "pension", "membership", "prefere", "preferee",
    "favorite", "favourite", "class", "trip", "flight", "ethics", "pied", "congedie", "congediee", "renvoye",
    "renvoyee", "vire", "viree", "arnaque", "مدير", "شهريه", "خلصنيش", "خلصونيش",
}
# "m'a chargé trop cher", "m'a cassé mon sofa" (not "en charge de"), "me doit", "laid me off"
_SERVED_PAIRS = {("a", "charge"), ("a", "casse"), ("me", "doit"), ("laid", "me"), ("fired", "me"), ("let", "me")}
# fmt: on
_MY = {"ma", "mon", "mes", "my", "notre", "nos", "our", "sa", "son", "ses", "his", "her", "ta", "ton", "your"}
_PERSONAL_SUFFIXED = re.compile(r"^(?:دار|ولد|بنت|مرت|سيارت|طوموبيل|راجل|دراهم|خدمت|قراي)(?:ي|نا)$")


def personal_matter(words: list[str]) -> bool:
    """'je cherche un plombier pour ma douche', 'a venue for my wedding', 'سيارتي': a matter of the person's
    own life. A feature for the classifier (it weighs it against the rest), not a rule."""
    for index, word in enumerate(words):
        if _PERSONAL_SUFFIXED.match(word):
            return True
        if word in _MY and set(words[index + 1 : index + 3]) & _PERSONAL:
            return True
    return False


def served_by(words: list[str]) -> bool:
    """'My company laid me off', 'mon entreprise m'a mis à pied', 'cancel my gym membership': a business
    named by someone it employs or serves, not by its owner."""
    for index, word in enumerate(words):
        if word in BUSINESS:
            after = words[index + 1 : index + 6]
            if set(after) & _SERVED_AFTER or set(itertools.pairwise(after)) & _SERVED_PAIRS:
                return True
    return "laid" in words and "off" in words


_PERSONAL, _MY, _SERVED_AFTER = ({normalize(w) for w in group} for group in (_PERSONAL, _MY, _SERVED_AFTER))
