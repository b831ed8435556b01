"""The town a person names is kept beside their region (issue 9): an entry serving part of a region (its
`places`) is matched on it, and one serving another part of the region is not offered."""

from __future__ import annotations

from bot.catalog.model import Catalog
from bot.storage import Store
from tests.support.driver import CoreDriver
from tests.support.personas import ENTREPRENEUR


def test_the_gazetteer_names_towns_not_regions(quebec_catalog: Catalog) -> None:
    assert quebec_catalog.town("matane") == "Matane"
    assert quebec_catalog.town("RDL") == "Rivière-du-Loup"  # an alias gives the official name
    assert quebec_catalog.town("Bas-Saint-Laurent") is None  # a region's own name is no town
    assert quebec_catalog.town("Paris") is None


async def test_a_town_typed_at_the_region_question_is_kept_and_a_region_button_forgets_it(
    quebec_driver: CoreDriver, store: Store
) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.press("st:startup")
    await quebec_driver.press("sc:tech")
    await quebec_driver.say("matanne")  # a typo of Matane
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None
    assert (conversation.profile.region, conversation.profile.town) == ("01", "Matane")
    await quebec_driver.say("/profile")  # the answers, to correct one
    await quebec_driver.press("pf:region")
    await quebec_driver.press("rg:01")
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None and conversation.profile.town is None


async def test_a_town_in_free_text_is_kept_with_its_region(quebec_driver: CoreDriver, store: Store) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.say("je démarre une boulangerie à Rivière-du-Loup")
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None
    assert (conversation.profile.region, conversation.profile.town) == ("01", "Rivière-du-Loup")
