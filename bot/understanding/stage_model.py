"""The learned stage fallback: where no stage phrase or rule applies, a linear model reads the message whole.

People tell a business's age and moment in words no list holds ("on vient de signer notre bail", "ça fait
une couple d'hivers qu'on roule", "rana f l3am lewel"). The rules of `business_cues.py` and the phrases of
`intents/<lang>.yaml` come first; this model, trained on the corpus's messages about a business (the stage
their `slots` give, or none: `intents/corpus/`), is asked only when they found nothing, and heard only above
`STAGE_FALLBACK` (chosen by cross-validation over the corpus, docs/language-data.md). It is the same kind of
model as the intent classifier (classifier.py), cached the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.understanding.classifier import LinearModel, load_or_train
from bot.understanding.corpus import NO_STAGE
from bot.understanding.prepared import Examples
from bot.understanding.schema import LanguageFile

STAGE_FALLBACK = 0.5  # the model's probability for a stage at least this: chosen by cross-validation
MIN_DF = 3  # a feature seen in fewer messages is left out: a third of the memory; chosen by cross-validation


class StageModel:
    """A stage for a message no rule placed, or None."""

    def __init__(self, model: LinearModel) -> None:
        self.model = model

    def stage(self, words: list[str]) -> str | None:
        probabilities = self.model.probabilities(words)
        best = max(probabilities, key=probabilities.__getitem__)
        return best if best != NO_STAGE and probabilities[best] >= STAGE_FALLBACK else None


def stage_examples(data: LanguageFile | None, prepare: Callable[[str], list[str]]) -> Examples:
    """The corpus's messages about a business as the model reads them (`prepare`), by the stage they say."""
    messages = data.stage_messages if data is not None else {}
    return {code: [prepare(m) for m in texts] for code, texts in messages.items()}


def stage_model(examples: Examples) -> StageModel | None:
    """The fallback for one language, or None when its corpus says no stage at all (nothing to learn)."""
    if not any(code != NO_STAGE and texts for code, texts in examples.items()):
        return None
    return StageModel(load_or_train(examples, MIN_DF))
