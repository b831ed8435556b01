"""The conversation's fixes of issues 9 and 10, through the core: ask only what is missing, Skip erases
nothing, typed facts at a button question, help and asides re-ask the question, out of scope changes
nothing, state-changing actions the understanding is unsure of are asked first."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.core.answers import says_more
from bot.storage import Store
from bot.understanding.understanding import Understanding
from tests.support.driver import CoreDriver
from tests.support.personas import ENTREPRENEUR
from tests.support.texts import EXPIRED, FR, NEEDS_QUESTION, SECTOR_QUESTION, STAGE_QUESTION


def understood_with(driver: CoreDriver, monkeypatch: pytest.MonkeyPatch, confidence: float) -> None:
    """The understanding, as sure as `confidence` of every intent it finds (the catalog's understander is
    shared between tests: monkeypatch puts it back)."""
    dialogue = driver.dialogue
    understander = dialogue.prepare(dialogue.catalog)
    understand = understander.understand

    def with_confidence(text: str, lang: str | None = None) -> Any:
        return replace(understand(text, lang), confidence=confidence)

    monkeypatch.setattr(understander, "understand", with_confidence)


async def stored(store: Store) -> Any:
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None
    return conversation


def test_a_message_says_more_than_one_answer() -> None:
    heard = Understanding("fr", "inform", 1.0, stage="growth", sector="manufacturing", region="12")
    assert says_more(heard, "stage")
    assert not says_more(Understanding("fr", "inform", 1.0, stage="growth"), "stage")
    assert says_more(Understanding("fr", "inform", 1.0, region="12"), "stage")
    assert not says_more(Understanding("fr", "inform", 1.0, region="12"), "hub_region")
    assert says_more(Understanding("fr", "inform", 1.0, needs=("financing", "export")), "needs")


async def test_skipped_and_confirmed_questions_are_never_asked_again(
    quebec_driver: CoreDriver, store: Store
) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.press("sk:stage")
    await quebec_driver.say("je suis dans le manufacturier à Lévis")
    await quebec_driver.press("cf:yes")
    assert quebec_driver.texts()[-1] == NEEDS_QUESTION
    assert quebec_driver.texts().count(STAGE_QUESTION) == 1
    await quebec_driver.press("nd:*")
    conversation = await stored(store)
    assert conversation.profile.sectors == ("manufacturing",) and conversation.profile.region == "12"
    assert {"stage", "needs"} <= set(conversation.profile.skipped)
    assert conversation.step not in ("stage", "sector", "region", "needs")


async def test_needs_given_by_text_survive_done_with_nothing_ticked(
    quebec_driver: CoreDriver, store: Store
) -> None:
    await quebec_driver.say("/start hub-01")
    await quebec_driver.say("je cherche du financement et du mentorat")
    assert quebec_driver.texts()[-1] == STAGE_QUESTION  # noted, then what is missing
    for data in ("st:idea", "sk:sector"):
        await quebec_driver.press(data)
    assert NEEDS_QUESTION not in quebec_driver.texts()
    await quebec_driver.press("edit")
    await quebec_driver.press("pf:needs")
    await quebec_driver.say("Terminé")
    await quebec_driver.press("edit")
    await quebec_driver.press("pf:sector")
    await quebec_driver.press("sk:sector")
    conversation = await stored(store)
    assert conversation.profile.needs == ("financing", "mentoring")
    assert conversation.profile.stage == "idea" and conversation.profile.region == "01"


async def test_several_needs_typed_at_the_needs_question_are_all_kept(
    quebec_driver: CoreDriver, store: Store
) -> None:
    await quebec_driver.say("/start hub-01")
    for data in ("st:idea", "sc:tech"):
        await quebec_driver.press(data)
    await quebec_driver.say("financement mentorat")
    assert (await stored(store)).profile.needs == ("financing", "mentoring")


async def test_help_command_and_greetings_ask_the_open_question_again(quebec_driver: CoreDriver) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.press("st:idea")
    await quebec_driver.say("/help")
    assert quebec_driver.texts()[-1] == SECTOR_QUESTION and "sc:tech" in quebec_driver.last().buttons
    assert "/forget" in quebec_driver.texts()[-2]


@pytest.mark.parametrize("question", ["c'est-tu gratuit ton affaire?", "t'es qui toi? un robot?"])
async def test_asking_whether_it_is_free_or_a_robot_is_answered(
    quebec_driver: CoreDriver, question: str
) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.press("st:idea")
    await quebec_driver.say(question)
    assert "Je suis un assistant automatisé, gratuit" in quebec_driver.texts()[-2]
    assert quebec_driver.texts()[-1] == SECTOR_QUESTION  # and the open question asked again


async def test_out_of_scope_after_the_questions_is_one_line(quebec_driver: CoreDriver, store: Store) -> None:
    await quebec_driver.say("/start hub-01")
    for data in ("st:idea", "sc:tech", "nd:*"):
        await quebec_driver.press(data)
    before = await stored(store)
    count = len(quebec_driver.texts())
    await quebec_driver.say("Je cherche un appartement à louer à Sherbrooke")
    assert quebec_driver.texts()[count:] == [
        FR(
            "I help entrepreneurs find support services and talk to an advisor of their hub; "
            "I can't help with that."
        )
    ]
    after = await stored(store)
    assert (after.step, after.profile, after.hub_id) == (before.step, before.profile, before.hub_id)


async def test_a_sure_restart_acts_at_once(
    quebec_driver: CoreDriver, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.press("st:idea")
    understood_with(quebec_driver, monkeypatch, 0.99)
    await quebec_driver.say("recommencer")
    assert quebec_driver.texts()[-1] == STAGE_QUESTION
    assert (await stored(store)).profile.stage is None


async def test_an_unsure_restart_is_asked_and_its_buttons_are_checked(
    quebec_driver: CoreDriver, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.press("st:idea")
    understood_with(quebec_driver, monkeypatch, 0.6)
    await quebec_driver.say("recommencer")
    assert quebec_driver.last().buttons == ["as:rs:sector::y", "as:rs:sector::n"]
    for forged in ("as:rs:stage::y", "as:rs:sector:x:y", "as:zz:sector::y", "as:rs:sector::maybe", "as:rs"):
        await quebec_driver.press(forged)
        assert quebec_driver.notices[-1] == EXPIRED
    assert (await stored(store)).profile.stage == "idea"
    await quebec_driver.press("as:rs:sector::n")
    assert quebec_driver.texts()[-1] == SECTOR_QUESTION
    await quebec_driver.say("recommencer")
    await quebec_driver.press("as:rs:sector::y")
    assert quebec_driver.texts()[-1] == STAGE_QUESTION
    assert (await stored(store)).profile.stage is None


async def test_an_unsure_language_switch_is_asked_first(
    quebec_driver: CoreDriver, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await quebec_driver.say("/start hub-01")
    for data in ("st:idea", "sc:tech", "nd:*"):
        await quebec_driver.press(data)
    understood_with(quebec_driver, monkeypatch, 0.6)
    step = (await stored(store)).step
    await quebec_driver.say("parle-moi en anglais")
    assert quebec_driver.last().buttons == [f"as:lg:{step}:en:y", f"as:lg:{step}:en:n"]
    await quebec_driver.press(f"as:lg:{step}:ar:y")  # a language this network does not offer
    assert quebec_driver.notices[-1] == EXPIRED
    await quebec_driver.press(f"as:lg:{step}:en:n")
    assert quebec_driver.texts()[-1] == FR("Nothing changed.")
    assert (await stored(store)).lang == "fr"
    await quebec_driver.say("parle-moi en anglais")
    await quebec_driver.press(f"as:lg:{step}:en:y")
    assert quebec_driver.texts()[-1] == "Done: I will speak English."
    assert (await stored(store)).lang == "en"


async def test_facts_and_another_action_in_one_message_ask_for_the_action_first(
    quebec_driver: CoreDriver, store: Store
) -> None:
    """Facts, then "on peut continuer en anglais?" or "on peut recommencer?" in a clause of its own: the facts
    are kept and said back, and the action is asked to be confirmed (never taken on its own from such a
    message)."""
    await quebec_driver.say("/start")
    await quebec_driver.press("st:idea")
    step = (await stored(store)).step
    await quebec_driver.say(
        "J'ai une boulangerie à Gatineau mais mon associé est anglophone, on peut continuer en anglais?"
    )
    assert quebec_driver.last().buttons == [f"as:lg:{step}:en:y", f"as:lg:{step}:en:n"]
    conversation = await stored(store)
    assert conversation.lang == "fr" and conversation.profile.region == "07"  # the facts are kept
    assert "Outaouais" in quebec_driver.texts()[-2]  # and said back ("Compris : ...")
    await quebec_driver.press(f"as:lg:{step}:en:n")
    await quebec_driver.say("En fait j'suis à Lévis pas à Québec, on peut recommencer?")
    assert quebec_driver.last().buttons == [f"as:rs:{step}::y", f"as:rs:{step}::n"]
    assert (await stored(store)).profile.stage == "idea"  # nothing restarted before the Yes


async def test_declining_to_forget_in_the_middle_of_the_questions_goes_on(quebec_driver: CoreDriver) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.press("st:idea")
    await quebec_driver.say("effacez toutes mes données svp")
    await quebec_driver.press("fg:no")
    assert quebec_driver.texts()[-2:] == ["Rien n'a été effacé.", SECTOR_QUESTION]


async def test_facts_typed_at_the_hub_question_fill_and_go_on_with_the_request(
    quebec_driver: CoreDriver, store: Store
) -> None:
    await quebec_driver.say("/start")
    for data in ("sk:stage", "sk:sector", "sk:region", "nd:*", "adv"):
        await quebec_driver.press(data)
    assert (await stored(store)).step == "hub_region"
    await quebec_driver.say("croissance manufacturier Lévis")
    assert "Croissance · Manufacturier · Chaudière-Appalaches" in quebec_driver.texts()[-2]
    assert quebec_driver.texts()[-1].startswith(
        "Le Pôle régional d'innovation de la Chaudière-Appalaches ne reçoit pas"
    )
    assert (await stored(store)).profile.region == "12"
