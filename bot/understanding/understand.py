"""Understanding one message: its language, intent, confidence and slots (the `aiguilleur understand` shape).

Built once per catalog and language data; each message is normalised once, its facts found, then its
intent classified with the facts replaced by their kind. On top of the classifier, a few general rules:

- **Out of scope wins over facts**: "je cherche un appartement à louer à Sherbrooke" names a town but is not
  ours; it stays `out_of_scope` (its slots are still reported, the dialogue ignores them).
- **Facts and an action**: "je suis à Laval, je veux parler à un conseiller" is `ask_advisor` with its region;
  `action` names the request for a person or for services whenever the message makes one.
- **Safe actions**: `restart`, `forget_me` and `change_language` change the user's state: `safe_to_act` says
  whether the confidence is high enough to act without asking first.

The thresholds come from cross-validation on `intents/` (`python -m bot.understanding.tune`).
"""

from __future__ import annotations

import functools
import weakref
from collections import Counter

from bot.catalog.model import Catalog
from bot.understanding import prepared
from bot.understanding.asking import asks_for_need, only_wishes_for_goals, tells_without_asking
from bot.understanding.business_cues import changes_hands, owns_business, takes_over_something_else
from bot.understanding.business_turns import becomes_business
from bot.understanding.classifier import OWN_BUSINESS, PERSONAL, QUESTION
from bot.understanding.clauses import (
    ACTION_CONFIDENCE,
    ACTIONS,
    STATE_CHANGING,
    asked_action,
    clause_intents,
    state_change,
)
from bot.understanding.corpus import ABOUT_A_BUSINESS
from bot.understanding.data import no_collections
from bot.understanding.intent import EXACT_CONFIDENCE, IntentModel, exact_key
from bot.understanding.language_id import (
    BORROWED_WORDS,
    best_language,
    data_words,
    latin_own_words,
    leaning_words,
)
from bot.understanding.lexicon import Lexicon, build_lexicon
from bot.understanding.normalize import (
    BOUNDARY,
    has_arabic,
    normalize,
    normalize_clauses,
    strip_clitics,
    strip_latin_clitics,
)
from bot.understanding.personal import personal_matter, served_by
from bot.understanding.prepared import Examples
from bot.understanding.schema import LanguageFile
from bot.understanding.slots import Found, extract, specific_needs
from bot.understanding.stage_corrections import corrected, cue_words
from bot.understanding.stage_model import StageModel, stage_examples, stage_model
from bot.understanding.understanding import SAFE_ACTION_CONFIDENCE, Understanding

MAX_CHARACTERS = 2000  # a Telegram message has at most 4,096; what matters is said in the first lines
INFORM_CONFIDENCE = 0.8
# Tuned by 5-fold cross-validation on intents/ (python -m bot.understanding.tune), never on a test table (and
# SAFE_ACTION_CONFIDENCE in understanding.py).
OFF_TOPIC_CONFIDENCE = 0.35  # out_of_scope at least this sure stays out of scope, even naming a town
# A stage, or a sector with a need, describes a business ("mon père veut me passer l'entreprise", "un local
# pour ma compagnie de transport"): out of scope only when quite sure.
OFF_TOPIC_WITH_STAGE = 0.7
GUESS_CONFIDENCE = 0.5  # below, a message of unknown words only is out of scope
# Needs nobody has outside a business ("l'incubateur de l'université", "R-D avec un labo"; not a loan, a course
# or a room): out of scope only when the classifier is all but certain (a university is often the incubator's)
BUSINESS_NEEDS = frozenset({"incubation", "innovation"})
OFF_TOPIC_WITH_BUSINESS_NEED = 0.9
REJECT_BELOW = 0.3  # a message with no fact whose best intent is less sure than this is out of scope
SMALL_TALK = frozenset({"greet", "goodbye", "thanks", "help"})  # with facts, the facts are the message ...
SMALL_TALK_SURE = 0.9  # ... unless the classifier is this sure of the small talk


def _asks(text: str) -> list[str]:
    """The question marker for the classifier: a message with "?" asks (a request, help, a question that is
    not ours); facts alone seldom do. Normalisation removes punctuation, so the marker keeps this one sign."""
    return [QUESTION] if "?" in text or "؟" in text else []


def _their_business(words: list[str]) -> bool:
    """A business of their own ('3andi une boîte'), one bought or sold ('nechri l'entreprise ta3 3ammi'), or a
    hobby to live from ('make a living from it'): never out of scope, whatever the classifier says. Not one
    they work for or buy from ('my company laid me off', 'mon garage m'a chargé trop cher')."""
    return (owns_business(words) and not served_by(words)) or changes_hands(words) or becomes_business(words)


def _with_markers(text: str, words: list[str]) -> list[str]:
    return words + _markers(text, words)


def _markers(text: str, words: list[str]) -> list[str]:
    """The classifier's extra features: a question, and whose matter it is (the person's own life, or a
    business of theirs): "un plombier pour ma douche" and "un local pour ma boulangerie" differ by that."""
    own = [OWN_BUSINESS] if owns_business(words) else [PERSONAL] if personal_matter(words) else []
    return _asks(text) + own


def _off_topic_bar(found: Found) -> float:
    """How sure out_of_scope must be to win over the facts found: surer when they describe a business."""
    if BUSINESS_NEEDS.intersection(found.needs):
        return OFF_TOPIC_WITH_BUSINESS_NEED
    describes_business = found.stage or (found.sector and found.needs)
    return OFF_TOPIC_WITH_STAGE if describes_business else OFF_TOPIC_CONFIDENCE


def _delexicalise(words: list[str], found: Found) -> list[str]:
    out: list[str] = []
    position = 0
    for start, end, slot in found.spans:
        out.extend(words[position:start])
        out.append(f"_{slot}_")
        position = end
    out.extend(words[position:])
    return out


class Understander:
    """Understands messages for one catalog, in the languages it offers."""

    def __init__(self, data: dict[str, LanguageFile], catalog: Catalog) -> None:
        with no_collections():
            self._build(data, catalog)

    def _build(self, data: dict[str, LanguageFile], catalog: Catalog) -> None:
        self.default_language = catalog.default_language  # not the catalog: it caches us (no reference cycle)
        self.languages = tuple(lang for lang in catalog.languages if lang in data) or (
            catalog.default_language,
        )
        self.lexicons: dict[str, Lexicon] = {}
        self.models: dict[str, IntentModel] = {}
        self.known: dict[str, frozenset[str]] = {}
        self.facts: dict[str, frozenset[str]] = {}  # the words of facts' phrases: places, labels, synonyms
        self.whole_facts: dict[str, frozenset[str]] = {}  # the phrases of one word among them
        self.stage_models: dict[str, StageModel] = {}  # the learned fallback, where the corpus has stages
        self.stage_words: dict[str, frozenset[str]] = {}  # the words of the lexicon's stage phrases
        # Arabic script is read as Arabic wherever the data has it, even where it is not answered in (Québec);
        # built on its first message (`build`), so that a Québec bot never reading Arabic saves its 14 MB
        self.readable = self.languages + tuple(
            lang for lang in ("ar",) if lang in data and lang not in self.languages
        )
        self._later = (data, weakref.ref(catalog))  # a weak reference: the catalog caches us
        counts = {lang: data_words(data[lang]) for lang in self.languages if lang in data}
        for lang in self.languages:
            self._build_language(lang, data, catalog, counts.get(lang))
        # only the leaning words are kept; a language read but not answered in leans by its own Latin words
        # from the start: Arabizi is told apart before Arabic is built
        self.leaning = leaning_words(counts)
        offered = [self.known[lang] for lang in self.languages]
        for lang in self.readable[len(self.languages) :]:
            self.leaning[lang] = latin_own_words(data_words(data[lang]), offered)

    def _build_language(
        self, lang: str, data: dict[str, LanguageFile], catalog: Catalog, counts: Counter[str] | None
    ) -> None:
        """One language's lexicon, intent model and stage fallback."""
        lexicon = build_lexicon(data.get(lang), catalog, lang, counts)
        self.lexicons[lang] = lexicon
        self.stage_words[lang] = frozenset(
            word
            for phrase, (slot, _code) in lexicon.phrases.items()
            if slot == "stage"
            for word in phrase.split()
        )
        self.known[lang] = frozenset(lexicon.vocabulary)
        fact_phrases = [phrase for phrase, (slot, _code) in lexicon.phrases.items() if slot != "none"]
        self.facts[lang] = frozenset(word for phrase in fact_phrases for word in phrase.split())
        self.whole_facts[lang] = frozenset(phrase for phrase in fact_phrases if " " not in phrase)
        phrases = data[lang].intents if lang in data else {}
        examples, raw = prepared.load_or_prepare(
            prepared.key(phrases, lexicon, self.known[lang]),
            functools.partial(self._prepare, phrases, lang),
        )
        corpus = data[lang].stage_messages if lang in data else {}
        stages, _ = prepared.load_or_prepare(
            prepared.key(corpus, lexicon, self.known[lang]),
            lambda: (stage_examples(data.get(lang), functools.partial(self._words, lang=lang)), {}),
            kind="stage",
        )
        fallback = stage_model(stages)
        if fallback is not None:
            self.stage_models[lang] = fallback
        self.models[lang] = IntentModel(examples, raw) if examples else IntentModel({"out_of_scope": [[]]})
        # the prepared examples are not kept: the models hold what they need of them (3 MB less;
        # `prepared_examples` reads them back from the cache for a tool that needs them)

    def built(self, lang: str) -> bool:
        """Whether `lang` is read without building it first (its intent model is the last part built)."""
        return lang in self.models

    def _ready(self, lang: str) -> bool:
        """Whether `lang` can be read now: a language read but not answered in is built on first use (about
        80 ms, once); False if its catalog is gone."""
        if self.built(lang):
            return True
        data, catalog_ref = self._later
        catalog = catalog_ref()
        if catalog is None or lang not in data:
            return False
        with no_collections():
            self._build_language(lang, data, catalog, data_words(data[lang]))
        return True

    def build(self, lang: str) -> None:
        """Build `lang` if it is read and not built yet (the dialogue: in a worker thread, for its first message)."""
        if lang in self.readable:
            self._ready(lang)

    def prepared_examples(self, data: LanguageFile, lang: str) -> Examples:
        """A language's phrases as its model was trained on them (from the cache: prepared.py)."""
        phrases = data.intents
        key = prepared.key(phrases, self.lexicons[lang], self.known[lang])
        return prepared.load_or_prepare(key, functools.partial(self._prepare, phrases, lang))[0]

    def _prepare(self, phrases: dict[str, list[str]], lang: str) -> tuple[Examples, Examples]:
        """Each phrase as the classifier sees it: delexicalised ("je suis a _region_"), and as written."""
        examples: Examples = {}
        raw: Examples = {}
        for intent, texts in phrases.items():
            raw[intent] = [_with_markers(p, self._stripped(normalize(p).split(), lang)) for p in texts]
            examples[intent] = [_delexicalise(w, extract(w, self.lexicons[lang])) for w in raw[intent]]
        return examples, raw

    def _unblocked(self, words: list[str], found: Found, lang: str) -> list[str]:
        """The message's words for the stage fallback: clause boundaries out, and the stage words of the
        phrases that are never facts."""
        blocked = {i for start, end in found.blocked for i in range(start, end)}
        stage_words = self.stage_words[lang]
        return [
            word
            for i, word in enumerate(words)
            if word != BOUNDARY and not (i in blocked and word in stage_words)
        ]

    def _stripped(self, words: list[str], lang: str) -> list[str]:
        """Arabic words without the clitics that hide a known word ("بوهران" -> "وهران"), Arabizi ones without
        a glued article or preposition ("lfla7a", "fbejaia"); words of other languages as they are."""
        if lang != "ar":
            return words
        return strip_latin_clitics(
            strip_clitics(words, self.known[lang], self.facts[lang], self.whole_facts[lang]), self.facts[lang]
        )

    def _words(self, text: str, lang: str) -> list[str]:
        """A message's words as `understand` reads them, clauses joined: what the stage fallback learns from."""
        return [w for w in self._stripped(normalize_clauses(text[:MAX_CHARACTERS]), lang) if w != BOUNDARY]

    def detect(self, text: str, words: list[str]) -> str:
        """Arabic script means Arabic; otherwise the Latin-script language most of the message's words lean to
        (language_id.py)."""
        if has_arabic(text) and "ar" in self.readable and (self.built("ar") or self._later[1]() is not None):
            return "ar"
        default = self.default_language if self.default_language in self.languages else self.languages[0]
        found = best_language(words, self.leaning, default)
        if found in self.languages or sum(word in self.leaning[found] for word in words) >= BORROWED_WORDS:
            return found
        offered = {lang: self.leaning[lang] for lang in self.languages if lang in self.leaning}
        return best_language(words, offered, default)  # too little Arabizi: among the offered ones

    def language_of(self, text: str) -> str:
        """The language `understand` reads a message in when it is given none (a first message)."""
        return self.detect(text, normalize_clauses(text[:MAX_CHARACTERS]))

    def reading_language(self, text: str, lang: str) -> str:
        """The language a message of a conversation in `lang` is read in: Arabic script as Arabic, and so is
        Arabizi where Arabic is read but not answered in (Québec: language_id.py); anything else in `lang`."""
        if has_arabic(text):
            return "ar" if "ar" in self.readable else lang
        if self.readable == self.languages:
            return lang  # every language read is answered in: the conversation's
        return "ar" if self.language_of(text) == "ar" else lang

    def understand(self, text: str, lang: str | None = None) -> Understanding:
        """What one message says; never raises, whatever the text (empty, emoji, control characters)."""
        words = normalize_clauses(text[:MAX_CHARACTERS])
        lang = lang if lang in self.readable and self._ready(lang) else self.detect(text, words)
        if not self._ready(lang):  # detected in a language whose catalog is gone: the first one offered
            lang = self.languages[0]
        lexicon = self.lexicons[lang]
        written, words = words, self._stripped(words, lang)
        flat = [w for w in words if w != BOUNDARY]  # the words without the clauses' boundaries
        cues = cue_words(words)  # the words with a false stage cue blanked ("want to start selling")
        found = extract(cues, lexicon)
        if lang == "ar" and "fr" in self.lexicons and any(w.isascii() and w.isalpha() for w in flat):
            # Arabizi borrows its business words from French ("3andi une boulangerie f Annaba", "ferme ta3
            # lbgar"): what the French lexicon finds and the Arabic one did not is a fact too
            found.fill_from(extract(strip_latin_clitics(words, self.facts["fr"]), self.lexicons["fr"]))
        found.stage = corrected(found.stage, cues)
        model = self.models[lang]
        delexicalised = _delexicalise(words, found)
        plain = model.correct([w for w in delexicalised if w != BOUNDARY])
        markers = _markers(text[:MAX_CHARACTERS], flat)
        probabilities = model.distribution(plain + markers, flat + markers)
        intent = max(probabilities, key=probabilities.__getitem__)
        confidence = probabilities[intent]
        exact = confidence == EXACT_CONFIDENCE and model.exact.get(exact_key(plain)) == intent
        facts = found.any()
        # what each clause asks, read once for both uses below (none when the message is one clause, or
        # when it already asks for a person as a whole); a person asked for in one clause wins over services
        # asked for in the message ("can someone call me? I have a farm and need financing": ask_advisor)
        clauses = [] if intent == "ask_advisor" else clause_intents(model, delexicalised)
        asked = asked_action(clauses)
        action = "ask_advisor" if asked == "ask_advisor" else intent if intent in ACTIONS else asked
        if not any(c.isalpha() for w in words for c in w):
            # Nothing to understand ("", "99", "?", an emoji): not a request of another kind, so the
            # dialogue says it did not understand and asks again, rather than "I can't help with that".
            intent, confidence, action = "out_of_scope", 0.0, None
        elif not facts and confidence < GUESS_CONFIDENCE and not model.knows_any(plain):
            # not one word the data knows ("sdfkjh", "ازبلث ثصق") and an unsure guess from letter shapes:
            # nothing of ours (a short word the data lacks, "nop", is still guessed surely enough)
            intent, confidence, action = "out_of_scope", max(confidence, 1.0 - confidence), None
        elif plain and all(w.startswith("_") for w in plain):
            intent, confidence = "inform", max(confidence, 0.9)  # nothing but facts: "tech", "Gaspésie"
        elif intent == "out_of_scope" and not exact and _their_business(words):
            # their business, one changing hands, or a hobby they want to live from: told or asked about
            ours = max(("inform", "find_services"), key=lambda i: probabilities.get(i, 0.0))
            intent, confidence = ("find_services" if found.needs else ours), INFORM_CONFIDENCE
        elif intent == "out_of_scope" and (confidence >= _off_topic_bar(found) or exact):
            action = None  # "il fait beau à Rimouski": a town, but not ours
        elif facts and action is not None:
            if intent != action:
                intent, confidence = action, max(confidence, ACTION_CONFIDENCE)
        elif (
            facts
            and intent in ("inform", "find_services", *STATE_CHANGING)
            and (state := state_change(clauses))
        ):
            # "j'suis à Lévis pas à Québec, on peut recommencer?": facts, then another action in a clause of
            # its own. Never sure enough to act without asking: the dialogue confirms it first.
            intent, confidence = state[0], min(state[1], SAFE_ACTION_CONFIDENCE - 0.05)
        elif facts and intent not in ("inform", "find_services") and confidence < INFORM_CONFIDENCE:
            # facts, and an unsure guess of another kind: facts told (inform) or facts with a request
            # (find_services), whichever the classifier prefers
            intent = max(("inform", "find_services"), key=lambda i: probabilities.get(i, 0.0))
            confidence = INFORM_CONFIDENCE
        elif facts and intent in SMALL_TALK and not exact and confidence < SMALL_TALK_SURE:
            # "on veut ouvrir bientôt" is not "à bientôt"; "au revoir, je reviendrai avec mon plan d'affaires" is
            intent, confidence = "inform", max(confidence, INFORM_CONFIDENCE)
        elif not facts and confidence < REJECT_BELOW and not exact:
            intent, confidence, action = "out_of_scope", 1.0 - confidence, None
        if intent == "inform" and asks_for_need(words, found, QUESTION in markers, exact):
            # "we need office space in Montreal", "du financement pour ma boutique?", "je voudrais une
            # formation": a need asked for is a request; one given as an answer or told stays inform
            intent = "find_services"
        elif (
            intent == "find_services"
            and not exact
            and (
                only_wishes_for_goals(words, found, QUESTION in markers)
                or tells_without_asking(words, found, QUESTION in markers)
            )
        ):
            # "on veut exporter en Allemagne", "nheb nkabbarha": a plan told, not asked for (asking.py)
            intent, action = "inform", None if action == "find_services" else action
        joined = f" {' '.join(words)} "
        asked = next((code for name, code in lexicon.language_names.items() if f" {name} " in joined), None)
        if asked and intent not in ("inform", "find_services", "change_language", "out_of_scope", *ACTIONS):
            intent, confidence = "change_language", max(confidence, 0.8)  # "tu peux me répondre en anglais ?"
        if intent in ACTIONS:
            action = intent
        if found.stage is None and intent in ABOUT_A_BUSINESS and lang in self.stage_models:
            # no phrase or rule said a stage: the model of the corpus's messages may ("rana f l3am lewel"),
            # without the stage words a `not_facts` phrase blocked ("des programmes pour les startups")
            found.stage = self.stage_models[lang].stage(self._unblocked(words, found, lang))
        elif found.stage == "established" and intent in ABOUT_A_BUSINESS and lang in self.stage_models:
            # an age says the business runs, not that it stays in the same hands: the model may hear a
            # hand-over the rules missed ("18 years old, my father wants me to take the lead")
            heard = self.stage_models[lang].stage(self._unblocked(words, found, lang))
            if heard == "succession" and not takes_over_something_else(cues):
                found.stage = "succession"
        found.needs = specific_needs(found, written)  # "conseils juridiques" is legal, not general advice
        if intent == "out_of_scope":
            found = Found()  # not ours: a town or a need it names is not a fact about a business
        return Understanding(
            lang,
            intent,
            confidence,
            found.stage,
            found.sector,
            found.region,
            tuple(found.needs),
            asked,
            tuple(words),
            action,
            found.town,
        )
