"""Whole messages labelled with their intent, in `intents/corpus/*.yaml`: training data beside the phrases.

The phrases of `intents/<lang>.yaml` teach the classifier the short, typical ways of asking. Real messages are
longer and looser ("bon ben moi j'ai une shop de vélos à Sherbrooke pis j'aimerais grossir"): a corpus of
whole messages, each with its language and intent, teaches how the pieces come together. Each message is
trained on exactly like a phrase of its intent; its `slots` document what it says (checked against the
taxonomy as a warning, since one corpus serves every network); the stage each message about a business
says (or none) trains the learned stage fallback (stage_model.py).

A corpus file is checked like a language file: every problem is `PATH:LINE: message`.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from bot.catalog.loader import check_file
from bot.catalog.yamlfile import Problem, YamlDoc
from bot.understanding.normalize import normalize
from bot.understanding.schema import INTENTS

CORPUS_FOLDER = "corpus"


class Slots(BaseModel):
    """What the message states, as taxonomy codes (documentation for readers and checks)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stage: str | None = None
    sector: str | None = None
    region: str | None = None
    needs: list[str] = Field(default_factory=list)


class Example(BaseModel):
    """One labelled message."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    lang: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
    intent: str
    slots: Slots = Field(default_factory=Slots)
    network: str | None = None
    tags: list[str] = Field(default_factory=list)

    @field_validator("intent")
    @classmethod
    def _known_intent(cls, intent: str) -> str:
        if intent not in INTENTS:
            raise ValueError(f"intent '{intent}' is not one of {', '.join(INTENTS)}")
        return intent


class CorpusFile(BaseModel):
    """`intents/corpus/<name>.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    examples: list[Example]


Corpus = dict[str, dict[str, list[str]]]
"""language -> intent -> messages."""
Stages = dict[str, dict[str, list[str]]]
"""language -> stage code, or `none` -> the messages about a business that say that stage (or none)."""
ABOUT_A_BUSINESS = ("inform", "find_services", "ask_advisor")
NO_STAGE = "none"


def load_corpus(intents_dir: Path) -> tuple[Corpus, list[Problem]]:
    """The messages of every valid corpus file under `intents_dir/corpus/`, and the problems of all of them.

    A message labelled with two different intents (in one file or two) is an error at its second place and
    is left out; a file with a shape error is left out whole.
    """
    corpus, _stages, problems = load_corpus_and_stages(intents_dir)
    return corpus, problems


def load_corpus_and_stages(intents_dir: Path) -> tuple[Corpus, Stages, list[Problem]]:
    """`load_corpus`, with the stage each message about a business says: the learned stage fallback's
    training data (bot/understanding/stage_model.py)."""
    corpus: Corpus = {}
    stages: Stages = {}
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for path in sorted((Path(intents_dir) / CORPUS_FOLDER).glob("*.yaml")):
        checked = check_file(path, CorpusFile, problems)
        if checked is None:
            continue
        parsed, doc = checked
        for index, example in enumerate(parsed.examples):
            key = (example.lang, normalize(example.text))
            earlier = seen.setdefault(key, example.intent)
            if earlier != example.intent:
                problems.append(_problem(path, doc, index, f"'{example.text}' is also labelled '{earlier}'"))
                continue
            corpus.setdefault(example.lang, {}).setdefault(example.intent, []).append(example.text)
            if example.intent in ABOUT_A_BUSINESS:
                stage = example.slots.stage or NO_STAGE
                stages.setdefault(example.lang, {}).setdefault(stage, []).append(example.text)
    return corpus, stages, problems


def _problem(path: Path, doc: YamlDoc, index: int, message: str) -> Problem:
    return Problem(path, partial(doc.line_of, ("examples", index)), message)
