"""Understanding one message: its language, intent, confidence and slots (the `aiguilleur understand` shape).

Built once per catalog and language data; each message is normalised once, its facts found, then its
intent classified with the facts replaced by their kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from bot.catalog.model import Catalog
from bot.understanding.intent import IntentModel
from bot.understanding.lexicon import Lexicon, build_lexicon
from bot.understanding.normalize import BOUNDARY, has_arabic, normalize, normalize_clauses
from bot.understanding.schema import LanguageFile
from bot.understanding.slots import Found, extract

INFORM_CONFIDENCE = 0.8
OFF_TOPIC_CONFIDENCE = 0.5  # "la météo demain à Oran" stays off topic although it names a town


@dataclass(frozen=True)
class Understanding:
    """What the bot understood of one message."""

    lang: str
    intent: str
    confidence: float
    stage: str | None = None
    sector: str | None = None
    region: str | None = None
    needs: tuple[str, ...] = ()
    language_asked: str | None = None
    words: tuple[str, ...] = field(default=(), repr=False)

    def as_json(self) -> dict[str, Any]:
        """The command-line contract of PRODUCT.md."""
        return {
            "lang": self.lang,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "slots": {
                "stage": self.stage,
                "sector": self.sector,
                "region": self.region,
                "needs": list(self.needs),
            },
        }


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
        self.default_language = catalog.default_language  # not the catalog: it caches us (no reference cycle)
        self.languages = tuple(lang for lang in catalog.languages if lang in data) or (
            catalog.default_language,
        )
        self.lexicons: dict[str, Lexicon] = {}
        self.models: dict[str, IntentModel] = {}
        for lang in self.languages:
            lexicon = build_lexicon(data.get(lang), catalog, lang)
            self.lexicons[lang] = lexicon
            examples: dict[str, list[list[str]]] = {}
            for intent, phrases in data[lang].intents.items() if lang in data else ():
                examples[intent] = [
                    _delexicalise(w, extract(w, lexicon)) for w in (normalize(p).split() for p in phrases)
                ]
            self.models[lang] = IntentModel(examples) if examples else IntentModel({"out_of_scope": [[]]})

    @cached_property
    def distinctive(self) -> dict[str, set[str]]:
        """Words of each language's own data that no other offered language uses."""
        own = {lang: lexicon.own_words for lang, lexicon in self.lexicons.items()}
        return {
            lang: words - set().union(*(w for o, w in own.items() if o != lang))
            for lang, words in own.items()
        }

    def detect(self, text: str, words: list[str]) -> str:
        """Arabic script means Arabic; otherwise the language with the most words of its own in the message."""
        if has_arabic(text) and "ar" in self.languages:
            return "ar"
        latin = [lang for lang in self.languages if lang != "ar"] or list(self.languages)
        scores = {lang: sum(word in self.distinctive[lang] for word in words) for lang in latin}
        best = max(scores.values(), default=0)
        if best == 0 or list(scores.values()).count(best) > 1:
            default = self.default_language
            return default if default in latin else latin[0]
        return max(scores, key=scores.__getitem__)

    def understand(self, text: str, lang: str | None = None) -> Understanding:
        words = normalize_clauses(text[:2000])
        lang = lang if lang in self.languages else self.detect(text, words)
        lexicon = self.lexicons[lang]
        found = extract(words, lexicon)
        delexicalised = [w for w in _delexicalise(words, found) if w != BOUNDARY]
        intent, confidence = self.models[lang].predict(delexicalised)
        weak = confidence < (OFF_TOPIC_CONFIDENCE if intent == "out_of_scope" else INFORM_CONFIDENCE)
        if found.any() and intent not in ("inform", "find_services") and weak:
            intent, confidence = "inform", INFORM_CONFIDENCE
        if delexicalised and all(w.startswith("_") for w in delexicalised):
            intent, confidence = "inform", max(confidence, 0.9)  # nothing but facts: "tech", "Gaspésie"
        if not words:
            intent, confidence = "out_of_scope", 1.0
        joined = f" {' '.join(words)} "
        asked = next((code for name, code in lexicon.language_names.items() if f" {name} " in joined), None)
        if asked and intent not in ("inform", "find_services", "change_language"):
            intent, confidence = "change_language", max(confidence, 0.8)  # "tu peux me répondre en anglais ?"
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
        )
