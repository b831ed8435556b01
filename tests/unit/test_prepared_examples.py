"""The prepared training examples are cached beside the models: a start-up with the same language data,
catalog and code reads them back, identical; a changed phrase prepares them again."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.understanding import classifier
from bot.understanding.understand import Understander
from tests.support.personas import QUEBEC
from tests.support.shared import catalog as shared_catalog
from tests.support.shared import fewer_phrases, language_data


@pytest.mark.slow(busy=True)  # fits scikit-learn models (importing scikit-learn alone takes a second)
def test_examples_are_read_back_identical_and_prepared_again_after_an_edit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AIGUILLEUR_MODEL_CACHE", str(tmp_path))
    catalog = shared_catalog(QUEBEC)
    data = fewer_phrases(language_data(QUEBEC))  # a cold cache trains the models: keep it quick
    first = Understander(data, catalog)
    stored = sorted(p.name for p in tmp_path.glob("intent-examples-*.json"))
    assert len(stored) == len(first.languages)
    classifier._MEMORY.clear()
    prepared_again: list[str] = []
    monkeypatch.setattr(Understander, "_prepare", lambda self, *a: prepared_again.append("x") or ({}, {}))
    second = Understander(data, catalog)
    assert prepared_again == []  # read back, not prepared
    assert second.prepared_examples(data["fr"], "fr") == first.prepared_examples(data["fr"], "fr")
    assert second.understand("je cherche du financement à Rimouski", "fr").region == "01"
    edited = dict(data)
    french = data["fr"]
    edited["fr"] = french.model_copy(
        update={"intents": {**french.intents, "greet": [*french.intents["greet"], "yo le bot"]}}
    )
    Understander(edited, catalog)
    assert prepared_again == ["x"]  # French changed: prepared again; English read back


@pytest.mark.slow(busy=True)  # fits scikit-learn models (importing scikit-learn alone takes a second)
def test_the_corpus_messages_of_the_stage_fallback_are_read_back_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Preparing the corpus's messages for the stage fallback was half of a start-up's understanding time: a
    start with the same corpus, lexicon and code reads them back and places the same stages."""
    from bot.understanding import understand

    monkeypatch.setenv("AIGUILLEUR_MODEL_CACHE", str(tmp_path))
    catalog = shared_catalog(QUEBEC)
    data = fewer_phrases(language_data(QUEBEC))
    text = "on vient de signer le bail de notre premier local"  # placed by the fallback alone
    first = Understander(data, catalog)
    assert len(list(tmp_path.glob("stage-examples-*.json"))) == len(first.stage_models)
    classifier._MEMORY.clear()
    monkeypatch.setattr(understand, "stage_examples", lambda *a: pytest.fail("prepared again"))
    second = Understander(data, catalog)
    assert second.understand(text, "fr").stage == first.understand(text, "fr").stage == "startup"


@pytest.mark.slow(busy=True)  # fits scikit-learn models (importing scikit-learn alone takes a second)
def test_warming_fills_the_cache_that_the_next_start_reads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`tasks.py test` warms the cache once so that its parallel workers read the models instead of each
    training them."""
    from bot.understanding import warm
    from tests.support.personas import MINI

    monkeypatch.setenv("AIGUILLEUR_MODEL_CACHE", str(tmp_path))
    monkeypatch.setattr(classifier, "_MEMORY", {})  # models another test kept in memory would not be written
    load = warm.load_language_data  # the data trimmed, so that training takes a fraction of a second
    monkeypatch.setattr(warm, "load_language_data", lambda *a: (fewer_phrases(load(*a)[0]), []))
    assert warm.main([str(MINI)]) == 0
    assert list(tmp_path.glob("intent-examples-*.json")) and list(tmp_path.glob("intent-model-*.bin"))
    classifier._MEMORY.clear()
    monkeypatch.setattr(Understander, "_prepare", lambda self, *a: pytest.fail("prepared again"))
    monkeypatch.setattr(classifier, "train", lambda examples: pytest.fail("trained again"))
    warm.main([str(MINI)])


def test_the_cache_keeps_the_files_last_used_and_removes_the_older_ones(tmp_path: Path) -> None:
    """Every edit of the language data writes new files: without pruning the cache grew without end."""
    import os

    from bot.understanding.cache_files import keep_recent, mark_used

    files = [tmp_path / f"intent-model-{n}.bin" for n in range(5)]
    for age, path in enumerate(files):
        path.write_bytes(b"x")
        os.utime(path, (1_000_000 + age, 1_000_000 + age))  # 0 is the oldest, 4 the newest
    (tmp_path / "intent-examples-0.json").write_text("{}")  # another kind: never counted with the models
    mark_used(files[0])  # the oldest file was just read back: in use
    keep_recent(tmp_path, "intent-model-*.bin", keep=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "intent-examples-0.json",
        "intent-model-0.bin",
        "intent-model-3.bin",
        "intent-model-4.bin",
    ]
