"""Understanding, the twenty-fourth pass of issue 10: the word "startup" names a kind of company, not its
age, so it gives no stage on its own; what is said of a startup's age still does."""

from __future__ import annotations

import pytest

from tests.support.understanding import heard


@pytest.mark.parametrize(
    ("text", "lang", "network"),
    [
        ("jcherche un incubateur pour ma startup en IA a mtl", "fr", "quebec"),
        ("Looking for incubators in Oran for my fintech startup", "en", "algerie"),
        ("I need funding for my startup", "en", "quebec"),
        ("3andi startup f l'intelligence artificielle, nheb nelqa des investisseurs", "ar", "algerie"),
        ("مؤسسة ناشئة في مجال الذكاء الاصطناعي بالجزائر العاصمة تبحث عن مستثمرين", "ar", "algerie"),
    ],
)
def test_the_word_startup_alone_gives_no_stage(text: str, lang: str, network: str) -> None:
    got = heard(text, lang, network)
    assert got.stage is None
    assert got.intent == "find_services"  # still a request, with its other facts


@pytest.mark.parametrize(
    ("text", "lang", "network"),
    [
        ("Notre startup de drones agricoles a 2 ans", "fr", "quebec"),
        ("on est une startup en robotique agricole, fondée l'an dernier à Saint-Hyacinthe", "fr", "quebec"),
        ("On est une jeune startup à Gatineau, est-ce qu'il y a un incubateur?", "fr", "quebec"),
        ("We're raising our seed round for a logistics startup in Laval", "en", "quebec"),
        ("نحن شركة ناشئة في مجال الطاقة الشمسية تأسست قبل سنة في ورقلة", "ar", "algerie"),
        ("مؤسسة ناشئة في الصحة الرقمية تأسست في جانفي، مقرها قسنطينة", "ar", "algerie"),
        ("نبحث عن مستثمرين لشركتنا الناشئة، أطلقناها قبل سنة في سيدي بلعباس", "ar", "algerie"),
    ],
)
def test_a_startup_whose_youth_is_told_is_a_startup(text: str, lang: str, network: str) -> None:
    assert heard(text, lang, network).stage == "startup"


def test_a_company_founded_decades_ago_is_established() -> None:
    got = heard("نحن مؤسسة صغيرة لصناعة الأحذية تأسست سنة 1998 في سطيف", "ar", "algerie")
    assert got.stage == "established"


@pytest.mark.parametrize(
    ("text", "lang", "network", "intent"),
    [
        ("got a text that my startup grant is approved if I send my banking password, scam?", "en", "quebec",
         "out_of_scope"),
        ("My startup friend owes me money, how do I get it back?", "en", "quebec", "out_of_scope"),
        ("momkin wahed yetasel biya? 3andi startup f Bejaia", "ar", "algerie", "ask_advisor"),
    ],
)  # fmt: skip
def test_a_startup_named_in_passing_does_not_make_a_request(
    text: str, lang: str, network: str, intent: str
) -> None:
    assert heard(text, lang, network).intent == intent
