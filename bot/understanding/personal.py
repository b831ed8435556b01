"""Whose matter a message is about: the person's own life ("ma douche", "my wedding", "سيارتي") rather than a
business. A feature for the intent classifier (bot/understanding/understand.py), not a rule."""

from __future__ import annotations

import re

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
    "mrati", "tomobil", "sayara", "tonobil",
}
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


_PERSONAL = {normalize(word) for word in _PERSONAL}
_MY = {normalize(word) for word in _MY}
