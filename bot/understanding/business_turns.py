"""Turning points of a business that the stage phrases and the rules of `business_cues.py` miss:

- **a hobby or a side activity becoming a business**: "could that become a business?", "turn it into a real
  shop", "en faire une vraie entreprise", "devenir une compagnie" -> idea (nothing is open yet);
- **a plan to make or open one, in Darija or MSA**: "حاب نعمل مشروع", "nheb ndir mochrou3", "لإنشاء مصنع"
  -> idea;
- **outgrowing what it has**: "need a bigger workshop", "un local plus grand", "حاب نزيد كارات أخرين"
  (adding more of what it runs), "buy a second food truck", "adding a canning line" -> growth (buying
  equipment alone is not: "a loan to buy two trucks").

The word lists are written as people write them and normalised once at import, like the other cue modules.
"""

from __future__ import annotations

from bot.understanding.business_words import WISH
from bot.understanding.normalize import normalized_words

# fmt: off
_VENTURE = {
    "business", "company", "shop", "store", "entreprise", "compagnie", "commerce", "boutique", "boite",
    "startup", "firm", "job", "metier", "gagne", "pain", "مشروع", "مؤسسه", "شركه", "تجاره", "khedma",
}
_REAL = {
    "real", "vraie", "vrai", "actual", "proper", "small", "petite", "petit", "little", "my", "own", "a",
    "an", "une", "un", "ma", "mon", "propre",
}
_PREMISES = {
    "workshop", "atelier", "local", "locaux", "space", "espace", "warehouse", "entrepot", "shop", "usine",
    "factory", "plant", "office", "bureau", "kitchen", "cuisine", "place", "building", "batiment",
    "محل", "ورشه", "مقر", "مستودع", "مخزن", "hangar",
}
_BIGGER = {"bigger", "larger", "grand", "grande", "gros", "grosse", "اكبر"}
_NEEDS_PLUS = {"grand", "grande", "gros", "grosse"}  # French says "plus grand": "grand" alone is no comparison
_ADD = {"نزيد", "نزيدو", "nzid", "nzido", "nzidou", "يزيد"}
_OTHERS = {
    "اخرين", "اخري", "اخرى", "وخرين", "okhrin", "ukhrin", "okhra", "ukhra", "khrin", "زوج", "واحد", "ekhor",
    "akhor", "okhor", "ekhra", "akhra", "خور", "اخر",
}
# adding to what the business runs: a verb of getting more, then "another" or what a business adds
_MORE = {
    "second", "2nd", "third", "another", "more", "additional", "deuxieme", "2e", "2eme", "troisieme", "autre",
    "supplementaire", "supplementaires", "ثاني", "ثانيه", "thani", "tani", "اخرين", "اخري", "اخرى", "okhrin",
    "ekhor", "okhra",
}
_ADDING = _ADD | {"ajouter", "ajoute", "ajoutons", "add", "adding"}
_ACQUIRE = _ADDING | {
    "buy", "buying", "acheter", "build", "building", "construire", "batir", "نشري", "نشريو", "nchri",
    "nechri", "نبني", "نبنيو", "nebni", "nebniw",
}
_EQUIPMENT = {
    "line", "ligne", "chaine", "camions", "trucks", "machines", "شاحنات", "كاميونات", "ماكينات", "الات",
    "vehicules", "vehicles", "fleet", "flotte", "depot", "hangar",
}
# fmt: on


# "make a living from it", "en vivre", "gagner ma vie avec", "na3ich menha": a hobby meant to pay the bills
_LIVING = (
    ("make", "a", "living"),
    ("earn", "a", "living"),
    ("gagner", "ma", "vie"),
    ("gagner", "sa", "vie"),
    ("vivre", "de", "ma"),
    ("vivre", "de", "mon"),
    ("vivre", "de", "mes"),
    ("en", "vivre"),
    ("na3ich", "menha"),
    ("na3ich", "menou"),
    ("نعيش", "منها"),
    ("نعيش", "منو"),
)


def becomes_business(words: list[str]) -> bool:
    """'could that become a business', 'turn it into a real shop', 'en faire une vraie entreprise', 'I'd
    love to make a living from it'."""
    if any(words[i : i + len(p)] == list(p) for p in _LIVING for i in range(len(words))):
        return True
    for index, word in enumerate(words):
        turning = (
            word in ("become", "devenir", "devienne", "deviendrait")
            or (word == "into" and "turn" in words[max(0, index - 3) : index])
            or (word == "faire" and words[index - 1 : index] == ["en"])
        )
        if not turning:
            continue
        for following in words[index + 1 : index + 5]:
            if following in _VENTURE:
                return True
            if following not in _REAL:
                break
    return False


def to_be_a_business(words: list[str]) -> bool:
    """What is not a business yet and is meant to be one: a hobby turning into one, or a plan to make one."""
    return becomes_business(words) or plans_a_venture(words)


def plans_a_venture(words: list[str]) -> bool:
    """Darija and MSA plans to make or open a business, the wish before the verb ("حاب نعمل مشروع سياحي",
    "nheb ndir mochrou3", "نبي نفتح حمام") or the aim in a verbal noun ("تمويل لإنشاء مصنع", its "ل" taken
    off with the clitics): an idea. Not "تم إنشاء الشركة" (it was created)."""
    for index, word in enumerate(words):
        verb = words[index + 1] if index + 1 < len(words) else ""
        if word in WISH and verb in _AR_MAKE | _AR_OPEN and set(words[index + 2 : index + 5]) & _NEW:
            return True
        if word in _AR_CREATING and verb in _NEW and words[index - 1 : index] != ["تم"]:
            return True
    return False


def outgrows(words: list[str]) -> bool:
    """'a bigger workshop', 'un local plus grand', 'حاب نزيد كارات أخرين': more room or more of what it runs."""
    for index, word in enumerate(words):
        if word in _BIGGER:
            near = set(words[max(0, index - 3) : index]) | set(words[index + 1 : index + 3])
            if near & _PREMISES and (word not in _NEEDS_PLUS or words[index - 1 : index] == ["plus"]):
                return True
        if word in _ADD and set(words[index + 1 : index + 7]) & _OTHERS:  # "nzid fauteuils w tbib ekhor"
            return True
        following = set(words[index + 1 : index + 5])
        if word in _ACQUIRE and following & _MORE:
            return True  # "buy a second food truck", "acheter un autre camion", "نشري زوج آخرين"
        if word in _ADDING and following & (_PREMISES | _EQUIPMENT):
            return True  # "adding a canning line", "add a storage warehouse", "nzid 3 camions"
    return False


# fmt: off
_AR_MAKE = {"نعمل", "ندير", "نديرو", "نعملو", "ndir", "ndirou", "n3mel", "na3mel"}
_AR_OPEN = {
    "نفتح", "نفتحو", "نحل", "نحلو", "نطلق", "نلانسي", "nefta7", "nefteh", "nfta7", "nfteh", "n7el", "nhal",
}
_AR_CREATING = {"انشاء", "افتتاح", "اطلاق"}  # not "تأسيس": incorporating, said of a firm
_NEW = {
    "مشروع", "مشروعي", "مؤسسه", "شركه", "محل", "مصنع", "حانوت", "ورشه", "عياده", "وكاله", "مطعم", "مقهي", "حمام",
    "mochrou3", "machrou3", "projet", "entreprise", "sharika", "charika", "startup", "atelier", "usine",
    "magasin", "boutique", "cafeteria", "restaurant", "salon",
}
# fmt: on
_AR_MAKE, _AR_OPEN, _AR_CREATING, _NEW = map(normalized_words, (_AR_MAKE, _AR_OPEN, _AR_CREATING, _NEW))
_VENTURE, _REAL, _PREMISES, _BIGGER, _ADD, _OTHERS, _ACQUIRE, _MORE, _EQUIPMENT, _ADDING = map(
    normalized_words,
    (_VENTURE, _REAL, _PREMISES, _BIGGER, _ADD, _OTHERS, _ACQUIRE, _MORE, _EQUIPMENT, _ADDING),
)
