"""Cues about the person's own business: its stage from how people describe its life (when no stage phrase
of the data matched), and whether the message speaks of a business they own at all.

Phrases in `intents/` catch fixed expressions ("en démarrage", "scale up"); these rules catch the open-ended
ones, in French, English and Arabic, on the normalised words:

- **changing hands**: a verb of selling, buying or taking over followed by a business noun, with only
  determiners and a few adjectives between ("on vend notre quincaillerie", "I'm selling my company",
  "acheter l'entreprise de mon boss", "je reprends la ferme", "نبيع الشركه"), or selling said at a clause's
  end after a business named ("j'ai un motel depuis 18 ans et je pense vendre") -> succession;
- **planning to open**: a wish or plan followed by opening or launching ("thinking about opening",
  "je pense ouvrir", "on aimerait lancer"), or an opening dated a season or more ahead ("je lance une
  microbrasserie l'an prochain") -> idea;
- **how long it has existed**: "on a démarré y'a 8 mois", "launched 3 months ago" -> startup;
  "ça fait 30 ans qu'on est en affaires", "been around for 40 years", "منذ 25 سنه" -> established (a year or
  two -> startup; three or four years says too little and gives nothing). A person's age ("j'ai 67 ans",
  "I'm 34 years old") is not a business's.

Growth (growing, another branch, outgrowing, a new market) is in `business_growth.py`; the nouns the rules
share in `business_words.py`. `owns_business` is true when the message names a business of theirs ("my tourism business", "notre
compagnie", "شركتي"): such a message is about their business, whatever else it says ("my tourism business
in Tadoussac needs a loan to buy boats" is not a personal loan).
"""

from __future__ import annotations

import itertools
import re

from bot.understanding.business_age import from_age, not_open_yet, started_recently
from bot.understanding.business_growth import adds_or_enters, grows, new_branch
from bot.understanding.business_momentum import first_sales
from bot.understanding.business_turns import to_be_a_business
from bot.understanding.business_words import BUSINESS as _BUSINESS
from bot.understanding.business_words import NEW_THING as _NEW_THING
from bot.understanding.business_words import OWN_AFTER
from bot.understanding.business_words import POSSESSIVE as _POSSESSIVE
from bot.understanding.business_words import WISH as _WISH
from bot.understanding.business_words import with_object as _with_object
from bot.understanding.normalize import BOUNDARY, normalized_words

# fmt: off
_PURCHASE = {"achat", "purchase"}
_SELL_BUY = {
    "vendre", "vends", "vend", "vendons", "vendent", "vendu", "ceder", "cede", "racheter", "rachete",
    "rachetons", "acheter", "achete", "achetons", "reprendre", "reprends", "reprend", "reprenons", "repris",
    "sell", "selling", "sold", "sells", "buy", "buying", "bought", "acquire", "acquiring", "acquired",
    "takeover", "نبيع", "بيع", "نبيعو", "يبيع", "نشري", "نشتري", "شراء", "نشريو", "اشتري", "ورثت", "ورثنا",
    "herite", "heritee", "inherited", "inheriting", "passer", "transferer", "transfere", "transmettre",
    "transmets", "leguer", "transfer", "transferring", "ننقل", "نحول", "nbi3", "nbie", "nechri",
    "nachri", "nchri", "achetee", "achetes", "vendue", "rachetee", "reprise", "ykhalili", "يخليلي",
    "khallali", "خلالي", "يخليهالي", "ykhallili", "نخلي", "nkhalli", "nkhali", "نسلم", "nsalem",
    "شريت", "شرينا", "chrit", "chrina", "بعت", "بعنا", "ybi3", "yebi3", "اقتناء", "لاقتناء", "نقتني",
    "اشترينا", "اشتريت", "pass", "passing", "passed", "passes",
}
# selling, said without its object at a clause's end, is of the business named before it
_SELL = {
    "vendre", "vends", "vend", "vendons", "ceder", "transmettre", "sell", "selling", "نبيع", "نبيعو", "بيع",
    "nbi3", "nbi3ou", "nbi3o",
}
# "passer mon commerce au numérique", "transférer l'entreprise en ligne": a business moved, not handed over
_MOVED = {"passer", "transferer", "pass", "passing", "passed", "passes"}
_MOVED_TO = {
    "numerique", "niveau", "ligne", "etape", "vitesse", "digital", "web", "virage", "automatisation", "next",
    "online", "level",
}
# "vendre à mon neveu", "sell it to my daughter", "نبيعها لولدي": handed to someone, when a business is named
_HEIRS = {
    "neveu", "niece", "fils", "fille", "filles", "enfants", "enfant", "gendre", "employes", "employe", "associe",
    "son", "sons", "daughter", "daughters", "kids", "children", "nephew", "employees", "partner", "cousin",
    "frere", "soeur", "brother", "sister", "ولدي", "بنتي", "اولادي", "لولدي", "لبنتي", "لاولادي",
    "wlidi", "benti", "lwlidi", "ouldi", "wldi",
    "moi", "me",  # "c'est moi qui reprends", "my father wants me to take over": the one speaking
}
# "comment trouver un acheteur" for a business named in the message: it is changing hands
_BUYER = {"acheteur", "acheteurs", "repreneur", "repreneurs", "buyer", "buyers", "successor", "successeur"}
# buying from its owner: a business changing hands, whatever it is called (not selling to one: "je vends mes
# légumes au proprio du marché")
_BUY = {
    "racheter", "rachete", "acheter", "achete", "buy", "buying", "bought", "acquire", "نشري", "نشتري", "اشتري",
    "نشريو", "nechri", "nachri", "nchri",
}
# Modern Standard Arabic's words for handing a business over or inheriting it: a business named anywhere in
# the message is changing hands ("يريد أن يتنازل عنه لي", "يريد والدي أن يسلمني مصنع الأثاث", "سنرث المصنع")
_HANDS_OVER = normalized_words({"يتنازل", "تنازل", "نتنازل", "يسلمني", "يسلمنا", "سنرث", "نرث", "يرث", "سارث", "ارث"})
_OWNER = {"صاحبه", "صاحبها", "مولاه", "مولاها", "proprio", "proprietaire", "owner", "owners", "moulah", "mwalih"}
_TAKE = {"take", "taking", "took", "takes", "hand", "hands", "handed", "handing"}
# taking a business over, said by its heir without naming it again ("mon fils veut reprendre")
_TAKE_OVER = {"reprendre", "reprend", "reprends", "reprenne", "reprennent", "succeder"}
_BETWEEN = {
    "mon", "ma", "mes", "notre", "nos", "la", "le", "l", "les", "une", "un", "cette", "ce", "son", "sa",
    "leur", "familiale", "familial", "existante", "existant", "petite", "petit", "my", "our", "the", "a",
    "an", "this", "that", "his", "her", "their", "family", "existing", "small", "local", "تاعي", "تاعنا",
    "ديالي", "هذه", "هذا", "du", "de", "d", "des", "s", "dad", "father", "mother", "mom", "uncle", "aunt",
    "parents", "boss", "pere", "mere", "oncle", "tante", "patron", "grand", "old", "vieux", "vieille",
}
_OPEN = {
    "ouvrir", "lancer", "partir", "demarrer", "fonder", "creer", "open", "opening", "start", "starting",
    "launch", "launching", "found", "create", "creating", "establish", "نفتح", "نلانسي", "نبدا", "افتح",
    "انشاء", "نطلق", "nftah", "neftah",
    "nfteh", "yftahou", "nebda", "nabda", "nlanci", "yebdaw", "nebdaw", "يبداو", "نبداو", "yeftaho",
    "ybdaw", "ybda", "nbda", "nbdaw", "n7ell", "n7el", "n7ellou", "n7elou", "nhell", "nhel", "nhellou",
    "نحل", "نحلو", "nhal", "n7al", "nhallou", "n7allou", "nfta7", "nefta7", "nfte7", "يبدا", "تبدا",
    "فتح", "افتتاح", "اطلاق",
}
# what is opened when a company is started ("partir une entreprise", "start my own business")
_COMPANY = {
    "entreprise", "business", "company", "compagnie", "startup", "boite", "own", "propre", "مؤسسه", "شركه",
}
_FILLER = {
    "a", "de", "d", "to", "about", "of", "me", "se", "like", "bientot", "soon", "un", "une", "on", "nous",
}
_STARTING = {"starting", "launching", "opening"}
_OPENS_NOW = {"lance", "lancons", "pars", "partons", "ouvre", "ouvrons", "opening", "launching", "demarre"}
_SOON = {"mois", "month", "semaine", "week", "شهر", "الشهر", "chhar", "jours", "days"}
_LATER = {"prochain", "prochaine", "next", "القادم", "القادمه", "الجاي", "الجايه", "jay", "jaya", "ljay"}
_IN_PROGRESS = ({"train"}, {"process"})  # "en train de partir", "in the process of launching"


def changes_hands(words: list[str]) -> bool:
    """Selling, buying, inheriting or taking over a business: succession, whatever else the message says."""
    return _changes_hands(words)

# fmt: on


def stage_cue(words: list[str]) -> str | None:
    """succession, idea, growth, startup or established from the open-ended rules above; None when none
    applies."""
    text = " ".join(words)
    if _changes_hands(words):
        return "succession"
    if new_branch(words):
        return "growth"
    if _plans_to_open(words) or to_open(words) or not_open_yet(words, _OPEN) or to_be_a_business(words):
        return "idea"
    if _opening_now(words) or started_recently(words) or first_sales(words):
        return "startup"
    if grows(words):
        return "growth"
    age = from_age(words, text, _BUSINESS)
    if age == "established" and adds_or_enters(words):  # `grows` was asked above
        return "growth"
    return age or ("idea" if _project(words) else None)


def _object_start(words: list[str], index: int) -> int | None:
    """Where the object of a verb of changing hands starts ("vendre", "reprendre", "succéder", "take over"), or
    None when `words[index]` is no such verb."""
    word = words[index]
    if word in _SELL_BUY or word in _TAKE_OVER:
        return index + 1
    if word in _TAKE and words[index + 1 : index + 2] == ["over"]:
        return index + 2
    return None


def _heir_takes_over(words: list[str], index: int, start: int) -> bool:
    """An heir just before a verb of taking over that has no object ("mon fils veut reprendre", "ma fille va me
    succéder", "my son wants to take over"; not "reprendre ses études", not "mon fils veut vendre")."""
    taking_over = words[index] in _TAKE_OVER or words[index] in _TAKE
    heir = set(words[max(0, index - 3) : index]) & _HEIRS
    return taking_over and bool(heir) and words[start : start + 1] in ([], [BOUNDARY])


def _changes_hands(words: list[str]) -> bool:
    for index, word in enumerate(words):
        named_before = any(w in _BUSINESS for w in words[max(0, index - 15) : index])
        if _with_object(word, _SELL_BUY) and named_before:
            return (
                True  # "عندي محل فوهران وحاب نبيعها", "3andou usine w yheb ybi3ha": the business named before
            )
        if word in _SELL and words[index + 1 : index + 2] in ([], [BOUNDARY]) and named_before:
            return True  # "j'ai un motel depuis 18 ans et je pense vendre.", "عندي حانوت ... وحاب نبيعو،"
        if (
            word in _TAKE
            and words[index + 1 : index + 3] in (["it", "over"], ["them", "over"])
            and named_before
        ):
            return True  # "my outfitter business ... I want someone to take it over"
        if (word in _BUY or _with_object(word, _BUY)) and set(words[index + 1 : index + 8]) & _OWNER:
            return True  # "حاب نشري محطة الغسيل من صاحبها", "racheter le garage au proprio"
        if word in _PURCHASE and _names_business(words[index + 1 : index + 6]):
            return True  # "financement pour achat d'entreprise" (a noun: "l'" before it is an article)
        start = _object_start(words, index)
        if start is None or (word in _MOVED and set(words[start : start + 7]) & _MOVED_TO):
            continue  # "faire passer mon commerce au numérique": moved to a new way of working, not sold
        if _names_business(words[start : start + 5]) or _it_is_the_business(words, index, start):
            return True
        if set(words[start : start + 4]) & _HEIRS and any(w in _BUSINESS for w in words):
            return True
        if named_before and _heir_takes_over(words, index, start):
            return True  # "on a une compagnie depuis 20 ans, mon fils veut reprendre"
    if not _HANDS_OVER.isdisjoint(words) or ("الي", "جيل") in itertools.pairwise(words):
        return any(word in _BUSINESS for word in words)  # ... or "نقل الشركة إلى الجيل الثاني"
    return bool(set(words) & _BUYER) and any(word in _BUSINESS for word in words)


def takes_over_something_else(words: list[str]) -> bool:
    """'mon fils veut reprendre ses études', 'take over the night shift': a verb of taking over
    whose object is not the business (the stage model, reading words alone, would hear a hand-over)."""
    for index, word in enumerate(words):
        start = _object_start(words, index)
        if start is None or (word not in _TAKE_OVER and word not in _TAKE):
            continue  # selling: what is sold is often a share, a boat, "it" (the model hears those right)
        following = words[start : start + 5]
        if following[:1] not in ([], [BOUNDARY], ["it"], ["them"]) and not _names_business(following):
            return True
    return False


def _names_business(following: list[str]) -> bool:
    """A business noun after determiners and familiar adjectives, and at most one other word right before
    it ("a dental clinic", "an existing hardware store"), not "a truck for my farm"."""
    for position, word in enumerate(following):
        if word in _SHARES and following[position - 1 : position] not in (["his"], ["her"], ["their"]):
            return False  # "buy Shopify shares", "buy shares in", not "buy his shares"
        if word in _BUSINESS:
            return True
        if word not in _BETWEEN:
            return (
                following[position + 1 : position + 2] != []
                and following[position + 1] in _BUSINESS - _SHARES
            )
    return False


_SHARES = {"shares"}
_OBJECT_PRONOUNS = {"la", "le", "l", "les"}
_HAVE = {"ai", "a", "as", "avons", "avez", "ont"}
_IT = {"it", "them", "out"}


def _it_is_the_business(words: list[str], verb: int, start: int) -> bool:
    """'... la quincaillerie, on veut la reprendre', 'my shop: I want to sell it': the business named earlier,
    then a pronoun for it (French before the verb, English after)."""
    before = words[max(0, verb - 2) : verb]
    pronoun = (
        (before[-1:] and before[-1] in _OBJECT_PRONOUNS)
        or (len(before) == 2 and before[0] in _OBJECT_PRONOUNS and before[1] in _HAVE)  # "je l'ai achetée"
        or words[start : start + 1] in (["it"], ["them"])
    )
    return bool(pronoun) and any(word in _BUSINESS for word in words[max(0, verb - 15) : verb])


def plans_to_open(words: list[str]) -> bool:
    """'je veux démarrer une entreprise', 'thinking about opening', 'nheb nftah': opening is still a plan."""
    return _plans_to_open(words)


def _plans_to_open(words: list[str]) -> bool:
    for index, word in enumerate(words):
        if word in _WISH:
            for following in words[index + 1 : index + 4]:
                if following in _OPEN:
                    return True
                if following not in _FILLER and following not in _WISH:
                    break
    return _opens_later(words)


def _opens_later(words: list[str]) -> bool:
    """'je lance une microbrasserie l'an prochain', 'I'm opening a yoga studio next spring': an opening
    dated a season or more ahead is still a plan (next month, the lease signed, writers say start-up; a
    second location is growth)."""
    for index, word in enumerate(words):
        if not (word in _OPEN or word in _OPENS_NOW):
            continue
        following = words[index + 1 : index + 10]
        for at, later in enumerate(following):
            if later in _LATER and not set(following[max(0, at - 1) : at + 2]) & _SOON:
                return not new_branch(words)
    return False


def _opening_now(words: list[str]) -> bool:
    """'chu en train de partir ma shop', 'in the process of launching': opening it now."""
    for index, word in enumerate(words):
        if word in _IN_PROGRESS[0] | _IN_PROGRESS[1] and set(words[index + 1 : index + 4]) & _OPEN:
            return True
        if (
            word in _STARTING
            and words[index - 1 : index] in (["am"], ["are"], ["re"], ["suis"], ["sommes"])
            and set(words[index + 1 : index + 5]) & (_BUSINESS | _NEW_THING)
        ):
            return True  # "I'm starting a cleaning business", "we're launching our shop"
    return False


# fmt: off
_PURPOSE = {"pour", "to", "comment", "afin", "how", "help", "aide", "aider", "باش", "bach", "bech"}
_OPEN_INFINITIVE = {
    "ouvrir", "lancer", "demarrer", "demarer", "partir", "creer", "fonder", "start", "launch", "open", "found", "create",
    "establish", "نفتح", "نبدا", "نطلق", "نخلق", "ننشي", "nefte7", "nfte7", "nebda",
}
# MSA's purpose glued to the verbal noun ("لإنشاء مصنع", "لافتتاح صيدلية"): to open, in one word
_TO_OPEN_GLUED = {"لانشاء", "لافتتاح", "لفتح", "لاطلاق"}  # not "لتأسيس": incorporating, said of a firm
_PROJECT_LINKS = {"de", "d", "du", "c", "is", "of"}
_NOT_A_VENTURE = {"r", "rd", "recherche", "research", "loi", "vie", "innovation", "d", "memoire", "these"}
# fmt: on


def to_open(words: list[str]) -> bool:
    """'pour démarrer une entreprise', 'help to start a daycare', 'comment partir en affaires': opening a
    business is the aim, not done yet (an idea, although "démarrer une entreprise" reads as a start-up)."""
    for index, word in enumerate(words):
        if word not in _OPEN_INFINITIVE and word not in _TO_OPEN_GLUED:
            continue
        before = words[max(0, index - 2) : index]
        if word not in _TO_OPEN_GLUED and not set(before) & _PURPOSE:
            continue
        after = words[index + 1 : index + 5]
        if set(after) & (_NEW_THING | _BUSINESS) or after[:1] == ["a"] or after[:2] == ["en", "affaires"]:
            return True
    return False


def opens_a_company(words: list[str]) -> bool:
    """'je veux partir une entreprise', 'start my own business': the opening is of a company, not of one
    more place of a business that runs ('ouvrir un bureau à Québec')."""
    return any(
        word in _OPEN and set(words[index + 1 : index + 4]) & _COMPANY for index, word in enumerate(words)
    )


def _project(words: list[str]) -> bool:
    """'mon projet de gîte', 'mon projet c'est une érablière', 'my project is a bakery': a business that does
    not exist yet (an idea). Not an R&D or research project, nor a project named without what it is ('parler
    de mon projet'), where it is ('my project is in Béjaïa') or in general ('des projets en santé'): writers
    give those no stage."""
    for index, word in enumerate(words):
        if word not in ("projet", "project"):
            continue
        around = set(words[max(0, index - 2) : index + 3])
        if around & _NOT_A_VENTURE:
            continue
        following = words[index + 1 : index + 3]
        if following[:1] and following[0] in _PROJECT_LINKS and following[1:2] not in (["in"], ["en"]):
            return True
    return False


# "my tourism business": a sector word may stand between the possessive and the business noun
_SECTOR_NOUNS = {"tourism", "tech", "construction", "trucking", "software", "consulting", "cleaning"}
# "3andi une petite boîte", "3andna charika": Arabizi says "I have a business" where French says "my business".
# Not "عندي محل" in Arabic script: the <own> marker learned from it took facts told for requests (dev table).
# "I have (a) restaurant", "j'ai une boutique" too: one business word right after, as with "my".
_I_HAVE = {"3andi", "3andna", "3endi", "3ndi", "3ndna", "andi", "have", "ai", "avons", "own", "run", "runs"}
_OWN_SUFFIXED = re.compile(r"^(?:شركت|موسست|مصنع|محل|مشروع)(?:ي|نا)$")  # normalised: ؤ -> و
_ADJECTIVES = {
    "petite",
    "petit",
    "nouvelle",
    "nouveau",
    "small",
    "new",
    "little",
    "family",
    "own",
    "familiale",
}


def owns_business(words: list[str]) -> bool:
    """'my (small) business', 'my catering business', 'notre compagnie', 'شركتي', 'الشركه تاعي': a business
    of the person's own."""
    for index, word in enumerate(words):
        if _OWN_SUFFIXED.match(word):
            return True
        if word in _POSSESSIVE or word in _I_HAVE:
            following = [w for w in words[index + 1 : index + 4] if w not in _ADJECTIVES]
            if following and (following[0] in _BUSINESS or following[0] in _SECTOR_NOUNS):
                return True
            if following[1:2] and following[1] in _BUSINESS:  # "my catering business", "ma p'tite shop"
                return True
        if word in OWN_AFTER and index and words[index - 1] in _BUSINESS:
            return True
    return False


_SELL_BUY, _SELL, _TAKE, _TAKE_OVER, _BETWEEN, _OPEN, _FILLER, _BUYER, _HEIRS, _BUY, _OWNER = map(
    normalized_words,
    (_SELL_BUY, _SELL, _TAKE, _TAKE_OVER, _BETWEEN, _OPEN, _FILLER, _BUYER, _HEIRS, _BUY, _OWNER),
)
_ADJECTIVES, _SECTOR_NOUNS, _I_HAVE, _COMPANY = map(
    normalized_words, (_ADJECTIVES, _SECTOR_NOUNS, _I_HAVE, _COMPANY)
)
_PURPOSE, _OPEN_INFINITIVE, _TO_OPEN_GLUED, _OPENS_NOW, _LATER, _SOON = map(
    normalized_words, (_PURPOSE, _OPEN_INFINITIVE, _TO_OPEN_GLUED, _OPENS_NOW, _LATER, _SOON)
)
