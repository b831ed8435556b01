"""Free text in the conversation: what it fills, how it is confirmed, and what the bot asks next."""

from __future__ import annotations

from dataclasses import replace

from bot.storage import Store
from tests.support.driver import CoreDriver
from tests.support.personas import ENTREPRENEUR
from tests.support.texts import FR, NOT_OURS


async def test_one_message_fills_several_answers_and_is_confirmed(
    quebec_driver: CoreDriver, store: Store
) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.say("chu en démarrage dans l'agro à Rimouski")
    confirmation = quebec_driver.last()
    assert confirmation.text == "Compris : Démarrage · Agroalimentaire · Bas-Saint-Laurent. C'est bien ça ?"
    assert confirmation.buttons == ["cf:yes", "cf:no"]
    await quebec_driver.press("cf:yes")
    assert quebec_driver.last().text.startswith("De quoi avez-vous besoin ?")  # only what is missing
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None and conversation.hub_id == "hub-01"


async def test_facts_with_a_request_for_services_are_noted_and_served_at_once(
    quebec_driver: CoreDriver, store: Store
) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.say("démarrage agro Rimouski, montrez-moi les programmes de financement")
    noted, results = quebec_driver.sent[ENTREPRENEUR.id][-2:]
    assert noted.text.startswith(FR("Understood: {facts}.").split("{", 1)[0])
    assert "Démarrage · Agroalimentaire · Bas-Saint-Laurent · Financement" in noted.text
    assert noted.buttons == ["edit"]  # correctable in one tap
    assert results.text.startswith("Voici ce qui convient à votre projet")
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None and conversation.profile.needs == ("financing",)


async def test_only_what_is_missing_is_asked(quebec_driver: CoreDriver) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.say("on est une shop de vélos à Gatineau")
    assert quebec_driver.last().text.startswith("Compris : ")
    assert "Outaouais" in quebec_driver.last().text
    await quebec_driver.say("oui")
    assert quebec_driver.last().text == "À quelle étape en est votre projet ?"


async def test_deny_opens_the_answers_to_correct_them(quebec_driver: CoreDriver) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.say("startup tech à Sherbrooke")
    await quebec_driver.press("cf:no")
    assert quebec_driver.last().text.startswith("Vos réponses")
    assert "pf:region" in quebec_driver.last().buttons


async def test_asking_for_english_switches_language(quebec_driver: CoreDriver) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.say("parle-moi en anglais")
    assert quebec_driver.texts()[-2:] == ["Done: I will speak English.", "Where is your project at?"]


async def test_asking_for_a_human_starts_the_handoff(quebec_driver: CoreDriver) -> None:
    await quebec_driver.say("/start hub-01")
    await quebec_driver.say("je veux parler à un conseiller")
    refused, question = quebec_driver.texts()[-2:]
    assert refused.startswith("Le Pôle régional d'innovation du Bas-Saint-Laurent ne reçoit pas")
    assert question == "À quelle étape en est votre projet ?"  # asked in the middle of the questions


async def test_forget_me_asks_for_confirmation(quebec_driver: CoreDriver) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.say("effacez toutes mes données svp")
    assert quebec_driver.last().buttons == ["fg:yes", "fg:no"]


async def test_out_of_scope_gets_one_line_and_the_question_again(
    quebec_driver: CoreDriver, store: Store
) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.press("st:idea")
    before = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    await quebec_driver.say("qui a gagné la game du Canadien hier?")
    line, question = quebec_driver.texts()[-2:]
    assert line == FR(NOT_OURS)
    assert question == "Dans quel secteur êtes-vous ?" and "sc:tech" in quebec_driver.last_buttons()
    after = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert before is not None and after is not None
    assert (after.step, after.profile) == (before.step, before.profile)


async def test_thanks_gets_a_natural_answer(quebec_driver: CoreDriver) -> None:
    await quebec_driver.say("/start")
    await quebec_driver.say("merci beaucoup!")
    assert quebec_driver.texts()[-2:] == ["Avec plaisir !", "À quelle étape en est votre projet ?"]


async def test_first_message_without_start_greets_then_understands(quebec_driver: CoreDriver) -> None:
    await quebec_driver.say("Bonjour, je démarre une entreprise en tourisme aux Îles-de-la-Madeleine")
    texts = quebec_driver.texts()
    assert texts[0].startswith("Bonjour Marie ! Je suis Aiguilleur")
    assert texts[-1].startswith("Compris : Démarrage · Tourisme · Îles-de-la-Madeleine")


async def test_a_first_hello_is_answered_once(quebec_driver: CoreDriver) -> None:
    await quebec_driver.say("Bonjour")
    texts = quebec_driver.texts()
    assert (
        len(texts) == 2
        and texts[0].startswith("Bonjour Marie !")
        and texts[1] == "À quelle étape en est votre projet ?"
    )


async def test_without_a_telegram_language_the_first_message_decides(quebec_driver: CoreDriver) -> None:
    quebec_driver.person = replace(quebec_driver.person, id=99, language_code=None)
    await quebec_driver.say("hi there, we're scaling a SaaS in Sherbroke and looking for funding")
    assert "Understood: Growth · Technology · Estrie · Financing" in quebec_driver.texts()[-2]
    assert quebec_driver.texts()[-1].startswith("Here is what fits your project")


async def test_a_short_english_first_message_is_answered_in_english(quebec_driver: CoreDriver) -> None:
    """ "hi" and "thanks" are in the French data too (Québec speakers borrow them), but far more often in the
    English: someone whose Telegram language is not offered is greeted in English."""
    for number, text in enumerate(("hi", "thanks", "help")):
        quebec_driver.person = replace(quebec_driver.person, id=200 + number, language_code="es")
        await quebec_driver.say(text)
        assert quebec_driver.texts()[0].startswith("Hello Marie! I am Aiguilleur"), text
