"""Growth: a business growing or meant to grow ("on veut doubler", "ra7na nkabrou", "sales doubled"), opening
another branch ("on ouvre une 2e succursale", "nheb nfte7 far3 thani"), outgrowing what it has, or, for a
business running for years, setting out for a new market ("percer le marché américain").

Called by `business_cues.stage_cue` and by `understand` (a business said to be established that grows is at
the growth stage); split from `business_cues.py` to keep each module a readable size.
"""

from __future__ import annotations

import itertools

from bot.understanding.business_age import NTH, count
from bot.understanding.business_momentum import rising
from bot.understanding.business_turns import outgrows
from bot.understanding.business_words import BUSINESS, NEW_THING, POSSESSIVE, with_object
from bot.understanding.normalize import BOUNDARY, normalized_words

# fmt: off
_ENTER = {
    "percer", "conquerir", "penetrer", "break", "breaking", "enter", "entering", "ندخلو", "ندخل", "nodkhlo",
    "ndkhol", "دخول", "etendre",
}
# after "percer" and "s'étendre", a place is a market: "percer aux États-Unis", "s'étendre en Ontario"
_MARKET = {
    "marche", "marches", "market", "markets", "into", "السوق", "الاسواق", "souk", "marché", "aux", "au", "en",
}
_MARKET_PAIRS = {
    ("nouveaux", "marches"), ("new", "markets"), ("nouveau", "marche"), ("new", "market"), ("اسواق", "جديده"),
    ("سوق", "جديده"), ("سوق", "جديد"),
}
_GROWING = {
    "pousse", "doubler", "doublons", "double", "tripler", "triple", "grossit", "expanding", "doubling",
    "doubled", "tripled", "growing", "تنمو", "نكبرو", "يكبر", "توسيع", "نوسعو", "نوسع", "توسع",
    "grandir", "grossir", "croitre", "expand", "scale", "nwasse3", "nkabbar", "nkabar", "nkbar", "nkebber",
    "nkebbar", "nwessa3", "nkebrou", "nkabrou", "nkebro", "nkabro", "nwess3o", "مضاعفه", "نضاعفو", "نضاعف",
    "tekber", "tekbar", "تكبر", "تضاعف", "تضاعفت", "nwes3ouh", "nwes3o", "nwess3ou", "nwessa3ha", "نزيدو",
    "nzidou", "nzido", "nkebbro", "nkebbrou", "nkabbro", "nkabbrou",
}
_NO = {
    "pas", "not", "dont", "don", "no", "never", "jamais", "aucun", "ماشي", "machi", "mach", "ماحناش", "لا", "لن",
}
_ANOTHER = {
    "autre", "deuxieme", "2e", "2eme", "troisieme", "3e", "3eme", "nouvelle", "nouveau", "another", "second",
    "2nd", "third", "3rd", "new", "autres", "other", "more", "deux", "two", "جديد", "جديده", "ثاني", "ثانيه",
    "thani", "tani", "jdid", "jdida",
}
_MORE = {"more", "autres", "additional", "supplementaires", "خرين", "اخرين", "اخرى", "اخري", "okhrin", "khrin"}
_BRANCH = {
    "succursale", "location", "branch", "store", "magasin", "usine", "plant", "factory", "restaurant", "resto",
    "boutique", "bureau", "office", "point", "site", "emplacement", "clinique", "clinic", "فرع", "محل", "place",
    "local", "outlet", "far3", "fer3", "succursales", "locations", "branches", "stores", "magasins", "bureaux",
    "offices", "usines", "plants", "factories", "restaurants", "boutiques", "cliniques", "clinics", "فروع",
}
_OPENS = {
    "ouvre", "ouvrons", "ouvrir", "ouvert", "open", "opening", "opened", "opens", "فتحنا", "نفتحو", "نفتح",
    "لفتح", "فتح", "nfte7", "nefte7", "nfat7o",
}
# what a business running for years does when it grows (said of a new business, these need not be growth)
_ADDS = {
    "ajouter", "add", "adding", "agrandir", "accelerer", "accelerate", "outgrown", "outgrew", "diversifier",
    "diversify", "elargir",
}
# hiring more: "hire two more therapists", "en engager 3 autres", "نزيد خدامين", "nzid nwadhef"
_HIRE = normalized_words({
    "hire", "hiring", "engager", "embaucher", "recruter", "recruit", "recruiting", "نوظف", "نوظفو", "nwadhef",
    "nwadhaf", "nwaddef",
})
_ADD_STAFF = normalized_words({"نزيد", "nzid", "nzidou", "نزيدو"})
_STAFF = normalized_words(
    {"خدامين", "عمال", "khdama", "khedama", "employes", "employees", "workers", "staff"}
)
# one more of what makes the goods: "une 2e bâtisse", "une nouvelle ligne de production", "خط إنتاج جديد"
_SECOND = normalized_words(
    {"deuxieme", "2e", "2eme", "second", "2nd", "troisieme", "3e", "third", "ثاني", "ثانيه", "thani"}
)
_CAPACITY = normalized_words(
    {"batisse", "entrepot", "warehouse", "ligne", "line", "خط", "pelle", "usine", "plant", "factory"}
)
_PRODUCTION = normalized_words({"production", "embouteillage", "bottling", "assembly", "assemblage", "انتاج"})
_GROW = {"grow", "grandir", "agrandir", "developper", "expand", "croitre", "faire", "نكبر", "نطور"}
# fmt: on


def grows(words: list[str]) -> bool:
    """The business growing or meant to grow ('on veut doubler', 'ra7na nkabrou', 'sales doubled'), not
    refused ('j'ai pas besoin de grossir', 'ماحناش حابين نكبرو'): a business running for years that wants
    to grow is at the growth stage."""
    growing = any(
        _growing(word) and not _refused(words, index) and words[index - 1 : index] != ["jeune"]  # a startup
        for index, word in enumerate(words)
    )
    return (
        growing
        or _grows_business(words)
        or _wants_to_grow(words)
        or outgrows(words)
        or rising(words)
        or _hires_more(words)
    )


def _hires_more(words: list[str]) -> bool:
    """'hire two more therapists', 'j'veux en engager 3 autres', 'نزيد خدامين', 'lazem nzid nwadhef': more
    people than the business has (not 'we need to hire a welder')."""
    return any(
        (
            (word in _HIRE and not _MORE.isdisjoint(words[index + 1 : index + 4]))
            or (word in _ADD_STAFF and not (_STAFF | _HIRE).isdisjoint(words[index + 1 : index + 3]))
        )
        and not _refused(words, index)
        for index, word in enumerate(words)
    )


def _wants_to_grow(words: list[str]) -> bool:
    """'we want (to) grow and take bigger contracts', 'we want to grow fast': growing, with nothing grown
    after the verb (not 'we want to grow tomatoes')."""
    return any(
        word == "grow"
        and not _refused(words, index)
        and words[index - 1 : index] in (["want"], ["to"], ["wanna"])
        and words[index + 1 : index + 2]
        in ([], [BOUNDARY], ["and"], ["fast"], ["bigger"], ["more"], ["further"])
        for index, word in enumerate(words)
    )


def expands(words: list[str]) -> bool:
    """A business running for years that grows, adds to what it has ('ajouter 20 chambres', 'agrandir
    l'usine', 'add eco-lodges'), or sets out to sell where it never sold: growth."""
    return grows(words) or adds_or_enters(words)


def adds_or_enters(words: list[str]) -> bool:
    """`expands` without `grows` (for a caller that has just asked `grows`): adding to what the business has,
    or a new market."""
    return new_market(words) or any(
        word in _ADDS and not _refused(words, index) for index, word in enumerate(words)
    )


def new_market(words: list[str]) -> bool:
    """'break into Europe', 'percer le marché américain', 'ندخلو السوق الإفريقية': for a business running for
    years, growing (of one with no age said, writers say no stage)."""
    return any(
        word in _ENTER and set(words[index + 1 : index + 3]) & _MARKET for index, word in enumerate(words)
    ) or any(pair in _MARKET_PAIRS for pair in itertools.pairwise(words))


def _refused(words: list[str], index: int) -> bool:
    """A negation among the 4 words before `words[index]` ('pas besoin de grossir', 'don't want to grow',
    Darija's 'ma...ch' around a verb, 'وماحناش حابين')."""
    before = [word.removeprefix("و") for word in words[max(0, index - 4) : index]]
    return bool(set(before) & _NO) or any(
        w.startswith(("ما", "ma")) and w.endswith(("ش", "ch")) for w in before
    )


def _growing(word: str) -> bool:
    return word in _GROWING or with_object(word, _GROWING)


def new_branch(words: list[str]) -> bool:
    """'on ouvre une 2e succursale', 'opening a second location', 'j'en ouvre une 4e', 'فتحنا فرع جديد',
    'nheb nfte7 far3 thani': growth, not an idea, even where a word of the data reads as opening one."""
    for index, word in enumerate(words):
        if word in _OPENS:
            following = words[index + 1 : index + 5]
            if set(following) & _ANOTHER and set(following) & (_BRANCH | NTH):
                return True
            if set(following[:2]) & NTH:  # an ordinal right after the verb: "ouvre une 4e", "open a third"
                return True
            if any(count(w) for w in following[:2]) and set(following[1:3]) & _MORE:
                return True  # "opening 3 more", "en ouvrir deux autres", "نفتحو جوج خرين"
        if (
            word in ("فرع", "far3", "succursale", "succursales", "branch", "branches")
            and set(words[max(0, index - 2) : index]) & _OPENS  # "ouvrir une succursale", "open a branch"
        ):
            return True
        if word in _SECOND and words[index + 1 : index + 2] and words[index + 1] in _BRANCH | _CAPACITY:
            return True  # "notre deuxième point de service", "une 2e bâtisse", "a second plant"
        if (
            word in _CAPACITY
            and not _PRODUCTION.isdisjoint(words[index - 1 : index + 3])
            and not _ANOTHER.isdisjoint(words[max(0, index - 2) : index + 4])  # not "automate our line"
        ):
            return True  # "une nouvelle ligne de production", "a new bottling line", "خط إنتاج جديد"
    return False


def _grows_business(words: list[str]) -> bool:
    """'grow my consulting business', 'faire grandir la compagnie', 'développer mon entreprise'."""
    for index, word in enumerate(words):
        if word in _GROW and word != "faire":
            following = words[index + 1 : index + 5]
            if set(following[:1]) & POSSESSIVE and set(following) & (BUSINESS | NEW_THING):
                return True
    return False


_GROWING, _ANOTHER, _MORE, _BRANCH, _OPENS, _GROW, _ENTER, _MARKET, _ADDS = map(
    normalized_words, (_GROWING, _ANOTHER, _MORE, _BRANCH, _OPENS, _GROW, _ENTER, _MARKET, _ADDS)
)
