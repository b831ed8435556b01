"""The labelled messages of `intents/corpus/`: they train the classifier like phrases do, and a bad file is a
`PATH:LINE: message` problem, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.catalog.loader import load_catalog
from bot.catalog.yamlfile import load_trusted
from bot.understanding.corpus import load_corpus
from bot.understanding.data import load_language_data
from bot.understanding.understand import Understander

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "support" / "catalogs" / "mini"
# Invented words, in no language file: only the corpus can teach what they mean.
MESSAGE = "zorblax quimpette vramoule"


def _english_with_fewer_phrases(destination: Path) -> None:
    """intents/en.yaml with 20 phrases per intent (synonyms whole): the tests train it with no cache."""
    english = load_trusted((ROOT / "intents" / "en.yaml").read_text(encoding="utf-8"))
    english["intents"] = {name: phrases[:20] for name, phrases in english["intents"].items()}
    destination.write_text(yaml.safe_dump(english, allow_unicode=True), encoding="utf-8")


def _intents_with_corpus(tmp_path: Path, corpus: str) -> Path:
    folder = tmp_path / "intents"
    folder.mkdir()
    _english_with_fewer_phrases(folder / "en.yaml")
    (folder / "corpus").mkdir()
    (folder / "corpus" / "extra.yaml").write_text(corpus, encoding="utf-8")
    return folder


def _understander(intents: Path) -> Understander:
    catalog = load_catalog(MINI)
    data, problems = load_language_data(intents, catalog)
    assert not [p for p in problems if p.severity == "error"], [str(p) for p in problems]
    return Understander(data, catalog)


@pytest.mark.slow(busy=True)  # fits scikit-learn models (importing scikit-learn alone takes a second)
def test_a_corpus_message_teaches_its_intent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIGUILLEUR_MODEL_CACHE", "off")
    corpus = "version: 1\nexamples:\n" + "".join(
        f'  - {{text: "{MESSAGE} {n}", lang: en, intent: ask_advisor}}\n' for n in ("please", "now", "today")
    )
    with_corpus = _understander(_intents_with_corpus(tmp_path, corpus))
    assert with_corpus.understand(MESSAGE, "en").intent == "ask_advisor"
    without = _understander(_bare(tmp_path))
    assert without.understand(MESSAGE, "en").intent != "ask_advisor"


def _bare(tmp_path: Path) -> Path:
    folder = tmp_path / "bare"
    folder.mkdir()
    _english_with_fewer_phrases(folder / "en.yaml")
    return folder


@pytest.mark.parametrize(
    ("corpus", "line", "message"),
    [
        (
            "version: 1\nexamples:\n  - {text: hi, lang: en, intent: flirt}\n",
            3,
            "intent 'flirt' is not one of",
        ),
        ("version: 1\nexamples:\n  - {text: hi, lang: en}\n", 3, "intent"),
        ("version: 1\nexamples:\n  - {text: '', lang: en, intent: greet}\n", 3, "text"),
        (
            "version: 1\nexamples:\n  - {text: hello you, lang: en, intent: greet}\n"
            "  - {text: Hello  you!, lang: en, intent: goodbye}\n",
            4,
            "also labelled 'greet'",
        ),
        ("version: 1\nexamples: [\n", 3, "not valid YAML"),
    ],
)
def test_a_bad_corpus_file_is_reported_with_its_line(
    tmp_path: Path, corpus: str, line: int, message: str
) -> None:
    intents = _intents_with_corpus(tmp_path, corpus)
    _corpus, problems = load_corpus(intents)
    assert problems, "the problem was not reported"
    first = str(problems[0])
    assert first.startswith(f"{intents / 'corpus' / 'extra.yaml'}:{line}:"), first
    assert message in first, first


def test_the_shipped_corpus_is_clean() -> None:
    corpus, problems = load_corpus(ROOT / "intents")
    assert not problems, [str(p) for p in problems]
    assert set(corpus) == {"fr", "en", "ar"}
    for lang, intents in corpus.items():
        total = sum(map(len, intents.values()))
        assert len(intents.get("out_of_scope", [])) >= total / 4, (
            f"{lang}: too few messages that are not ours"
        )
