"""Understanding, measured on the regression table and checked on what users notice."""

from __future__ import annotations

import pytest

from bot.understanding.evaluate import evaluate, load_cases, understander
from bot.understanding.normalize import normalize, strip_latin_clitics

TARGET_ACCURACY = 0.95  # on the whole table (issue 4)
TARGET_SLOT_F1 = 0.93
FLOOR_ACCURACY = 0.93  # per language: one language may not quietly fall behind
FLOOR_SLOT_F1 = 0.90
MINIMUM_CASES = {"fr": 200, "en": 150, "ar": 60}


@pytest.mark.parametrize("lang", ["fr", "en", "ar", "all"])
def test_regression_table_meets_the_targets(lang: str) -> None:
    cases = [c for c in load_cases() if lang in ("all", c["lang"])]
    assert len(cases) >= MINIMUM_CASES.get(lang, sum(MINIMUM_CASES.values()))
    report = evaluate(cases)
    summary = "\n".join(report.failures[:15])
    accuracy, f1 = (TARGET_ACCURACY, TARGET_SLOT_F1) if lang == "all" else (FLOOR_ACCURACY, FLOOR_SLOT_F1)
    assert report.accuracy >= accuracy, f"intent accuracy {report.accuracy:.3f}\n{summary}"
    assert report.f1()[2] >= f1, f"slot F1 {report.f1()[2]:.3f}\n{summary}"


def test_normalisation_meets_the_data_halfway() -> None:
    assert normalize("Chu en DÉMARRAGE!!! 🙂") == "je suis en demarrage"
    assert normalize("merciiii") == "merci"
    assert normalize("j'pars ma business") == "je pars ma business"
    assert normalize("أريد تمويلاً") == normalize("اريد تمويلا")


def test_the_issue_examples() -> None:
    quebec = understander("quebec")
    heard = quebec.understand("chu en démarrage dans l'agro à Rimouski pis j'cherche du financement")
    assert (heard.lang, heard.stage, heard.sector, heard.region, heard.needs) == (
        "fr",
        "startup",
        "agrifood",
        "01",
        ("financing",),
    )
    heard = quebec.understand("we're scaling a SaaS in Sherbroke")
    assert (heard.lang, heard.sector, heard.region) == ("en", "tech", "05")
    heard = understander("algerie").understand("عندي مشروع ستارتاب في وهران")
    assert (heard.lang, heard.stage, heard.region) == ("ar", "startup", "DZ-31")


def test_negation_removes_a_need() -> None:
    heard = understander("quebec").understand("pas besoin de financement, plutôt un mentor")
    assert heard.needs == ("mentoring",)


@pytest.mark.parametrize(
    ("network", "text", "region", "sector"),
    [
        ("quebec", "c'est pas à Montréal, c'est à Laval", "13", None),
        ("quebec", "non, j'suis pas à Laval, j'suis à Repentigny", "14", None),
        ("quebec", "pas dans la tech, on fait de la construction", None, "construction"),
        ("quebec", "No, I'm not in Montreal, I'm in Sherbrooke", "05", None),
        ("quebec", "we're not in retail, we make furniture", None, "manufacturing"),
        ("algerie", "المشروع تاعي ماشي فالبليدة راهو فتيبازة", "DZ-42", None),
        ("algerie", "machi f Blida, rani f Tipaza", "DZ-42", None),
    ],
)
def test_a_denied_place_or_sector_is_not_taken(network: str, text: str, region: str, sector: str) -> None:
    heard = understander(network).understand(text)
    assert (heard.region, heard.sector) == (region, sector)


@pytest.mark.parametrize(
    ("network", "text", "region"),
    [
        ("quebec", "J'ai une entreprise de plomberie à Granby... euh non, à Longueuil", "16"),
        ("quebec", "we're a machine shop in Granby... actually our plant is in Sorel-Tracy", "16"),
        ("quebec", "Montreal, I mean Laval", "13"),
        ("algerie", "عندي ورشة فوهران، سمحلي، فتلمسان", "DZ-13"),
        # no correction between them: the first place named stays
        ("quebec", "on vend à Montréal et à Laval", "06"),
    ],
)
def test_a_place_named_after_a_correction_replaces_the_one_before(
    network: str, text: str, region: str
) -> None:
    assert understander(network).understand(text).region == region


def test_a_negated_need_does_not_take_the_place_with_it() -> None:
    heard = understander("quebec").understand("pas besoin de local à Laval")
    assert (heard.needs, heard.region) == ((), "13")


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        # a negation inside words that say something is missing: the need is wanted
        ("je trouve pas de main-d'oeuvre pour mon usine", ("hiring",)),
        ("on a pas de site web pis nos clients en demandent un", ("digital",)),
        ("j'ai un projet mais pas d'argent", ("financing",)),
        # a negation of the need itself still cancels it
        ("pas de financement, juste un mentor", ("mentoring",)),
        ("j'ai pas besoin de financement", ()),
    ],
)
def test_a_need_said_to_be_missing_is_wanted(text: str, needs: tuple[str, ...]) -> None:
    assert understander("quebec").understand(text, "fr").needs == needs


def test_short_common_words_are_not_places_or_codes() -> None:
    heard = understander("quebec").understand("oui merci")
    assert (heard.stage, heard.sector, heard.region, heard.needs) == (None, None, None, ())


def test_phrases_that_are_never_facts() -> None:
    thanks = understander("algerie").understand("يعطيك الصحة")
    assert (thanks.intent, thanks.sector) == ("thanks", None)
    heard = understander("quebec").understand("quels services existent pour le tourisme en Gaspésie?")
    assert (heard.sector, heard.region) == ("tourism", "11")


def test_a_misspelling_between_two_equally_near_words_is_corrected_the_same_way_in_every_process() -> None:
    """'labes' is as near to 'labas' as to 'label': the commoner word of the data wins, then the first
    alphabetically, never whichever a set happened to list first in this process (it changed with each start
    and so did the answer to 'wach rak khouya, labes?')."""
    from bot.understanding.intent import IntentModel

    greet = [["wach", "rak", "labas"], ["salam", "labas"]]
    other = [["the", "label", "on", "the", "jar"]]
    assert IntentModel({"greet": greet, "inform": other}).correct(["labes"]) == ["labas"]  # commoner
    tied = IntentModel({"greet": greet[:1], "inform": other})
    assert tied.correct(["labes"]) == ["labas"]  # as common: alphabetical


def test_arabizi_borrows_its_business_words_from_french() -> None:
    algerie = understander("algerie")
    heard = algerie.understand("3andi salon de coiffure f Béjaïa men 3am")
    assert (heard.lang, heard.sector, heard.region) == ("ar", "services", "DZ-06")
    heard = algerie.understand("3andna charika ta3 panneaux solaires f Ouargla")
    assert (heard.lang, heard.sector) == ("ar", "cleantech")


def test_an_arabizi_article_glued_to_a_known_word_is_read_through() -> None:
    heard = understander("algerie").understand("ana nekhdem f lfla7a men zman")
    assert (heard.lang, heard.sector) == ("ar", "agrifood")


def test_a_latin_article_is_stripped_only_where_a_fact_remains() -> None:
    facts = frozenset({"fla7a", "export"})
    assert strip_latin_clitics(["lfla7a", "elexport", "label", "lexique"], facts) == [
        "fla7a",
        "export",
        "label",
        "lexique",
    ]


def test_general_advice_gives_way_to_the_need_it_qualifies() -> None:
    """'conseils juridiques' is legal advice, 'accompagner pour exporter' is export: the specialist service
    must not share its place with general business advice. Support in general names no need."""
    quebec = understander("quebec")
    assert quebec.understand("des conseils juridiques pour mes contrats").needs == ("legal",)
    assert quebec.understand("qui peut nous accompagner pour exporter en Europe?").needs == ("export",)
    assert quebec.understand("je cherche des conseils pour ma boutique").needs == ("advice",)
    assert quebec.understand("qui peut m'accompagner?").needs == ()
    assert understander("algerie").understand("كاين مرافقة للشباب في سطيف؟").needs == ()


@pytest.mark.parametrize(
    ("network", "text", "needs"),
    [
        # advice listed beside another need is asked for too: both services are shown
        ("quebec", "j'ai besoin de financement et de conseils", {"financing", "advice"}),
        ("quebec", "j'ai besoin d'argent pis de conseils pour partir ma shop", {"financing", "advice"}),
        ("quebec", "I'd like advice on distribution and maybe a mentor", {"advice", "mentoring"}),
        ("algerie", "نحتاج نصايح وتمويل باش نشري الورشة", {"advice", "financing"}),
        # advice about the other need, or the two in separate sentences, is that need alone
        ("quebec", "j'aurais besoin de conseils juridiques et de financement", {"legal", "financing"}),
        ("quebec", "We want to ship our blueberries to Europe. Who can guide us?", {"export"}),
    ],
)
def test_advice_listed_beside_another_need_is_kept(network: str, text: str, needs: set[str]) -> None:
    assert set(understander(network).understand(text).needs) == needs


@pytest.mark.parametrize(
    ("network", "text", "needs"),
    [
        # going online is the digital need; a business that already sells online is only described
        ("quebec", "my flower shop wants to take online orders, who can help?", {"digital"}),
        ("quebec", "is there a workshop on e-commerce for small retailers?", {"digital", "training"}),
        ("quebec", "on voudrait prendre les réservations en ligne pour notre camping", {"digital"}),
        ("quebec", "we're an online store in Laval looking for a warehouse", {"premises"}),
        ("quebec", "j'ai une boutique en ligne de savons depuis deux ans", set()),
        # money in everyday words
        ("quebec", "on veut lever du capital pour notre app à Sherbrooke", {"financing"}),
        ("quebec", "we're preparing our series A, who can help?", {"financing"}),
        ("algerie", "كاين مساعدات مالية للحرفيين في تلمسان؟", {"financing"}),
        # contracts won are business, not a legal need; R&D tax credits are the innovation programs
        ("quebec", "on vient de décrocher un gros contrat avec Hydro, faut engager", {"hiring"}),
        ("quebec", "we landed a contract with the city and need a bigger shop", {"premises"}),
        ("quebec", "how do we claim R&D tax credits for our lab?", {"innovation"}),
        ("quebec", "j'ai besoin d'un avocat pour réviser mes contrats", {"legal"}),
        # meeting other entrepreneurs is networking; meeting people in general is not
        ("algerie", "حاب نتواصل مع رواد أعمال آخرين في الفلاحة بسطيف", {"networking"}),
        ("algerie", "نحب نتعرف على ناس خدامين في السياحة بتمنراست", {"networking"}),
    ],
)
def test_needs_in_everyday_words(network: str, text: str, needs: set[str]) -> None:
    assert set(understander(network).understand(text).needs) == needs


@pytest.mark.parametrize(
    ("network", "text", "sector"),
    [
        # what a business does is its sector; a word that names a channel, a place or a helper is not
        ("quebec", "hi, I need funding for my food truck in Quebec City", None),
        ("algerie", "Which technology parks exist in Algeria for hardware startups?", None),
        ("quebec", "Je vends mes bijoux faits main sur Etsy depuis 2 mois", None),
        ("quebec", "jai une shop de soudure a Drummondville depuis 12 ans", "manufacturing"),
        ("algerie", "عندي شركة بناء فالبليدة من 2010 وراهي ماشية مليح", "construction"),  # "going well"
        ("algerie", "عندي مكتب دراسات فباتنة، نحوس على مهندسين نوظفهم", None),
        # what they grow, brew or make to eat is agri-food; an Arabizi "ferme" is a farm
        ("quebec", "we grow mushrooms in an old barn near Coaticook", "agrifood"),
        ("quebec", "ma microdistillerie de gin à Kamouraska a deux ans", "agrifood"),
        ("algerie", "3andi ferme ta3 dajaj f Médéa", "agrifood"),
        # trades whose activity is clearly a service (landscaping and daycares: writers disagree, left out)
        ("quebec", "j'ai une petite business de tonte de pelouse à Repentigny", "services"),
        # fishing is agri-food (the Québec ministry of agriculture, fisheries and food)
        ("quebec", "mon entreprise de pêche au crabe à Havre-Saint-Pierre", "agrifood"),
        # a yoga studio: the blind tables' writers give it no sector (15 times, services 4)
        ("quebec", "I opened a small yoga studio in Gatineau four months ago", None),
    ],
)
def test_the_sector_is_what_the_business_does(network: str, text: str, sector: str | None) -> None:
    assert understander(network).understand(text).sector == sector


def test_a_design_office_is_not_office_space_asked_for() -> None:
    heard = understander("algerie").understand("عندي مكتب دراسات فباتنة، نحوس على مهندسين نوظفهم")
    assert "premises" not in heard.needs


@pytest.mark.parametrize(
    "text",
    [
        # newcomers writing English as a second language drop the "to": still a business not started yet
        "Hello i am engineer from Algeria living in Montreal, i want create startup in artificial intelligence",
        "I wish to create company in the field of software in Quebec City",
        "we intend to establish a small cleaning company in Laval",
    ],
)
def test_creating_a_company_in_second_language_english_is_an_idea(text: str) -> None:
    heard = understander("quebec").understand(text, "en")
    assert heard.intent in ("inform", "find_services")
    assert heard.stage == "idea"
