"""The evaluation's baseline is fitted once for each state of `intents/`, then read back from the model cache
(bot/understanding/baseline.py): a developer's second evaluation run no longer waits 20 s for the same fit."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.understanding.baseline import Baseline

PHRASES = {
    "greet": ["bonjour", "salut", "bonsoir", "allo"],
    "thanks": ["merci", "merci beaucoup", "mille mercis", "je vous remercie"],
    "ask_advisor": ["parler à un conseiller", "je veux un conseiller", "un humain svp", "une personne"],
}
MESSAGES = ["bonjour à vous", "merci bien", "je veux parler à quelqu'un", "zzz"]


def intents_folder(root: Path, extra: str = "") -> Path:
    folder = root / "intents"
    folder.mkdir(exist_ok=True)
    lines = ["version: 1", "language: fr", "intents:"]
    lines += [
        f"  {intent}: [{', '.join(phrases)}{extra if intent == 'greet' else ''}]"
        for intent, phrases in PHRASES.items()
    ]
    (folder / "fr.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("AIGUILLEUR_MODEL_CACHE", str(folder))
    return folder


def test_a_second_evaluation_reads_the_fitted_baseline_back_and_predicts_alike(
    tmp_path: Path, cache: Path
) -> None:
    folder = intents_folder(tmp_path)
    said: list[str] = []
    first = Baseline(folder, progress=said.append)
    assert first.fitted and len(said) == 1 and "fitting the baseline" in said[0]
    assert len(list(cache.glob("baseline-*.pickle"))) == 1

    second = Baseline(folder, progress=said.append)
    assert not second.fitted and len(said) == 1  # read back: nothing fitted, nothing announced
    assert second.predict(MESSAGES, "fr") == first.predict(MESSAGES, "fr")
    assert second.predict(["bonjour"], "fr") == ["greet"]


def test_an_edit_of_the_data_fits_it_again(tmp_path: Path, cache: Path) -> None:
    folder = intents_folder(tmp_path)
    assert Baseline(folder).fitted
    intents_folder(tmp_path, extra=", coucou")
    assert Baseline(folder).fitted  # another key: the old model is not used for the new data
    assert not Baseline(folder).fitted
    assert len(list(cache.glob("baseline-*.pickle"))) == 2


def test_a_damaged_or_foreign_cache_file_is_fitted_again_not_an_error(tmp_path: Path, cache: Path) -> None:
    folder = intents_folder(tmp_path)
    Baseline(folder)
    (path,) = cache.glob("baseline-*.pickle")
    path.write_bytes(b"not a pickle")
    again = Baseline(folder)
    assert again.fitted and again.predict(["merci"], "fr") == ["thanks"]
    path.write_bytes(__import__("pickle").dumps({"key": "another", "models": {}}))
    assert Baseline(folder).fitted


def test_with_the_cache_off_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIGUILLEUR_MODEL_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = intents_folder(tmp_path)
    assert Baseline(folder).fitted and Baseline(folder).fitted
    assert not (tmp_path / "xdg").exists()


def test_two_at_once_fit_it_once(tmp_path: Path, cache: Path) -> None:
    folder = intents_folder(tmp_path)
    made: list[Baseline] = []
    threads = [threading.Thread(target=lambda: made.append(Baseline(folder))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(b.fitted for b in made) == [False, True]
