"""How long a business has existed, from how people say it: its age ("depuis 1994", "been around for 40
years", "منذ 25 سنة", "notre entreprise a 15 ans", "3 générations"), a recent start ("lancé le printemps
passé", "bdit l3am li fat") or a start not made yet ("pas encore ouvert", "mazal ma bdinach").

Split from `business_cues.py` (which calls these rules) so that each stays a readable size; the word lists
are written as people write them and normalised once at import.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

from bot.understanding.normalize import BOUNDARY, normalize, normalized_words

# fmt: off
_NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30, "quarante": 40,
    "cinquante": 50, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "couple": 2, "few": 3, "deux-trois": 3, "onze": 11, "eleven": 11, "treize": 13,
    "quatorze": 14, "seize": 16, "thirteen": 13, "fourteen": 14, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "dozen": 12, "tlata": 3, "arba3a": 4, "khamsa": 5, "setta": 6,
    "sab3a": 7, "tmenya": 8, "tes3a": 9, "3achra": 10, "3echrin": 20, "3ichrin": 20,
    "واحد": 1, "زوج": 2, "جوج": 2, "zouj": 2, "jouj": 2, "اثنين": 2, "ثلاث": 3, "ثلاثة": 3, "تلت": 3,
    "أربع": 4, "أربعة": 4, "خمس": 5,
    "خمسة": 5, "ست": 6, "ستة": 6, "سبع": 7, "سبعة": 7, "ثمانية": 8, "تسع": 9, "تسعة": 9, "عشر": 10,
    "عشرة": 10, "عشرين": 20, "ثلاثين": 30, "أربعين": 40, "خمسين": 50,
}
_MONTHS = {"mois", "month", "months", "mos", "شهر", "شهور", "اشهر", "chhar", "chhor", "chhour"}
# days and weeks: a business counted in them has just started ("on a ouvert il y a 3 semaines", "فتحنا هادي
# عشرين يوم")
_DAYS = {
    "jours", "jour", "days", "day", "semaines", "semaine", "weeks", "week", "يوم", "ايام", "اسبوع", "اسابيع",
    "simana", "simanat", "jem3a", "ayam", "youm",
}
# Arabic's dual says the number in the unit: "شهرين" two months, "عامين" two years
_DUAL = {
    "شهرين": "months", "chahrin": "months", "chhrin": "months", "عامين": "years", "سنتين": "years",
    "3amin": "years", "3amine": "years", "يومين": "days", "جمعتين": "days", "simantin": "days",
}
# A business this many years old or younger is a startup ("first years"): the tables' writers call a 3-year-old
# business a startup more often than anything else but growth (which its growth words say), a 4-year-old one
# rarely (growth or no stage)
STARTUP_YEARS = 3
_YEARS = {
    "ans", "an", "annees", "annee", "years", "year", "yrs", "yr", "سنه", "سنوات", "سنين", "عام", "اعوام",
    "3am", "3amat", "snin", "sna", "snine", "3wam", "عاما",
    # a seasonal business counts its summers or seasons ("food truck depuis 2 étés")
    "etes", "saisons", "seasons", "summers", "مواسم",
}
# Words that say the duration is the business's life: since, ago, in business, around, open...
_SINCE = {
    "depuis", "fait", "ago", "since", "for", "been", "around", "affaires", "business", "operating",
    "ouvert", "ouverte", "demarre", "lance", "lancee", "fonde", "fondee", "existe", "opened", "launched",
    "started", "founded", "منذ", "قبل", "بدانا", "بدينا", "فتحنا", "من", "عندنا", "عندي",
    "etablie", "etabli", "established", "fabrique", "fabriquons", "operation", "operations",
    "existence", "roule", "roulent", "running", "old", "anniversaire", "anniversary", "men", "mn", "hadi",
    "3andna", "activite", "activity", "تنشط", "ننشط", "نشاط", "النشاط", "عندها", "عندو", "fiha", "3andha",
    "3andou", "d'existence", "فيها", "فيه", "عمرها", "عمره", "عمرو", "3omrha", "3omrou", "fih", "تاسست",
    "تاسس", "اسست", "اسسنا", "اسستها",
}
# A year or a month named alone right after "it has" / "its age" / "since" is one ("فيها عام ونص", "fih 3am
# w nos", "عمرها شهر"); not after "I have" ("عندي عام فالخدمة": a person's time in a job)
_ONE = {"عام", "3am", "سنه", "sna", "شهر", "chhar"}
_ONE_AFTER = {
    "fih", "fiha", "فيه", "فيها", "عمرها", "عمره", "عمرو", "3omrha", "3omrou", "منذ", "عندها", "3andha",
}
_GENERATIONS = {"generation", "generations", "اجيال", "جيل"}
# "on a lancé le printemps passé", "launched last spring", "bdit l3am li fat": recent, a start-up
_STARTED = {
    "lance", "lancee", "lances", "ouvert", "ouverte", "ouverts", "demarre", "demarree", "parti", "partie",
    "launched", "opened", "started", "founded", "بديت", "بدينا", "فتحت", "فتحنا", "bdit", "bdina", "fta7t",
    "fta7na", "ftahna", "بدا", "bda", "fonde", "fondee", "تاسست", "تاسس", "اسست", "اسستها", "اسسنا",
    "اطلقنا", "اطلقناها", "اطلقت", "بدات", "بدانا", "افتتحت", "افتتحنا",
    "cree", "creee", "7alina", "7alit", "حلينا", "حليت", "incorporated",
    "incorpore", "incorporee",
}
_JUST_DONE = {"viens", "vient", "venons", "venez", "viennent"}  # "je viens d'ouvrir": just opened
_OPENING = {
    "ouvrir", "lancer", "demarrer", "partir", "fonder", "creer", "commencer", "immatriculer", "incorporer",
    "enregistrer",
}
_BARELY = {"juste", "tout", "a", "peine"}  # "on vient (tout) juste de", "je viens à peine de"
_REFLEXIVE = {"s", "m", "nous", "me", "se"}  # "on vient de s'incorporer", "je viens de m'enregistrer"
_RECENT = {
    "passe", "passee", "dernier", "derniere", "last", "fat", "الماضي", "الماضيه", "فات", "recently", "recemment",
}
# "on a commencé en septembre", "lancé en mars", "depuis janvier", "bdit had l3am": started this year
_MONTH_NAMES = {
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
    "novembre", "decembre", "january", "february", "march", "april", "june", "july", "august",
    "september", "october", "november", "december", "جانفي", "فيفري", "مارس", "افريل", "ماي", "جوان",
    "جويليه", "اوت", "سبتمبر", "اكتوبر", "نوفمبر", "ديسمبر", "يناير", "فبراير", "ابريل", "يونيو", "يوليو",
    "اغسطس", "janvie", "fevrie",
}
_THIS = {"cette", "this", "had", "هذا", "هاد", "هاذ", "هذه", "هاذي"}
_THIS_AFTER = {"hada", "هذا", "هادا"}  # Darija says it after: "bdit 3am hada" (I started this year)
# "قبل سنة", "3am hadi": a year ago; "7alit l'entreprise men 3am": for a year
_AGO_BEFORE, _AGO_AFTER = {"قبل", "منذ", "men", "mn"}, {"hadi", "هادي"}
_ARTICLES = {"l", "el"}  # "bdina l'activité had l'3am": this year, with its article
_PERIOD = {"annee", "an", "year", "mois", "month", "3am", "l3am", "chhar", "العام", "السنه", "الشهر", "عام", "شهر", "sna", "season"}
# "depuis les années 90", "since the 80s": a decade is an established business's birth
_DECADE = re.compile(
    r"\b(?:depuis|since|from|men|mn|منذ|من)\s+(?:les\s+annees\s+(?:19)?[4-9]0|(?:the\s+)?(?:19)?[4-9]0s"
    r"|(?:ال)?(?:اربعين|خمسين|ستين|سبعين|ثمانين|تسعين)ي?ات|(?:l|el)?(?:sab3in|tmanin|tes3in|tis3in)at)\b"
)
# "depuis des années", "for many years", "من سنين": no number, but a long life (a business named)
_MANY_YEARS = re.compile(
    r"\b(?:depuis (?:des|plusieurs|bien des|de nombreuses|tant d) annees|depuis (?:tres |si )?longtemps"
    r"|(?:for|since) (?:many|several|so many|years and) years|for years|for (?:a|such a|so) long(?: time)?"
    r"|since (?:a )?long time|(?:من|منذ) (?:سنين|سنوات|عده سنوات|زمان|زمن)|men (?:snin|zman|bekri))\b"
)
# "depuis l'an passé", "since last spring", "men l3am li fat": the business began last season or year
_SINCE_LAST = re.compile(
    r"\b(?:depuis|since|men|mn|من|منذ) (?:(?:l|le|la|the|el) )?"
    r"(?:last (?:year|spring|summer|fall|winter|season)"
    r"|(?:an|annee|ete|printemps|automne|hiver|l3am|3am|عام|سنه|صيف|ربيع) (?:(?:li|لي|اللي) )?"
    r"(?:passe|passee|dernier|derniere|fat|فات|ماضي|ماضيه))\b"  # normalised: no article, ة -> ه
)
# "depuis janvier", "since March", "depuis l'automne", "depuis ce printemps": begun this year
_SINCE_SEASON = re.compile(
    r"\b(?:depuis|since|men|mn|من|منذ) (?:(?:l|le|ce|cet|cette|this) )?(?:janvier|fevrier|mars|avril|mai|juin"
    r"|juillet|aout|septembre|octobre|novembre|decembre|january|february|march|april|may|june|july|august"
    r"|september|october|november|december|printemps|ete|automne|hiver|spring|summer|fall|autumn|winter)\b"
)
# "deuxième saison", "second season", "الموسم الثاني", "first anniversary": a business in its first years
_EARLY_SEASON = re.compile(
    r"\b(?:(?:deuxieme|2e|2eme|seconde|premiere|1re|second|2nd|first|1st)"
    r" (?:saison|season|anniversaire|anniversary)"
    r"|(?:saison|season|موسم) (?:2|deux|two|ثاني|الثاني|thani)|(?:premier|1er) anniversaire)\b"
)
# "ma jeune agence", "a new pharmacy owner" (before the business), "عيادة جديدة", "site jdid" (after it): a
# business begun lately. Not "nouvelle": "une nouvelle usine" is one more plant (growth)
_YOUNG_BEFORE, _YOUNG_AFTER = {"jeune", "jeunes", "new", "newly"}, {"جديد", "جديده", "jdid", "jdida"}
# ... unless it is being opened: "opening a new daycare" is an idea, "جارنا فتح حانوت جديد" someone else's
_OPENED = {
    "opening", "open", "start", "starting", "launch", "launching", "create", "creating", "فتح", "نفتح",
    "يفتح", "fta7", "nfta7", "nfte7",
}
# "pas encore ouvert", "not open yet", "l'entreprise existe pas encore", "mazal ma bdinach": an idea still
_NOT_YET = (
    {"pas", "not", "haven", "havent", "didn", "didnt", "jamais", "doesn", "doesnt", "isn", "isnt", "لم", "ولم"},
    {"encore", "yet", "بعد"},  # "ولم يبدأ بعد": not started yet
)
_EXISTS = {"existe", "existent", "exist", "exists"}
_MSA_START_ROOTS = ("بدا", "فتح", "وسس", "اسس", "نفذ", "طلق", "نشي")  # normalised: أ -> ا, ؤ -> و
_STILL_NOT = {"mazal", "mazel", "مازال", "مزال", "مازلنا", "مازالني", "lisa", "لسه"}
NTH = {
    "deuxieme", "troisieme", "quatrieme", "2e", "3e", "4e", "2eme", "3eme", "second", "third", "fourth", "fifth", "2nd", "3rd",
    "4th", "الثالث", "الرابع",
}
# A startup's age can be told ("notre startup a 2 ans"), though the word alone tells none (`not_facts` in
# intents/<lang>.yaml): it counts as a business here, not in business_words.BUSINESS
_STARTUP = {"startup", "startups"}
_PERSON_BOUND = {"moins", "plus", "under", "over", "aged", "age", "jeunes", "youth", "اقل", "اكثر"}
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_PERSONAL_AGE = re.compile(
    r"\b(?:je ai|j ai|i am|im|i m|عمري|عندي|3andi|3omri)\s+\S+\s+(?:ans|years|سنه|sna|3am)\b"
)
# fmt: on


_NUMBER_WORDS = {normalize(word): number for word, number in _NUMBER_WORDS.items()}
_DUAL = {normalize(word): unit for word, unit in _DUAL.items()}
_DAYS = normalized_words(_DAYS)
_SINCE, _STARTED, _RECENT, _STILL_NOT, _MONTHS, _YEARS, NTH, _GENERATIONS, _ONE, _ONE_AFTER = map(
    normalized_words,
    (_SINCE, _STARTED, _RECENT, _STILL_NOT, _MONTHS, _YEARS, NTH, _GENERATIONS, _ONE, _ONE_AFTER),
)
_MONTH_NAMES, _THIS, _THIS_AFTER, _PERIOD = map(normalized_words, (_MONTH_NAMES, _THIS, _THIS_AFTER, _PERIOD))


def not_open_yet(words: list[str], opening: set[str]) -> bool:
    """'pas encore ouvert', 'we haven't launched yet', 'مازال ما بدينا', 'mazal ma bdinach', 'لم أبدأه
    بعد'."""
    negations, yet = _NOT_YET
    msa = "لم" in words or "ولم" in words  # MSA's "not yet" is "لم ... بعد": the roots are read only then
    for index, word in enumerate(words):
        if word in _STARTED or word in opening or word in _EXISTS or (msa and _starts_in_msa(word)):
            window = set(words[max(0, index - 4) : index + 5])
            if window & negations and window & yet:
                return True
        if word in _STILL_NOT and any(_stem_started(w) for w in words[index + 1 : index + 4]):
            return True
    return False


def _starts_in_msa(word: str) -> bool:
    """A form of starting, opening, founding or carrying out, whatever its person and attached object, as
    Modern Standard Arabic writes it after "لم" ("لم أبدأه بعد", "لم أفتحها بعد", "لم نؤسس الشركة بعد")."""
    return any(root in word for root in _MSA_START_ROOTS)


def _stem_started(word: str) -> bool:
    """Darija's negation wraps the verb: 'ma bdinach', 'مابديناش', 'ما فتحناش'."""
    core = word.removesuffix("ch").removesuffix("ش")
    return core in _STARTED or core.removeprefix("ma").removeprefix("ما") in _STARTED


def _just_did(following: list[str]) -> bool:
    """What follows "viens"/"vient": (juste / tout juste / à peine) de (s') + opening or registering."""
    rest = list(itertools.dropwhile(_BARELY.__contains__, following))
    if rest[:1] not in (["d"], ["de"]):
        return False
    rest = rest[1:]
    if rest[:1] and rest[0] in _REFLEXIVE:
        rest = rest[1:]
    return bool(rest[:1]) and rest[0] in _OPENING


def started_recently(words: list[str]) -> bool:
    """'on a lancé le printemps passé', 'opened a B&B in Gaspé last spring', 'bdit l3am li fat' (the time may
    come after the business and its place), 'je viens d'ouvrir', 'we just launched', or a start dated a few
    months or a year or two back however far after the verb ('lancé une appli ... il y a un an'); 'on vient
    juste de s'incorporer', 'on vient d'immatriculer la compagnie': registered, so started."""
    for index, word in enumerate(words):
        if word in _JUST_DONE and _just_did(words[index + 1 : index + 6]):
            return True
        if word not in _STARTED:
            continue
        if words[index - 1 : index] == ["just"] or words[index + 1 : index + 2] == ["للتو"]:
            return True  # "we just launched", "أطلقت للتو"
        if set(words[index + 1 : index + 15]) & _RECENT:  # "... une coop de ... à Ville-Marie le mois passé"
            return True
        following = [w for w in words[index + 1 : index + 9] if w not in _ARTICLES]
        dated = words[index + 1 : index + 11]  # the month may come after the business and its place
        if set(dated) & _MONTH_NAMES and not any(_YEAR.match(w) for w in dated):
            return True  # "on a commencé en septembre", "lancé ma boutique à Victoriaville en janvier"
        if any(
            (w in _THIS and f in _PERIOD) or (w in _PERIOD and f in _THIS_AFTER)
            for w, f in itertools.pairwise(following)
        ):
            return True  # "bdit l'activité had l3am", "opened this year", "bdit 3am hada"
        for position in range(index + 1, min(len(words), index + 18)):
            unit = words[position]
            if unit in _DUAL:
                return True  # "فتحنا ... هادي شهرين", "fta7tha men chahrin": two days, months or years
            number = count(words[position - 1]) if position > index + 1 else None
            ago = words[position - 1] in _AGO_BEFORE or bool(
                set(words[position + 1 : position + 2]) & _AGO_AFTER
            )
            if number is None and unit in _ONE and ago:
                number = 1  # "تأسست قبل سنة", "7alina startup 3am hadi": a year ago
            if number is not None and (
                unit in _MONTHS or unit in _DAYS or (unit in _YEARS and number <= STARTUP_YEARS)
            ):
                return True
    return False


def from_age(words: list[str], text: str, business: set[str]) -> str | None:
    """startup or established from the business's age; None for a person's age or no age at all."""
    if _PERSONAL_AGE.search(text):
        return None
    this_year = dt.date.today().year
    if _DECADE.search(text):
        return "established"  # "depuis les années 90", "since the 80s"
    named = not business.isdisjoint(words)
    if named:
        if _SINCE_LAST.search(text):
            return "startup"  # "food truck depuis l'été passé", "since last spring"
        if _MANY_YEARS.search(text):
            return "established"  # "une entreprise qui roule depuis des années", "من سنين طويلة"
    for index, word in enumerate(words):
        if (
            word in _GENERATIONS
            and index
            and ((count(words[index - 1]) or 0) >= 2 or words[index - 1] in NTH)
        ):
            return "established"  # "3 générations", "fourth generation": a family business
        if _YEAR.match(word) and set(words[max(0, index - 4) : index]) & (_SINCE | _STARTED):
            age = this_year - int(word)  # "depuis 1994", "since 2009", "منذ 2010"
            if 0 <= age <= STARTUP_YEARS:
                return "startup"
            if age >= 5:
                return "established"
        unit: str | None = _DUAL.get(word) or (_unit(word) if index else None)
        if unit is None:
            continue
        number: int | None = 2 if word in _DUAL else count(words[index - 1])  # "شهرين": two months
        if number is None and word in _ONE and words[index - 1] in _ONE_AFTER:
            number = 1
        context = set(words[max(0, index - 7) : index + 5])
        named_before = set(words[max(0, index - 11) : index]) & (business | _STARTUP)
        has_age = words[index - 2 : index - 1] in (["a"], ["has"]) and bool(named_before)
        # "Entreprise de construction, 25 ans, Baie-Comeau": a clause of its own in a list of facts
        has_age = has_age or (
            words[index - 2 : index - 1] in ([], [BOUNDARY])
            and _ends_clause(words[index + 1 : index + 3])
            and not business.isdisjoint(words)
        )
        if unit == "days" and not set(words[max(0, index - 10) : index]) & (business | _STARTED):
            continue  # "j'ai mal au dos depuis trois jours": days are a business's age only beside it
        if (
            number is None
            or not (context & _SINCE or has_age)
            or set(words[max(0, index - 4) : index - 1]) & _PERSON_BOUND
        ):
            continue  # "les jeunes de moins de 35 ans": an age limit for people, not the business's age
        if unit in ("months", "days") or number <= STARTUP_YEARS:
            return "startup"
        if number >= 5:
            return "established"
    if named and (_SINCE_SEASON.search(text) or _EARLY_SEASON.search(text) or _young(words, business)):
        return "startup"  # "roule depuis janvier", "second season", "ma jeune agence": no age said before
    return None


def _ends_clause(following: list[str]) -> bool:
    """Nothing more in the clause after a duration, or only "in" ("a sawmill, 2 years in, 8 employees")."""
    rest = following[1:] if following[:1] == ["in"] else following
    return rest[:1] in ([], [BOUNDARY])


def _young(words: list[str], business: set[str]) -> bool:
    """'ma jeune agence web', 'a new pharmacy owner', 'عيادة جديدة': a business begun lately (one being opened
    is read before this: an idea)."""
    return any(
        word in business
        and (
            (words[index - 1 : index] and words[index - 1] in _YOUNG_BEFORE)
            or (words[index + 1 : index + 2] and words[index + 1] in _YOUNG_AFTER)
        )
        and _OPENED.isdisjoint(words[max(0, index - 4) : index])
        for index, word in enumerate(words)
    )


def _unit(word: str) -> str | None:
    """The unit of time a word names: days (and weeks), months or years."""
    return "months" if word in _MONTHS else "years" if word in _YEARS else "days" if word in _DAYS else None


def count(word: str) -> int | None:
    """The number a word says ("3", "trois", "three", "ثلاثة", "جوج"), or None."""
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(word)
