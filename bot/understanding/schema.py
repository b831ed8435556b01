"""The shape of the language data in `intents/<lang>.yaml`: intents with example phrases, and synonyms.

Admins add phrases and synonyms without touching code; `aiguilleur catalog check` validates these files
alongside the catalog (unknown intent or code, the same phrase under two intents, empty lists).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

INTENTS = (
    "greet",
    "goodbye",
    "thanks",
    "help",
    "restart",
    "affirm",
    "deny",
    "inform",
    "find_services",
    "ask_advisor",
    "change_language",
    "forget_me",
    "out_of_scope",
)
"""Every intent the bot knows (docs/language-data.md); each language file must give examples for each one."""

Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Phrases = Annotated[list[Phrase], Field(min_length=1)]


class Synonyms(BaseModel):
    """Everyday words for each code: `stage: {startup: [démarrage, je démarre, ...]}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stage: dict[str, Phrases] = Field(default_factory=dict)
    sector: dict[str, Phrases] = Field(default_factory=dict)
    need: dict[str, Phrases] = Field(default_factory=dict)


class PairedNeed(BaseModel):
    """A need said in two parts of one clause: an act, then what it bears on ("vendre nos produits en Asie",
    "can't find welders", "je voudrais une boutique en ligne")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    acts: Phrases
    targets: Phrases


class LanguageFile(BaseModel):
    """`intents/<lang>.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
    intents: dict[str, Phrases] = Field(description="intent -> example phrases (typos and slang welcome)")
    synonyms: Synonyms = Field(default_factory=Synonyms)
    negations: list[Phrase] = Field(default_factory=list, description="words that cancel the need after them")
    lacks: list[Phrase] = Field(
        default_factory=list,
        description="words that say something is missing, with a negation in them ('je trouve pas de'): the "
        "need after them is wanted, not cancelled",
    )
    denials: list[Phrase] = Field(
        default_factory=list,
        description="words just before a place or a sector that say it is not the one: 'pas à', 'not in'",
    )
    corrections: list[Phrase] = Field(
        default_factory=list,
        description="words that correct what was just said ('euh non', 'I mean'): a place or a sector named "
        "after one replaces the one named before",
    )
    not_facts: list[Phrase] = Field(
        default_factory=list,
        description="phrases never read as facts although they contain one: 'quels services'",
    )
    paired_needs: dict[str, PairedNeed] = Field(
        default_factory=dict,
        description="need -> acts and targets: a target a few words after an act, in the same clause, says "
        "that need ('vendre' ... 'en Asie': export) where neither part alone would",
    )
    language_names: dict[str, Phrases] = Field(
        default_factory=dict, description="how people name each language: en: [anglais, english]"
    )
    region_numbers: list[Phrase] = Field(
        default_factory=list,
        description="words put before a region's number ('wilaya 19', 'région 03') when its label starts "
        "with that number, as the Algerian wilayas' do",
    )
    # The corpus's messages about a business by the stage they say (`none` for none): added by data.py
    # from intents/corpus/, never written in this file (a private attribute: YAML cannot set it).
    _stage_messages: dict[str, list[str]] = PrivateAttr(default_factory=dict)

    @property
    def stage_messages(self) -> dict[str, list[str]]:
        return self._stage_messages

    def with_stage_messages(self, messages: dict[str, list[str]]) -> LanguageFile:
        """A copy that trains the learned stage fallback on these messages."""
        copy = self.model_copy()
        copy._stage_messages = messages
        return copy
