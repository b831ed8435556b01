"""The learned stage fallback (bot/understanding/stage_model.py): the corpus's messages about a business teach a
stage where no phrase or rule applies, it is heard only when sure enough, and never on a message that is not
ours."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.understanding.business_cues import stage_cue
from bot.understanding.corpus import NO_STAGE
from bot.understanding.evaluate import understander
from bot.understanding.normalize import normalize_clauses
from bot.understanding.schema import LanguageFile
from bot.understanding.stage_model import stage_examples, stage_model

SMALL = {
    "version": 1,
    "language": "en",
    "intents": {"inform": ["hello"]},
}


def small_file(stages: dict[str, list[str]]) -> LanguageFile:
    return LanguageFile.model_validate(SMALL).with_stage_messages(stages)


def test_the_fallback_learns_a_stage_from_whole_messages_and_says_none_when_unsure() -> None:
    model = stage_model(
        stage_examples(
            small_file(
                {
                    "startup": ["we opened our doors last month", "our doors opened in the spring"] * 4,
                    NO_STAGE: ["we sell bread in Laval", "we make furniture in Lévis"] * 4,
                }
            ),
            str.split,
        )
    )
    assert model is not None
    assert model.stage(["our", "doors", "opened", "last", "week"]) == "startup"
    assert model.stage(["we", "sell", "chairs", "in", "Laval"]) is None  # "none" wins: no stage said


def test_no_fallback_where_the_corpus_says_no_stage() -> None:
    assert stage_model(stage_examples(small_file({NO_STAGE: ["we sell bread"]}), str.split)) is None
    assert stage_model(stage_examples(None, str.split)) is None


def test_a_language_file_cannot_set_the_corpus_stages_itself() -> None:
    with pytest.raises(ValidationError):
        LanguageFile.model_validate({**SMALL, "_stage_messages": {"idea": ["x"]}})


def test_the_shipped_fallback_places_a_message_no_phrase_or_rule_places() -> None:
    text = "on vient de signer le bail de notre premier local"
    understanding = understander("quebec")
    assert stage_cue(normalize_clauses(text)) is None  # no rule says it
    found = understanding.understand(text, "fr")
    assert found.intent in ("inform", "find_services")
    assert found.stage == "startup"


def test_a_message_that_is_not_ours_gets_no_stage_from_the_fallback() -> None:
    text = "ma fille vient d'ouvrir son premier compte de banque"
    understanding = understander("quebec")
    assert understanding.stage_models["fr"].stage(understanding._words(text, "fr")) == "startup"  # it would
    found = understanding.understand(text, "fr")
    assert found.intent == "out_of_scope"
    assert found.stage is None
