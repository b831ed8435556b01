"""Understanding, the twenty-ninth pass of issue 10: a company named by the person it employs or serves is not
theirs; needs nobody has outside a business keep a message in scope; "pass it on" hands a business over;
shares bought on the market are not a business changing hands."""

from __future__ import annotations

import pytest

from tests.support.understanding import heard


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("My employer laid me off last week, can I get unemployment benefits?", "en"),
        ("Our company fired me yesterday, can I sue them?", "en"),
        ("Ma compagnie m'a congédiée après 10 ans, c'est légal?", "fr"),
        ("My company's pension plan is a mess, who do I ask?", "en"),
        ("I want to cancel my gym membership in Laval", "en"),
        ("My business class ticket to Algiers was overbooked, who pays?", "en"),
    ],
)
def test_a_company_that_employs_or_serves_them_is_not_their_business(text: str, lang: str) -> None:
    got = heard(text, lang, "quebec")
    assert got.intent == "out_of_scope"
    assert (got.stage, got.sector, got.region, got.needs) == (None, None, None, ())


@pytest.mark.parametrize(
    ("text", "lang", "network", "need"),
    [
        ("How do I join the university incubator in Sherbrooke?", "en", "quebec", "incubation"),
        ("Comment entrer dans l'incubateur de l'université de Sherbrooke?", "fr", "quebec", "incubation"),
        ("كيفاش ندخل للحاضنة تاع الجامعة فوهران؟", "ar", "algerie", "incubation"),
        ("We want to do R&D with a university lab on a new battery", "en", "quebec", "innovation"),
    ],
)
def test_an_incubator_or_a_lab_at_a_university_is_still_ours(
    text: str, lang: str, network: str, need: str
) -> None:
    got = heard(text, lang, network)
    assert got.intent == "find_services"
    assert need in got.needs


def test_a_business_passed_on_to_the_speaker_is_a_succession() -> None:
    got = heard("My father wants to pass his bakery on to me in Gaspé, where do we start?", "en", "quebec")
    assert (got.intent, got.stage, got.region) == ("find_services", "succession", "11")


def test_shares_on_the_market_are_not_a_business_changing_hands() -> None:
    assert heard("Should I buy Tesla shares now?", "en", "quebec").intent == "out_of_scope"
    partner = heard("My partner is leaving and I want to buy his shares in our bakery", "en", "quebec")
    assert partner.intent != "out_of_scope" and partner.stage == "succession"
