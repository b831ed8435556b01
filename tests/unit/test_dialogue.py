"""The dialogue core, driven as an adapter would: what the entrepreneur and the advisors see."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core import results
from bot.core.dialogue import Dialogue
from bot.core.types import Inbound, Person, Profile
from bot.i18n import I18n
from bot.storage import Store
from tests.support.driver import CoreDriver
from tests.support.personas import ENTREPRENEUR


async def finish_intake(driver: CoreDriver) -> None:
    await driver.say("/start")
    await driver.press("st:startup")
    await driver.press("sc:tech")
    await driver.press("rg:01")
    await driver.press("nd:mentoring")
    await driver.press("nd:*")


async def test_start_greets_in_french_says_what_is_kept_and_asks_the_stage(driver: CoreDriver) -> None:
    await driver.say("/start")
    greeting, question = driver.texts()[-2:]
    assert greeting.startswith("Bonjour Marie ! Je suis Aiguilleur")
    assert "90 jours" in greeting and "/forget" in greeting
    assert question == "À quelle étape en est votre projet ?"
    assert driver.last_buttons() == ["st:idea", "st:startup", "sk:stage"]


async def test_english_telegram_user_gets_english(dialogue: Dialogue) -> None:
    driver = CoreDriver(dialogue, person=Person(5, "Sam", language_code="en-US"))
    await driver.say("/start")
    assert driver.texts()[-1] == "Where is your project at?"


async def test_unknown_language_falls_back_to_the_catalog_default(dialogue: Dialogue) -> None:
    driver = CoreDriver(dialogue, person=Person(6, "Ana", language_code="es"))
    await driver.say("/start")
    assert driver.texts()[-1] == "À quelle étape en est votre projet ?"


async def test_full_intake_by_buttons_shows_results_with_reasons(driver: CoreDriver) -> None:
    await finish_intake(driver)
    results = driver.last()
    assert results.text.startswith("Voici ce qui convient à votre projet (1-")
    assert "Mentorat techno BSL" in results.text
    assert (
        "Des mentors.\n   Pourquoi : Mentorat · secteur Technologies · région : Bas-Saint-Laurent"
        in results.text
    )
    assert results.buttons == ["rm:call-01", "al", "edit", "adv"]  # remind me (the opportunity), alerts


async def test_answered_question_is_replaced_by_the_answer(driver: CoreDriver) -> None:
    await driver.say("/start")
    question_id = driver.last().message_id
    await driver.press("st:startup")
    edit = next(s for s in driver.sent[ENTREPRENEUR.id] if s.reply.edit_message_id == question_id)
    assert edit.text == "Étape : Démarrage"
    assert edit.buttons == []


async def test_every_question_can_be_skipped(driver: CoreDriver) -> None:
    await driver.say("/start")
    for step in ("stage", "sector", "region"):
        await driver.press(f"sk:{step}")
    await driver.press("nd:*")
    results = driver.last().text
    assert "Fonds pour tous" in results
    assert "Fonds du Saguenay" not in results  # no region given: only network-wide entries


async def test_typed_label_answers_the_question_with_typos(driver: CoreDriver) -> None:
    await driver.say("/start")
    await driver.say("demarage")
    assert driver.texts()[-2:] == ["Étape : Démarrage", "Dans quel secteur êtes-vous ?"]


async def test_gibberish_is_not_taken_as_an_answer(driver: CoreDriver, i18n: I18n) -> None:
    await driver.say("/start")
    await driver.say("zzzz qqq")
    not_ours = i18n.get("fr").gettext(
        "I help entrepreneurs find support services and talk to an advisor of their hub; I can't help with that."
    )
    assert driver.texts()[-2:] == [not_ours, "À quelle étape en est votre projet ?"]
    assert "st:idea" in driver.last_buttons()


async def test_needs_toggle_in_place_then_done(driver: CoreDriver) -> None:
    await driver.say("/start")
    for data in ("st:idea", "sc:tech", "rg:01", "nd:financing", "nd:advice", "nd:financing"):
        await driver.press(data)
    asked = next(s for s in driver.sent[ENTREPRENEUR.id] if "nd:financing" in s.buttons)
    needs_message = driver.last()
    assert needs_message.reply.edit_message_id == asked.message_id  # the question itself, edited
    labels = [b.label for row in needs_message.reply.buttons for b in row]
    assert labels[:3] == ["Financement", "Mentorat", "✓ Conseils"]


async def test_stale_and_forged_buttons_get_a_polite_notice_and_change_nothing(
    driver: CoreDriver, store: Store
) -> None:
    await driver.say("/start")
    await driver.press("st:idea")
    before = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    for data in ("st:startup", "rg:99", "sc:../../etc", "x" * 64, "nd:financing", "fg:yes", "more"):
        await driver.press(data)
        assert driver.notices[-1] == "Ce bouton a expiré. Utilisez le message le plus récent."
    after = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert after is not None and before is not None
    assert (after.step, after.profile) == (before.step, before.profile) == ("sector", before.profile)


async def test_button_from_a_user_the_bot_never_met_is_expired(driver: CoreDriver) -> None:
    await driver.press("st:idea")
    assert driver.notices[-1] == "Ce bouton a expiré. Utilisez le message le plus récent."


async def test_more_pages_through_results(driver: CoreDriver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "PAGE_SIZE", 3)
    await driver.say("/start")
    for data in ("sk:stage", "sk:sector", "rg:01", "nd:*"):
        await driver.press(data)
    first = driver.last()
    assert "(1-3 sur 4)" in first.text and "more" in first.buttons
    await driver.press("more")
    assert "(4-4 sur 4)" in driver.last().text
    assert "more" not in driver.last().buttons
    await driver.press("more")
    assert driver.notices[-1] == "C'est tout ce que j'ai trouvé."


async def test_opportunity_deadline_is_shown_in_the_users_locale(dialogue: Dialogue) -> None:
    french = CoreDriver(dialogue)
    await finish_intake(french)
    await french.press("pf:needs")
    await french.press("nd:financing")
    await french.press("nd:*")
    assert "Date limite : 15 mars 2027" in french.last().text
    english = CoreDriver(dialogue, person=Person(9, "Sam", language_code="en"))
    await finish_intake(english)
    await english.press("pf:needs")
    await english.press("nd:financing")
    await english.press("nd:*")
    assert "Deadline: March 15, 2027" in english.last().text


async def test_change_answers_goes_back_to_results(driver: CoreDriver) -> None:
    await finish_intake(driver)
    await driver.press("edit")
    assert driver.last().text.startswith("Vos réponses\nÉtape : Démarrage\nSecteur : Technologies")
    await driver.press("pf:region")
    await driver.press("rg:02")
    shown = driver.last().text
    assert shown.startswith(
        "Rien dans le catalogue ne couvre Mentorat pour : Démarrage · Technologies · Saguenay–Lac-Saint-Jean."
    )
    assert "Les plus proches (1-3 sur 3) :" in shown
    assert "Mentorat techno BSL" not in shown


async def test_restart_clears_answers_and_asks_again(driver: CoreDriver, store: Store) -> None:
    await finish_intake(driver)
    await driver.say("/restart")
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None
    assert conversation.profile.stage is None and conversation.profile.needs == ()
    assert driver.texts()[-1] == "À quelle étape en est votre projet ?"


async def test_deep_link_preselects_the_hub_region_and_skips_that_question(driver: CoreDriver) -> None:
    await driver.say("/start hub-01")
    assert "Bienvenue de la part du Pôle du Bas-Saint-Laurent." in driver.texts()[-2]
    await driver.press("st:idea")
    await driver.press("sc:tech")
    assert driver.last().text.startswith("De quoi avez-vous besoin ?")


async def test_unknown_deep_link_is_ignored_politely(driver: CoreDriver) -> None:
    await driver.say("/start <script>")
    assert "Je n'ai pas reconnu le lien" in driver.texts()[-2]
    assert driver.texts()[-1] == "À quelle étape en est votre projet ?"


async def test_language_switch(driver: CoreDriver) -> None:
    await driver.say("/start")
    await driver.say("/language")
    assert driver.last_buttons() == ["lg:fr", "lg:en"]
    await driver.press("lg:en")
    assert driver.texts()[-2:] == ["Done: I will speak English.", "Where is your project at?"]
    await driver.press("lg:ar")  # not offered by this network
    assert driver.notices[-1] == "This button has expired. Please use the latest message."


async def test_help_and_privacy_and_unknown_command(driver: CoreDriver) -> None:
    await driver.say("/help")
    assert "/forget — Effacer tout ce que je garde sur vous" in driver.texts()[-1]
    await driver.say("/privacy")
    assert "Tout est effacé 90 jours après votre dernière activité." in driver.texts()[-1]
    await driver.say("/bogus")
    assert (
        driver.texts()[-1]
        == "Je ne connais pas cette commande. Envoyez /help pour voir ce que je sais faire."
    )


async def test_nothing_found_offers_an_advisor(dialogue: Dialogue, driver: CoreDriver, store: Store) -> None:
    await driver.say("/start")
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None
    dialogue.catalog = replace(dialogue.catalog, entries=())
    for data in ("st:idea", "sc:tech", "rg:01", "nd:*"):
        await driver.press(data)
    assert driver.last().text.startswith("Je n'ai rien trouvé qui corresponde")
    assert driver.last().buttons == ["al", "edit", "adv"]  # alerts: something may fit later
    assert await store.unmet_requests(network="mini") == [Profile("idea", ("tech",), "01", ())]


async def test_hub_without_advisor_chat_gets_a_clear_message(driver: CoreDriver, caplog) -> None:
    await driver.say("/start")
    for data in ("st:idea", "sc:tech", "rg:02", "nd:*"):
        await driver.press(data)
    await driver.press("adv")
    assert driver.texts()[-1].startswith(
        "Le Pôle du Saguenay ne reçoit pas encore de questions par ce robot."
    )
    assert "hub hub-02 has no advisor chat configured" in caplog.text


async def test_advisor_without_region_asks_the_region_first(driver: CoreDriver) -> None:
    await driver.say("/start")
    for data in ("sk:stage", "sk:sector", "sk:region", "nd:*"):
        await driver.press(data)
    await driver.press("adv")
    assert driver.texts()[-1] == "Pour trouver votre pôle : dans quelle région est votre entreprise ?"
    await driver.press("rg:01")
    assert driver.last_buttons() == ["ok:yes", "ok:no"]  # then the consent to share, for that hub


async def test_forget_can_be_declined(driver: CoreDriver, store: Store) -> None:
    await finish_intake(driver)
    await driver.say("/forget")
    await driver.press("fg:no")
    assert driver.texts()[-1] == "Rien n'a été effacé."
    assert await store.get_conversation(chat_id=ENTREPRENEUR.id) is not None


async def test_media_outside_a_handoff_gets_an_answer(driver: CoreDriver) -> None:
    await driver.say("/start")
    event = Inbound(ENTREPRENEUR.id, ENTREPRENEUR, message_id=999, has_media=True)
    await driver.run(event)
    assert driver.texts()[-1] == "Ici, je ne lis que le texte."


async def test_a_reload_never_breaks_a_conversation_in_progress(
    dialogue: Dialogue, driver: CoreDriver
) -> None:
    await driver.say("/start")
    await driver.press("st:startup")
    taxonomy = dialogue.catalog.taxonomy
    without_tech = taxonomy.model_copy(update={"sectors": [t for t in taxonomy.sectors if t.code != "tech"]})
    dialogue.catalog = replace(dialogue.catalog, taxonomy=without_tech)  # what a reload swaps in
    await driver.press("sc:tech")
    assert driver.notices[-1] == "Ce bouton a expiré. Utilisez le message le plus récent."
    await driver.press("sc:agrifood")
    assert driver.texts()[-1] == "Dans quelle région est votre entreprise ?"


async def test_stale_more_keeps_the_page(driver: CoreDriver, store: Store) -> None:
    await finish_intake(driver)
    for _ in range(3):
        await driver.press("more")
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None and conversation.page == 0
    await driver.press("adv")
    await driver.press("cancel")
    assert driver.last().text.startswith("Voici ce qui convient")


async def test_the_region_question_for_an_advisor_can_be_cancelled(driver: CoreDriver) -> None:
    await driver.say("/start")
    for data in ("sk:stage", "sk:sector", "sk:region", "nd:*", "adv"):
        await driver.press(data)
    assert "cancel" in driver.last_buttons() and "sk:hub_region" not in driver.last_buttons()
    await driver.press("cancel")
    assert driver.last().text.startswith("Voici ce qui convient")


async def test_a_stale_button_of_a_forgotten_user_leaves_no_row(driver: CoreDriver, store: Store) -> None:
    await finish_intake(driver)
    await driver.say("/forget")
    await driver.press("fg:yes")
    await driver.press("more")
    assert await store.get_conversation(chat_id=ENTREPRENEUR.id) is None
