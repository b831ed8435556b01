"""Which offered language a first message is in (bot/understanding/language_id.py), on the real data."""

from __future__ import annotations

import pytest

from bot.understanding.evaluate import understander
from bot.understanding.normalize import normalize
from bot.understanding.understand import Understander


@pytest.fixture(scope="module")
def quebec() -> Understander:
    return understander("quebec")


@pytest.fixture(scope="module")
def algerie() -> Understander:
    return understander("algerie")


def detect(understander: Understander, text: str) -> str:
    return understander.detect(text, normalize(text).split())


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("hi", "en"),  # in the French data too, far more often in the English
        ("thanks!", "en"),
        ("restart", "en"),
        ("forget me", "en"),
        ("bonjour", "fr"),
        ("merci ben gros", "fr"),
        ("Montréal", "fr"),  # a place alone says nothing: the network's default
    ],
)
def test_short_messages_in_quebec(quebec: Understander, text: str, lang: str) -> None:
    assert detect(quebec, text) == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "merci bzaf",
            "ar",
        ),  # Arabizi with a French word: the Arabizi word is its own, the French one shared
        ("3aytouli svp", "ar"),
        ("l'entreprise 3andha 25 ans", "ar"),
        ("السلام عليكم", "ar"),
        ("bonjour, je cherche un incubateur à Oran", "fr"),
        ("hello, I need funding for my startup in Oran", "en"),
    ],
)
def test_mixed_messages_in_algeria(algerie: Understander, text: str, lang: str) -> None:
    assert detect(algerie, text) == lang
