"""Words the business cues share: the nouns that name a business, "my"/"our", what a new venture is called,
wishing, and "it" attached to an Arabic or Arabizi verb.

Split from `business_cues.py` so that the stage rules (`business_cues.py`, `business_growth.py`) read the
same lists; written as people write them and normalised once at import.
"""

from __future__ import annotations

from bot.understanding.normalize import CLITIC_PREFIXES, has_arabic, normalized_words

# fmt: off
BUSINESS = {
    "entreprise", "compagnie", "commerce", "business", "shop", "ferme", "magasin", "quincaillerie",
    "boutique", "usine", "atelier", "restaurant", "resto", "garage", "pharmacie", "epicerie", "depanneur",
    "clinique", "cabinet", "bureau", "company", "store", "farm", "firm", "plant", "practice", "factory",
    "bakery", "boulangerie", "salon", "مؤسسه", "شركه", "محل", "مصنع", "مطعم", "حانوت", "مخبزه", "مزرعه",
    "motel", "hotel", "gite", "auberge", "inn", "scierie", "sawmill", "erabliere", "vignoble", "winery",
    "pourvoirie", "brasserie", "microbrasserie", "brewery", "microbrewery", "agence", "agency", "studio",
    "imprimerie", "camping", "marina", "franchise", "clinic", "pharmacy", "dealership", "concession",
    "entreprises", "compagnies", "commerces", "businesses", "companies", "stores", "shops", "fromagerie",
    "dairy", "orchard", "verger", "ورشه", "معصره", "فندق", "صيدليه", "مقهي",
    "boucherie", "poissonnerie", "patisserie", "librairie", "bistro", "cafe", "bar", "spa", "garderie",
    "daycare", "nettoyeur", "cleaner", "cleaners", "pressing", "moulin", "mill", "مطحنه", "serre",
    "greenhouse", "ranch", "vineyard", "butcher", "barbershop", "gym", "hostel", "lodge", "huilerie",
    "firme", "pme", "labo", "laboratoire", "lab", "ebenisterie", "parts", "shares", "partnership",
    "cooperative", "coop", "fonds", "clientele", "operations", "حصص", "تجاره", "affaire", "معمل",
    "boite", "charika", "charikat", "sharika", "chirka", "7anout", "l7anout", "hanout", "ma7al", "mahal",
    "moassasa", "mo2assasa", "sarl", "eurl", "pizzeria", "اوتيل", "كافيتيريا", "صالون", "مغازه", "بوتيك",
    "عياده", "ستوديو", "بيتزيريا", "كراج",
}
# "it" / "them" attached to a verb: "نوسعها" (we expand it), "nbi3ha" (I sell it)
OBJECT_SUFFIXES = ("ها", "هم", "ه", "ha", "hom")
NEW_THING = {
    "entreprise", "business", "company", "compagnie", "projet", "project", "own", "propre", "affaires",
    "startup", "start", "up", "boite", "commerce", "shop", "store", "magasin", "boutique", "firm", "practice",
    "cabinet", "مشروع", "مشروعي", "مؤسسه", "شركه", "محل",
}
POSSESSIVE = {"mon", "ma", "notre", "nos", "mes", "my", "our", "تاعي", "تاعنا", "ديالي", "ديالنا"}
# Darija's possessive after the noun: "l'usine ta3i" (my factory), "المحل تاعي" (my shop)
OWN_AFTER = {"تاعي", "تاعنا", "ديالي", "ديالنا", "ta3i", "ta3na", "dyali", "dyalna"}
# Wishing, planning, thinking of ("je veux", "we'd like", "حاب", "nheb", "نخمم"): before opening a business
# (an idea) or a service (a request: asking.py)
WISH = {
    "veux", "voudrais", "aimerais", "aimerait", "voudrait", "veut", "pense", "songe", "projette", "compte",
    "voulons", "voudrions", "aimerions", "souhaite", "souhaitons", "veulent", "comptons",
    "want", "wants", "wanna", "would", "like", "thinking", "planning", "plan", "hoping", "hope", "dream", "wish",
    "intend", "نحب", "نحبو", "نبغي", "نبي", "بغيت", "حاب", "حابه", "حابين", "نريد", "اريد", "ارغب", "نرغب", "نفكر",
    "ناوي", "nheb", "nhab", "nhebb", "hab", "habb", "nebghi", "bghit", "habin", "nhebbou", "yhebbou", "n7eb",
    "nfakker", "7abin", "7ab", "n7ab", "n7abo", "nhabou", "jveux", "jvoudrais", "jaimerais", "jpense",
    "y7ebbou", "y7ebou", "n7ebbou", "n7ebou", "yhebou", "nkhemmo", "nkhammem", "nkhemem", "nkhammo", "نخمم",
    "نخممو", "nwi", "nawi", "nawyin",
}
# fmt: on


def with_object(word: str, verbs: set[str]) -> bool:
    """One of `verbs` with "it" or "them" attached ("نبيعها", "nbi3ha", "نوسعها")."""
    return any(word.endswith(suffix) and word[: -len(suffix)] in verbs for suffix in OBJECT_SUFFIXES)


BUSINESS, POSSESSIVE, NEW_THING, WISH = map(normalized_words, (BUSINESS, POSSESSIVE, NEW_THING, WISH))
# an Arabic business noun with its article or a preposition attached ("الكافيتيريا تاعي", "للأوتيل تاعي")
BUSINESS |= {prefix + word for word in BUSINESS if has_arabic(word) for prefix in CLITIC_PREFIXES} | {
    word.removesuffix("ه") + ("ت" if word.endswith("ه") else "") + suffix
    for word in BUSINESS
    if has_arabic(word)
    for suffix in ("ي", "نا", "ه", "ها", "هم")
}  # ... and with "my", "our", "his", "her", "their" attached ("مؤسستي", "مصنعنا", "محلها")
