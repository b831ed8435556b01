"""Understanding, the thirty-first pass of issue 10: meeting one's peers as a need said in two parts
(`paired_needs.networking` in intents/), and sector and need words the blind tables' writers agree on."""

from __future__ import annotations

import pytest

from tests.support.understanding import heard


@pytest.mark.parametrize(
    ("text", "lang", "network"),
    [
        (
            "We're a design studio in Mile End and we'd love to meet other creative entrepreneurs",
            "en",
            "quebec",
        ),
        (
            "Our cheese dairy has been in business 20 years. We just want to meet other producers.",
            "en",
            "quebec",
        ),
        ("j'aimerais rencontrer d'autres entrepreneures en techno à Québec", "fr", "quebec"),
        ("حابة نتعرف على مقاولين آخرين في وهران", "ar", "algerie"),
    ],
)
def test_meeting_peers_is_networking_whatever_stands_between(text: str, lang: str, network: str) -> None:
    assert "networking" in heard(text, lang, network).needs


@pytest.mark.parametrize(
    ("text", "lang"),
    [("I want to meet an advisor", "en"), ("je veux rencontrer un conseiller", "fr")],
)
def test_meeting_an_advisor_is_asking_for_one_not_networking(text: str, lang: str) -> None:
    got = heard(text, lang)
    assert got.intent == "ask_advisor" and "networking" not in got.needs


@pytest.mark.parametrize(
    ("text", "lang", "network", "need"),
    [
        ("On a besoin de former nos employés sur la gestion de projet", "fr", "quebec", "training"),
        ("On développe des drones, on cherche des partenaires de recherche", "fr", "quebec", "innovation"),
        ("Mining company on the Côte-Nord, looking for research partners", "en", "quebec", "innovation"),
        ("Ma compagnie de transport a de la misère avec la paperasse légale.", "fr", "quebec", "legal"),
        ("I own an auto body shop and want to sell it. Who can advise me?", "en", "quebec", "advice"),
        ("besoin dun local a sherbrooke pour mon atelier", "fr", "quebec", "premises"),
    ],
)
def test_needs_the_writers_agree_on(text: str, lang: str, network: str, need: str) -> None:
    assert need in heard(text, lang, network).needs


def test_forming_a_cooperative_is_not_training() -> None:
    assert "training" not in heard("on veut former une coop de solidarité à Rimouski", "fr").needs


@pytest.mark.parametrize(
    ("text", "lang", "network", "sector"),
    [
        ("My company makes aluminum boat parts in Chaudière-Appalaches", "en", "quebec", "manufacturing"),
        ("we have small company of cleaning houses in Longueuil since 3 month", "en", "quebec", "services"),
        ("We build custom homes in the Laurentians", "en", "quebec", "construction"),
        ("on fait du pavé uni à Laval depuis 12 ans", "fr", "quebec", "construction"),
        ("عندي محل تاع هواتف فالبليدة", "ar", "algerie", "retail"),
        ("فتحت استوديو تصوير في قسنطينة", "ar", "algerie", "culture"),
    ],
)
def test_sector_words_the_writers_agree_on(text: str, lang: str, network: str, sector: str) -> None:
    assert heard(text, lang, network).sector == sector


@pytest.mark.parametrize(
    ("text", "lang", "network", "sector"),
    [
        ("on veut fonder une coop de travail", "fr", "quebec", "social_economy"),  # founding, not a foundry
        ("من ورقلة وعندي مؤسسة خدمات بترولية", "ar", "algerie", "natural_resources"),  # oilfield services
        ("نحب نرقمن الخدمات تاع الصيدلية تاعي، شكون يقدر يعاوني؟", "ar", "algerie", "health"),
        ("I opened a small yoga studio in Gatineau", "en", "quebec", None),
    ],
)
def test_words_near_a_sector_word_that_are_not_that_sector(
    text: str, lang: str, network: str, sector: str | None
) -> None:
    assert heard(text, lang, network).sector == sector


@pytest.mark.parametrize(
    ("text", "lang", "need"),
    [
        ("tu me conseilles quoi pour commencer?", "fr", "advice"),
        ("we design websites in Laval", "en", "digital"),  # their trade, not a site wanted
    ],
)
def test_near_forms_the_writers_never_took_as_a_need(text: str, lang: str, need: str) -> None:
    assert need not in heard(text, lang).needs


@pytest.mark.parametrize(
    ("text", "lang", "network"),
    [
        ("3andi projet f Oran", "ar", "algerie"),  # a project named, its moment not said
        ("هل توجد حاضنات أعمال للشركات الناشئة في قسنطينة؟", "ar", "algerie"),  # startups as a category
    ],
)
def test_no_stage_where_the_writers_hear_none(text: str, lang: str, network: str) -> None:
    assert heard(text, lang, network).stage is None


@pytest.mark.parametrize(
    ("text", "lang", "network", "need"),
    [
        ("I want to buy out my business partner.", "en", "quebec", "networking"),  # a buy-out, not contacts
        ("نحتاج محامي يعاوني فالعقد تاع الشراكة", "ar", "algerie", "networking"),
        ("عندنا مشكل كبير، الكليان ما يخلصوش فالوقت والسيولة ناقصة", "ar", "algerie", "financing"),
        (
            "ma boîte développe des logiciels de gestion pour les cliniques dentaires",
            "fr",
            "quebec",
            "digital",
        ),
    ],
)
def test_words_the_writers_do_not_read_as_that_need(text: str, lang: str, network: str, need: str) -> None:
    assert need not in heard(text, lang, network).needs


def test_a_technical_partner_sought_is_networking() -> None:
    assert "networking" in heard("أبحث عن شريك تقني لتطوير منصة تعليمية", "ar", "algerie").needs
