"""The labelling convention between inform and find_services (docs/language-data.md), the question marker, the
fast scoring of the classifier and the cross-validation over the corpus."""

from __future__ import annotations

import math
import shutil
from collections import Counter
from pathlib import Path

import pytest

from bot.understanding import classifier, evaluate
from bot.understanding.crossval import corpus_cases
from bot.understanding.evaluate import ROOT, understander
from bot.understanding.normalize import normalize
from tests.support.understanding import heard


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [
        ("du mentorat", "fr", "inform"),  # a need given as an answer
        ("on cherche du mentorat pour notre coop à Rimouski", "fr", "find_services"),  # asked for
        ("du mentorat?", "fr", "find_services"),  # a question
        ("we are looking for office space in Gatineau", "en", "find_services"),
        ("we run a bakery in Gatineau", "en", "inform"),  # facts alone
    ],
)
def test_a_need_asked_for_is_a_request_and_a_need_given_is_a_fact(text: str, lang: str, intent: str) -> None:
    assert heard(text, lang).intent == intent


def test_i_m_is_i_am_not_the_french_me() -> None:
    assert normalize("I'm in Laval") == "i am in laval"
    assert normalize("j'm'en vais") == "je me en vais"


def test_a_question_mark_is_one_feature_of_its_own() -> None:
    assert classifier.char_features([classifier.QUESTION]) == [classifier.QUESTION]


def _reference_scores(model: classifier.LinearModel, words: list[str]) -> list[float]:
    """The scores computed the plain way: one feature row at a time."""
    totals = list(model.intercept)
    for index, features, scale in (
        (model.word_index, classifier.word_features(words), 1.0),
        (model.char_index, classifier.char_features(words), classifier.CHAR_WEIGHT),
    ):
        counts = Counter(index[f] for f in features if f in index)
        block = [(row, (1.0 + math.log(n)) * model.idf[row]) for row, n in counts.items()]
        norm = math.sqrt(sum(v * v for _, v in block)) or 1.0
        for row, value in block:
            for k, weight in enumerate(model.row(row)):
                totals[k] += scale * value / norm * weight
    return totals


@pytest.mark.parametrize(
    "text", ["chu en démarrage à Rimouski pis j'cherche du financement", "merci", "zzzz qqq", ""]
)
def test_the_fast_scoring_gives_the_plain_scores(text: str) -> None:
    model = understander("quebec").models["fr"].model
    words = normalize(text).split()
    assert model.scores(words) == pytest.approx(_reference_scores(model, words))
    assert model.scores(words) == pytest.approx(_reference_scores(model, words))  # remembered words


def test_the_corpus_reads_as_cases_with_their_file() -> None:
    cases = corpus_cases(ROOT / "intents")
    assert {case["file"] for case in cases} >= {"written.yaml", "conventions.yaml"}
    assert all(case["intent"] and case["lang"] in ("fr", "en", "ar") for case in cases)


def test_the_evaluation_refuses_language_data_with_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A language file with an error is left out when loaded: measuring without it would print figures for
    a French read by no French data. The command names the error and measures nothing."""
    shutil.copytree(ROOT / "intents", tmp_path / "intents")
    shutil.copytree(ROOT / "catalog" / "quebec", tmp_path / "catalog" / "quebec")
    english = tmp_path / "intents" / "en.yaml"
    english.write_text(
        english.read_text(encoding="utf-8").replace(
            "    digital:\n", '    digital:\n      - "thrift store"\n', 1
        ),
        encoding="utf-8",
    )
    cases = tmp_path / "cases.yaml"
    cases.write_text('version: 1\ncases:\n  - {text: "hello", lang: en, intent: greet}\n', encoding="utf-8")
    monkeypatch.setattr(evaluate, "ROOT", tmp_path)
    evaluate.language_data.cache_clear()
    try:
        with pytest.raises(SystemExit, match=r"en\.yaml:\d+: 'thrift store' already means sector 'retail'"):
            evaluate.main([str(cases), "--no-baseline"])
    finally:
        evaluate.language_data.cache_clear()
    assert "intent acc" not in capsys.readouterr().out
