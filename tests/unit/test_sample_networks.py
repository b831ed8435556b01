"""The two sample networks: complete, coherent, and true to the facts the issue names."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from bot.catalog.loader import check_catalog, load_catalog
from bot.catalog.model import Catalog
from bot.core.dialogue import Dialogue
from bot.core.matching import match
from bot.core.types import Person, Profile
from bot.i18n import I18n
from bot.storage import Store
from tests.support import shared
from tests.support.driver import CoreDriver
from tests.support.personas import QUEBEC, ROOT

ALGERIE = ROOT / "catalog" / "algerie"


@pytest.fixture(scope="module")
def algerie() -> Catalog:
    return load_catalog(ALGERIE)


@pytest.mark.parametrize("network", ["quebec", "algerie"])
def test_sample_network_has_no_error(network: str) -> None:
    assert check_catalog(ROOT / "catalog" / network).errors == []


def test_quebec_is_real_size_and_every_region_has_its_own_entries(quebec_catalog: Catalog) -> None:
    assert len(quebec_catalog.entries) >= 150
    assert len(quebec_catalog.places) >= 300
    for term in quebec_catalog.terms("regions"):
        own = [e for e in quebec_catalog.entries if term.code in e.regions]
        assert len(own) >= 5, f"region {term.code} has {len(own)} entries of its own"


@pytest.mark.parametrize(
    ("place", "region"),
    [
        ("Granby", "05"),
        ("Cowansville", "05"),
        ("Cap-aux-Meules", "idm"),
        ("Îles-de-la-Madeleine", "idm"),
        ("Gaspé", "11"),
        ("Matane", "01"),
        ("RIMOUSKI", "01"),
        ("Lac-Mégantic", "05"),
        ("Drummondville", "17"),
        ("Quebec City", "03"),
    ],
)
def test_quebec_gazetteer_facts(quebec_catalog: Catalog, place: str, region: str) -> None:
    assert quebec_catalog.place_region(place) == region


def test_reseau_mentorat_is_not_listed_as_active(quebec_catalog: Catalog) -> None:
    assert not [e.id for e in quebec_catalog.entries if "Réseau Mentorat" in e.organization]


def test_every_wilaya_is_routed_to_a_hub(algerie: Catalog) -> None:
    codes = [t.code for t in algerie.terms("regions")]
    assert codes == [f"DZ-{n:02d}" for n in range(1, 59)]
    assert all(algerie.hub_for_region(code) for code in codes)
    assert len(algerie.entries) >= 40
    assert all(set(e.title) == {"fr", "ar", "en"} for e in algerie.entries)


@pytest.mark.parametrize(
    ("place", "wilaya"),
    [
        ("وهران", "DZ-31"),
        ("Touggourt", "DZ-55"),
        ("Bejaia", "DZ-06"),
        ("Timimoun", "DZ-49"),
        ("Algiers", "DZ-16"),
    ],
)
def test_algerian_gazetteer(algerie: Catalog, place: str, wilaya: str) -> None:
    assert algerie.place_region(place) == wilaya


def test_algerian_startup_matches_the_oran_technopark(algerie: Catalog) -> None:
    results = match(algerie, Profile("startup", ("tech",), "DZ-31", ("incubation",)), limit=3)
    assert results and all(not m.entry.regions or "DZ-31" in m.entry.regions for m in results)
    assert any("oran" in m.entry.id for m in results)


async def test_arabic_speaker_is_served_in_arabic(algerie: Catalog, tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'dz.db'}")
    try:
        dialogue = Dialogue(catalog=algerie, store=store, i18n=I18n(), retention_days=90)
        driver = CoreDriver(dialogue, person=Person(7, "Amine", language_code="ar"))
        await driver.say("/start")
        assert dialogue.offered_languages(algerie) == ("fr", "ar", "en")
        question = driver.texts()[-1]
        assert (
            question == I18n().get("ar").gettext("Where is your project at?") != "Where is your project at?"
        )
        for data in ("st:startup", "sc:tech"):
            await driver.press(data)
        await driver.say("وهران")  # a town answers the wilaya question
        await driver.press("nd:incubation")
        await driver.press("nd:*")
        # university incubators lead the first page: whether they are for this person is asked, in Arabic
        arabic = I18n().get("ar").gettext
        asked = arabic(
            "Some programs are reserved for some people. Does any of these describe you? (optional)"
        )
        assert driver.texts()[-1] == asked
        await driver.press("gr:*")  # none of these
        results = driver.last().text
        assert "وهران" in results
    finally:
        await store.close()


async def test_typed_town_with_a_typo_answers_the_region(
    quebec_catalog: Catalog, store: Store, i18n: I18n
) -> None:
    driver = CoreDriver(Dialogue(catalog=quebec_catalog, store=store, i18n=i18n, retention_days=90))
    await driver.say("/start")
    await driver.press("sk:stage")
    await driver.press("sk:sector")
    await driver.say("Rimousky")
    assert driver.texts()[-2] == "Région : Bas-Saint-Laurent"


async def test_skipping_the_region_keeps_a_multi_region_hubs_link(algerie: Catalog, tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'dz.db'}")
    try:
        driver = CoreDriver(Dialogue(catalog=algerie, store=store, i18n=I18n(), retention_days=90))
        await driver.say("/start anpt-oran")
        for data in ("sk:stage", "sk:sector", "sk:region", "nd:*", "adv"):
            await driver.press(data)
        assert "DZ-31" not in driver.texts()[-1] and "rg:DZ-31" not in driver.last_buttons()
        assert "Oran" in driver.texts()[-1]  # the hub is known: no region question
    finally:
        await store.close()


async def test_arabic_is_understood_in_the_quebec_network_and_answered_in_its_language(
    quebec_driver: CoreDriver, store: Store, i18n: I18n
) -> None:
    """The Québec network answers in French and English, but an Arabic message there is read as Arabic (an
    Algerian entrepreneur in Montréal): the bakery in Laval two years old fills the answers, the reply stays
    in the conversation's French, and nothing says 'not ours'."""
    await quebec_driver.say("/start")
    await quebec_driver.say("عندي مخبزة فلافال من عامين")
    conversation = await store.get_conversation(chat_id=quebec_driver.person.id)
    assert conversation is not None and conversation.lang == "fr"
    assert (conversation.profile.stage, conversation.profile.region) == ("startup", "13")
    english = "I help entrepreneurs find support services and talk to an advisor of their hub; I can't help with that."
    not_ours = i18n.get("fr").gettext(english)
    assert not_ours != english
    assert all(not_ours not in text for text in quebec_driver.texts())


async def test_quebec_builds_arabic_on_its_first_arabic_message_off_the_event_loop(
    store: Store, i18n: I18n
) -> None:
    """Start-up builds only the languages the network answers in (a Québec bot never reading Arabic saves
    its 14 MB); the first Arabic messages, two at once, have it built once, in a worker thread."""
    fresh = load_catalog(ROOT / "catalog" / "quebec")
    dialogue = Dialogue(
        catalog=fresh, store=store, i18n=i18n, retention_days=90, language_data=shared.language_data(QUEBEC)
    )
    understander = dialogue.prepare(fresh)
    assert understander.languages == ("fr", "en") and not understander.built("ar")
    threads: list[bool] = []
    build = understander.build

    def build_watched(lang: str) -> None:
        threads.append(threading.current_thread() is threading.main_thread())
        build(lang)

    understander.build = build_watched  # type: ignore[method-assign]  # a spy on the real method
    first, second = (CoreDriver(dialogue, person=Person(id_, "Amine")) for id_ in (7001, 7002))
    await asyncio.gather(first.say("عندي مخبزة فلافال من عامين"), second.say("راني فمونتريال، نحتاج تمويل"))
    assert threads == [False] and understander.built("ar")
    conversation = await store.get_conversation(chat_id=7001)
    assert conversation is not None and (conversation.profile.stage, conversation.profile.region) == (
        "startup",
        "13",
    )
