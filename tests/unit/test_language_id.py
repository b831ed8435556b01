"""Which offered language a first message is in (bot/understanding/language_id.py), on the real data."""

from __future__ import annotations

import pytest

from bot.understanding.evaluate import catalog_of, language_data, understander
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


@pytest.fixture(scope="module", params=["before Arabic is built", "after"])
def quebec_reading_arabic(request: pytest.FixtureRequest) -> Understander:
    """Québec's understander as the bot starts (Arabic not built: it is built on its first message) and
    once an Arabic message was read: Arabizi is told apart either way."""
    understander_ = Understander(language_data("quebec"), catalog_of("quebec"))
    if request.param == "after":
        understander_.build("ar")
    assert understander_.built("ar") == (request.param == "after")
    return understander_


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("rani f Montréal w 3andi projet ta3 transport, nheb financement", "ar"),
        ("3andi startup ta3 IA 3amha 8 chhour, nhawes 3la financement", "ar"),
        ("bghit nahder m3a wahed men 3andkom", "ar"),
        ("merci bzaf", "fr"),  # one Arabizi word is too little to leave the conversation's language
        ("Outaouais, construction sector", "en"),  # "sector" is in the Arabizi data, not the English
        ("je cherche du financement à Laval", "fr"),
        ("restart", "en"),
    ],
)
def test_arabizi_is_read_as_arabic_in_quebec_and_nothing_else_is(
    quebec_reading_arabic: Understander, text: str, lang: str
) -> None:
    conversation = "en" if lang == "en" else "fr"
    assert quebec_reading_arabic.reading_language(text, conversation) == lang


def test_in_algeria_latin_script_stays_in_the_conversations_language(algerie: Understander) -> None:
    # Arabic is answered in there: someone who chose French is read in French, Arabic script as Arabic
    assert algerie.reading_language("3andi projet f Oran", "fr") == "fr"
    assert algerie.reading_language("عندي مشروع في وهران", "fr") == "ar"
