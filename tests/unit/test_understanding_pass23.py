"""Understanding, the twenty-third pass of issue 10: an action asked after "but" beside facts, a business
moved to a new way of working (not handed over), what a factory makes, Darija stage words, insults."""

from __future__ import annotations

import pytest

from bot.understanding.normalize import BOUNDARY, normalize_clauses
from tests.support.understanding import heard


@pytest.mark.parametrize(
    ("text", "lang", "network", "intent"),
    [
        ("J'ai une entreprise en techno à Sherbrooke mais je veux que tu effaces mes données", "fr", "quebec",
         "forget_me"),
        ("عندي مصنع فالبليدة بصح نحب تمسح كلش على حسابي", "ar", "algerie", "forget_me"),
        ("I run a bakery in Sherbrooke but I'd rather continue in French", "en", "quebec", "change_language"),
        ("عندي مشروع فلاحي فبسكرة بصح حاب نكملو بالفرنسية", "ar", "algerie", "change_language"),
    ],
)  # fmt: skip
def test_an_action_asked_after_but_wins_over_the_facts_before_it(
    text: str, lang: str, network: str, intent: str
) -> None:
    got = heard(text, lang, network)
    assert got.intent == intent
    assert got.region is not None  # the facts are still kept


def test_but_ends_a_negation() -> None:
    got = heard("pas besoin de local mais on cherche du financement", "fr", "quebec")
    assert got.needs == ("financing",)


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Je veux faire passer mon commerce de détail au numérique", None),
        ("on veut faire passer l'entreprise au niveau supérieur", "growth"),
        ("je veux passer l'entreprise à mon fils", "succession"),
    ],
)
def test_a_business_moved_to_a_new_way_of_working_is_not_handed_over(text: str, stage: str | None) -> None:
    assert heard(text, "fr", "quebec").stage == stage


@pytest.mark.parametrize(
    ("text", "lang", "network", "sector"),
    [
        ("عندي فكرة مصنع صغير تاع الحليب فالبيض", "ar", "algerie", "agrifood"),
        ("jveux lancer une usine de transformation de dattes a Biskra", "fr", "algerie", "agrifood"),
        ("On fabrique des panneaux solaires à Victoriaville depuis 12 ans", "fr", "quebec", "cleantech"),
        ("Je fabrique des meubles en bois massif dans mon atelier à Victoriaville", "fr", "quebec",
         "manufacturing"),
    ],
)  # fmt: skip
def test_a_factory_of_food_or_clean_technology_is_that_sector(
    text: str, lang: str, network: str, sector: str
) -> None:
    assert heard(text, lang, network).sector == sector


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("راني نفكر ندير مشروع طاقة شمسية فورقلة", "idea"),
        ("خويا فغاتينو حاب يحل شركة نقل", "idea"),
        ("لدي مصنع صغير للمواد البلاستيكية في سطيف وأحتاج تمويلا لتوسيعه", "growth"),
        ("3andna cooperative ta3 l7lib f Souk Ahras w bghina ntawro", "growth"),
    ],
)
def test_darija_stage_words(text: str, stage: str) -> None:
    assert heard(text, "ar", "algerie").stage == stage


@pytest.mark.parametrize(
    ("text", "lang", "network"),
    [
        ("fuck off bot", "en", "quebec"),
        ("nta mhabel ya robot", "ar", "algerie"),
        ("chu tanné de ma vie", "fr", "quebec"),
    ],
)
def test_insults_and_moods_are_not_ours(text: str, lang: str, network: str) -> None:
    assert heard(text, lang, network).intent == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "lang", "region"),
    [
        ("How do I incorporate my business in Quebec?", "en", None),
        ("my idea is a subscription box of Quebec cheeses", "en", None),
        ("Where can I find office space in Quebec City?", "en", "03"),
        ("on livre maintenant dans tout le Québec", "fr", None),
        ("on arrive pas à vendre en dehors du Québec", "fr", None),
        ("j'ai une boulangerie à Québec", "fr", "03"),
        ("je suis dans le Centre-du-Québec", "fr", "17"),
    ],
)
def test_the_province_is_no_region_the_city_is(text: str, lang: str, region: str | None) -> None:
    assert heard(text, lang, "quebec").region == region


@pytest.mark.parametrize(
    ("text", "lang", "network"),
    [
        ("y a tu un bon dentiste à Chicoutimi qui prend des nouveaux patients?", "fr", "quebec"),
        ("cherche une formation de yoga pour moi à Magog", "fr", "quebec"),
        ("Single entrepreneur, 35, looking to meet someone in Montreal", "en", "quebec"),
        ("أبحث عن زوجة صالحة من ولاية سطيف", "ar", "algerie"),
        ("سلعة صينية بأرخص الأثمان، التوصيل لكل الولايات، اتصلوا بنا الآن", "ar", "algerie"),
    ],
)
def test_personal_matters_and_ads_naming_a_place_are_not_ours(text: str, lang: str, network: str) -> None:
    got = heard(text, lang, network)
    assert (got.intent, got.region) == ("out_of_scope", None)


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("حاب نتكلم مع واحد من عندكم، عندي ورشة خياطة في المسيلة", None),
        ("عندنا معمل تاع الخياطة فيه 30 عامل في تلمسان", "manufacturing"),
        ("هل يمكن لأحد المستشارين الاتصال بي؟ رقمي 0555123456", None),
    ],
)
def test_words_writers_do_not_read_as_a_sector(text: str, sector: str | None) -> None:
    assert heard(text, "ar", "algerie").sector == sector


def test_growing_said_in_darija_beats_the_years() -> None:
    got = heard("عندي ورشة نجارة فباتنة من 15 سنة وحاب نكبر، كاين قروض؟", "ar", "algerie")
    assert got.stage == "growth"


def test_the_french_noun_but_starts_no_clause() -> None:
    assert BOUNDARY not in normalize_clauses("mon but c'est d'ouvrir un café")
    assert BOUNDARY in normalize_clauses("I run a bakery but I prefer French")
