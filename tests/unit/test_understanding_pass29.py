"""Understanding, the twenty-ninth pass of issue 10: a company named by the person it employs or serves is not
theirs; needs nobody has outside a business keep a message in scope; "pass it on" hands a business over;
shares bought on the market are not a business changing hands; a business in its first three years is a
startup, its start said a little further from the verb or in more Darija ways."""

from __future__ import annotations

import datetime as dt

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
    # ours either way: asked for ("how do I join"), or a goal wished for ("we want to do R&D") told, which the
    # convention reads as inform since the thirtieth pass
    assert got.intent == ("inform" if text.startswith("We want") else "find_services")
    assert need in got.needs


def test_a_business_passed_on_to_the_speaker_is_a_succession() -> None:
    got = heard("My father wants to pass his bakery on to me in Gaspé, where do we start?", "en", "quebec")
    assert (got.intent, got.stage, got.region) == ("find_services", "succession", "11")


def test_shares_on_the_market_are_not_a_business_changing_hands() -> None:
    assert heard("Should I buy Tesla shares now?", "en", "quebec").intent == "out_of_scope"
    partner = heard("My partner is leaving and I want to buy his shares in our bakery", "en", "quebec")
    assert partner.intent != "out_of_scope" and partner.stage == "succession"


@pytest.mark.parametrize(
    ("text", "lang", "network"),
    [
        ("Notre atelier de soudure a 3 ans, on cherche du financement", "fr", "quebec"),
        (f"my cleaning company was founded in {dt.date.today().year - 3}, we need a loan", "en", "quebec"),
        (
            "On a parti une coop de services à domicile pour les aînés à Victoriaville le mois passé",
            "fr",
            "quebec",
        ),
        ("bdina l'activité had l'3am, entreprise ta3 transport f Sétif", "ar", "algerie"),
        ("7alit entreprise ta3 nettoyage f Blida men 3am", "ar", "algerie"),
    ],
)
def test_a_business_in_its_first_three_years_is_a_startup(text: str, lang: str, network: str) -> None:
    assert heard(text, lang, network).stage == "startup"


def test_a_business_of_five_years_is_not_a_startup() -> None:
    assert (
        heard("Notre atelier de soudure a 5 ans, on cherche du financement", "fr", "quebec").stage
        != "startup"
    )


@pytest.mark.parametrize(
    ("text", "lang", "network"),
    [
        ("Our bakery in Rimouski is losing money this winter.", "en", "quebec"),
        ("Notre boutique de vélos à Sherbrooke perd de l'argent", "fr", "quebec"),
        ("المحل تاعي فوهران يخسر في الدراهم", "ar", "algerie"),
    ],
)
def test_a_need_in_a_business_story_is_told_not_asked(text: str, lang: str, network: str) -> None:
    # the owner's own business is a feature for the classifier, not a question: the need stays inform
    got = heard(text, lang, network)
    assert got.intent == "inform" and "financing" in got.needs


@pytest.mark.parametrize(
    ("text", "lang", "network"),
    [
        ("Our bakery in Rimouski is losing money, are there any grants?", "en", "quebec"),
        ("il nous faudrait un local à Lévis pour notre atelier de soudure", "fr", "quebec"),
        ("3andna usine f Oran w nest7a9o financement", "ar", "algerie"),
        ("لازمنا تمويل للورشة تاعنا فسطيف", "ar", "algerie"),
    ],
)
def test_a_need_asked_for_is_a_request(text: str, lang: str, network: str) -> None:
    assert heard(text, lang, network).intent == "find_services"


@pytest.mark.parametrize(
    ("text", "lang", "network", "need"),
    [
        (
            "Notre imprimerie à Joliette roule bien, je voudrais juste une formation en gestion pour mes deux "
            "contremaîtres",
            "fr",
            "quebec",
            "training",
        ),
        (
            "We run a bakery in Lévis, we just want some mentoring for the new manager",
            "en",
            "quebec",
            "mentoring",
        ),
        ("عندي مخبزة في سطيف وحاب غير نصائح في التسيير", "ar", "algerie", "advice"),
    ],
)
def test_a_service_wished_for_is_asked_for(text: str, lang: str, network: str, need: str) -> None:
    got = heard(text, lang, network)
    assert got.intent == "find_services" and need in got.needs


def test_what_the_business_means_to_do_is_told() -> None:
    got = heard("We run a bakery in Lévis and want to hire two bakers", "en", "quebec")
    assert (got.intent, got.needs) == ("inform", ("hiring",))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Des idées de souper pour la fête des mères à Sherbrooke?", "fr"),
        ("Any ideas for a birthday gift for my dad?", "en"),
        ("Je pense acheter des actions de Bombardier, bonne idée?", "fr"),
    ],
)
def test_ideas_asked_for_are_no_business_idea(text: str, lang: str) -> None:
    got = heard(text, lang, "quebec")
    assert got.intent == "out_of_scope" and got.stage is None


def test_a_business_idea_is_still_an_idea() -> None:
    assert heard("J'ai une idée de microbrasserie à Rimouski", "fr", "quebec").stage == "idea"
    assert heard("I have an idea for a food delivery app in Laval", "en", "quebec").stage == "idea"


@pytest.mark.parametrize(
    "text",
    [
        "حاب نعمل مشروع فلاحي فالمسيلة",
        "nheb ndir mochrou3 ta3 l'aviculture f Setif",
        "نبي نفتح مطعم صغير في عنابة",
        "نبحث عن قرض لإنشاء مصنع للخياطة في تلمسان",
    ],
)
def test_a_plan_to_make_or_open_a_business_is_an_idea(text: str) -> None:
    assert heard(text, "ar", "algerie").stage == "idea"


def test_a_company_already_created_is_no_plan() -> None:
    assert heard("تم إنشاء الشركة في 2015 في وهران", "ar", "algerie").stage != "idea"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Bye for now, I'll come back later with my business plan", "en"),
        ("Bonne soirée, je reviendrai demain avec mon plan d'affaires", "fr"),
    ],
)
def test_a_sure_farewell_that_names_a_fact_is_still_a_farewell(text: str, lang: str) -> None:
    assert heard(text, lang, "quebec").intent == "goodbye"


@pytest.mark.parametrize("text", ["هاد الخدمة بالدراهم ولا بلاش؟", "hadi bla drahem wela lazem nkhalas?"])
def test_asking_whether_the_bot_is_free_is_help(text: str) -> None:
    got = heard(text, "ar", "algerie")
    assert got.intent == "help" and got.needs == ()


def test_support_organisations_people_name_are_needs() -> None:
    centech = heard("Can my startup get into Centech?", "en", "quebec")
    assert centech.intent == "find_services" and centech.needs == ("incubation",)
    lender = heard("Notre boulangerie à Lévis voudrait un prêt de Futurpreneur", "fr", "quebec")
    assert lender.intent == "find_services" and lender.needs == ("financing",)
