"""Routing as the entrepreneur sees it: results that say for whom, gaps admitted and recorded, the optional
eligibility questions asked only when they change the first page, and several sectors."""

from __future__ import annotations

from dataclasses import replace

from bot.catalog.model import Catalog
from bot.catalog.schema import AgeBand, Service, Term
from bot.core.dialogue import Dialogue
from bot.core.types import Profile
from bot.storage import Store
from tests.support.driver import CoreDriver
from tests.support.personas import ENTREPRENEUR


async def intake(driver: CoreDriver, *presses: str) -> None:
    await driver.say("/start")
    for data in presses:
        await driver.press(data)


async def profile(store: Store) -> Profile:
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None
    return conversation.profile


async def test_each_result_says_what_it_is_and_for_whom_then_why(driver: CoreDriver) -> None:
    await intake(driver, "st:startup", "sc:tech", "rg:01", "nd:mentoring", "nd:*")
    text = driver.last().text
    assert "1. Mentorat techno BSL — Pôle BSL\n   Des mentors.\n   Pourquoi : Mentorat" in text


async def test_an_uncovered_need_is_admitted_recorded_and_an_advisor_offered(
    driver: CoreDriver, store: Store
) -> None:
    await intake(driver, "st:idea", "sc:tech", "rg:01", "nd:advice", "nd:mentoring", "nd:*")
    text = driver.last().text
    assert text.startswith(
        "Rien dans le catalogue ne couvre Conseils pour : Idée · Technologies · Bas-Saint-Laurent."
    )
    assert "Un conseiller de votre pôle connaît peut-être d'autres options" in text.split("\n")[0]
    assert "1. Mentorat techno BSL" in text  # what covers the other need still comes first
    assert "adv" in driver.last().buttons
    gaps = await store.coverage_gaps(network="mini")
    assert [(g.region, g.stage, g.sector, g.need) for g in gaps] == [("01", "idea", "tech", "advice")]
    await driver.press("edit")
    await driver.press("pf:results")
    assert len(await store.coverage_gaps(network="mini")) == 2, "each search that meets the gap counts"


async def test_when_nothing_covers_any_need_the_closest_follow_an_explicit_line(driver: CoreDriver) -> None:
    await intake(driver, "st:idea", "sc:agrifood", "rg:02", "nd:advice", "nd:*")
    text = driver.last().text
    assert text.startswith("Rien dans le catalogue ne couvre Conseils pour : Idée · Agroalimentaire")
    assert "Les plus proches (1-2 sur 2) :" in text


def eligibility(catalog: Catalog) -> Catalog:
    """The mini catalog where a youth loan and a co-op fund of region 01 lead the first page."""
    term = lambda code: Term(code=code, label={"fr": code.capitalize(), "en": code})  # noqa: E731
    taxonomy = catalog.taxonomy.model_copy(
        update={"legal_forms": [term("company"), term("coop")], "groups": [term("women")]}
    )
    entries = (
        Service(
            id="youth-loan",
            title={"fr": "Prêt jeunesse", "en": "Youth loan"},
            organization="Org",
            summary={"fr": "Pour les 18 à 39 ans."},
            regions=["01"],
            needs=["financing"],
            age=AgeBand(min=18, max=39),
        ),
        Service(
            id="coop-fund",
            title={"fr": "Fonds coop", "en": "Co-op fund"},
            organization="Org",
            summary={"fr": "Pour les coopératives."},
            regions=["01"],
            needs=["financing"],
            legal_forms=["coop"],
        ),
    )
    return replace(catalog, taxonomy=taxonomy, entries=(*catalog.entries, *entries))


async def test_eligibility_is_asked_only_when_the_first_page_depends_on_it(
    dialogue: Dialogue, driver: CoreDriver, store: Store
) -> None:
    dialogue.catalog = eligibility(dialogue.catalog)
    await intake(driver, "st:startup", "sc:tech", "rg:01", "nd:financing", "nd:*")
    assert driver.texts()[-1].startswith("Certains programmes ont une limite d'âge. Quel âge avez-vous ?")
    assert driver.last_buttons() == ["ag:1", "ag:18", "ag:40", "sk:age"]
    await driver.press("ag:40")
    assert driver.texts()[-1].startswith("Certains programmes n'acceptent que certaines formes juridiques.")
    await driver.press("lf:company")
    results = driver.last().text
    assert "Prêt jeunesse" not in results and "Fonds coop" not in results
    assert (await profile(store)).age == 40
    assert (await profile(store)).legal_form == "company"


async def test_a_skipped_criterion_is_not_asked_again_and_the_condition_is_shown(
    dialogue: Dialogue, driver: CoreDriver, store: Store
) -> None:
    dialogue.catalog = eligibility(dialogue.catalog)
    await intake(driver, "st:startup", "sc:tech", "rg:01", "nd:financing", "nd:*")
    await driver.press("sk:age")
    await driver.say("coopérative")  # typed at the legal form question
    results = driver.last().text
    assert "Fonds coop" in results
    assert "Prêt jeunesse" in results and "si vous avez de 18 à 39 ans" in results
    await driver.press("edit")
    await driver.press("pf:results")
    assert driver.last().text.startswith("Voici ce qui convient"), "a skipped question came back"
    assert (await profile(store)).skipped == ("age",)


async def test_the_age_can_be_typed_and_an_answer_is_never_erased_by_skip(
    dialogue: Dialogue, driver: CoreDriver, store: Store
) -> None:
    dialogue.catalog = eligibility(dialogue.catalog)
    await intake(driver, "st:startup", "sc:tech", "rg:01", "nd:financing", "nd:*")
    await driver.say("j'ai 67 ans")
    assert driver.texts()[-2] == "Âge : 67"
    await driver.press("sk:legal_form")
    assert "Prêt jeunesse" not in driver.last().text
    await driver.press("edit")
    await driver.press("pf:sector")
    await driver.press("sk:sector")
    assert (await profile(store)).sectors == ("tech",)


async def test_several_sectors_by_ticks(driver: CoreDriver, store: Store) -> None:
    await intake(driver, "st:startup")
    assert "sc:+" in driver.last_buttons()
    await driver.press("sc:+")
    assert driver.texts()[-1] == "Dans quels secteurs êtes-vous ? Choisissez-en jusqu'à trois, puis Terminé."
    await driver.press("ss:tech")
    await driver.press("ss:agrifood")
    assert driver.last().buttons[:2] == ["ss:tech", "ss:agrifood"]
    await driver.press("ss:*")
    assert driver.texts()[-1] == "Dans quelle région est votre entreprise ?"
    assert (await profile(store)).sectors == ("tech", "agrifood")
    assert "Secteur : Technologies, Agroalimentaire" in driver.texts()[-2]


async def test_a_stale_or_forged_eligibility_button_changes_nothing(
    dialogue: Dialogue, driver: CoreDriver, store: Store
) -> None:
    dialogue.catalog = eligibility(dialogue.catalog)
    await intake(driver, "st:startup")
    for data in ("ag:67", "lf:coop", "gr:women", "ss:tech", "ag:999", "lf:../x"):
        await driver.press(data)
        assert driver.notices[-1] == "Ce bouton a expiré. Utilisez le message le plus récent."
    assert (await profile(store)).age is None and (await profile(store)).legal_form is None
