"""End to end: the real python-telegram-bot Application, long polling the loopback Bot API double.

Each test checks what the entrepreneur and the advisors see (the double's stored messages) and what the
database holds afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bootstrap import configure_logging
from bot.telegram import pipeline
from bot.telegram.app import ALLOWED_UPDATES
from tests.support.botapi import TOKEN, User
from tests.support.personas import LUC, MARIE, MINI, MINI_HUB_CHAT
from tests.support.running import Running, running_bot

pytestmark = pytest.mark.e2e


@pytest.fixture
async def running(tmp_path: Path, database_url: str) -> AsyncIterator[Running]:
    groups = {MINI_HUB_CHAT: "Pôle BSL — conseillers"}
    async with running_bot(tmp_path, MINI, groups=groups, database_url=database_url) as bot:
        yield bot


async def test_from_start_to_an_advisor_and_back(running: Running) -> None:
    api = running.api
    await running.say(MARIE, "/start")
    await running.bot_says(MARIE.id, "À quelle étape en est votre projet ?")
    greeting = api.bot_messages(MARIE.id)[0]
    assert greeting["text"].startswith("Bonjour Marie ! Je suis Aiguilleur, l'assistant du Réseau mini.")
    offset = greeting["text"].index("Réseau mini")
    assert {"type": "bold", "offset": offset, "length": len("Réseau mini")} in greeting["entities"]

    for data, next_question in (
        ("st:startup", "Dans quel secteur"),
        ("sc:tech", "Dans quelle région"),
        ("rg:01", "De quoi avez-vous besoin"),
    ):
        await running.press(MARIE, data)
        await running.bot_says(MARIE.id, next_question)
    await running.press(MARIE, "nd:mentoring")
    await api.wait_for(lambda: "✓ Mentorat" in str(api.last_bot_message(MARIE.id)["reply_markup"]))
    await running.press(MARIE, "nd:*")
    results = await running.bot_says(MARIE.id, "Voici ce qui convient à votre projet")
    assert (
        "1. Mentorat techno BSL — Pôle BSL\n   Des mentors.\n"
        "   Pourquoi : Mentorat · secteur Technologies · région : Bas-Saint-Laurent" in results["text"]
    )
    buttons = [b["callback_data"] for row in results["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["rm:call-01", "al", "edit", "adv"]  # remind me (the opportunity), alerts
    stage_question = next(m for m in api.bot_messages(MARIE.id) if m["text"] == "Étape : Démarrage")
    assert "reply_markup" not in stage_question  # the answered question was edited in place

    await running.press(MARIE, "adv", expect="Êtes-vous d'accord ?")
    await running.press(MARIE, "ok:yes", expect="En un message, que voulez-vous demander")
    await running.say(MARIE, "Comment trouver un mentor <b>vite</b> & bien ?")
    card = await running.card(MINI_HUB_CHAT, "Demande no 1")
    assert "Question : Comment trouver un mentor <b>vite</b> & bien ?" in card["text"]
    assert "De : Marie (@marie_qc) · Français" in card["text"]
    await running.bot_says(MARIE.id, "Votre question a été envoyée au Pôle du Bas-Saint-Laurent.")

    await running.say(
        LUC,
        "Bonjour Marie, je vous appelle demain.",
        chat_id=MINI_HUB_CHAT,
        reply_to_message_id=card["message_id"],
    )
    await running.bot_says(MARIE.id, "Bonjour Marie, je vous appelle demain.")
    intro = api.bot_messages(MARIE.id)[-2]
    assert intro["text"] == "Luc, du Pôle du Bas-Saint-Laurent, prend le relais : vous pouvez lui écrire ici."
    assert "Luc" not in str(api.bot_messages(MARIE.id)[-1])  # a copy: only the bot is seen writing
    claimed = await api.wait_for(
        lambda: (
            "Luc" in (found := api.message(MINI_HUB_CHAT, card["message_id"]) or {}).get("text", "") and found
        ),
        description="the card edited to say Luc has it",
    )
    buttons = [b["callback_data"] for row in claimed["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["ht:1", "hz:1"]  # the card itself now says who has it, and no one else can claim it

    await running.say(MARIE, "Merci, j'attends votre appel.")
    relayed = await running.bot_says(MINI_HUB_CHAT, "Merci, j'attends votre appel.")
    assert relayed["reply_to_message"]["message_id"] == card["message_id"]

    await running.say(MARIE, "/end")
    await running.bot_says(MARIE.id, "Votre conversation avec le conseiller est terminée.")
    await running.bot_says(MINI_HUB_CHAT, "L'entrepreneur a terminé la conversation.")
    await running.press(MARIE, "rt:1:5")
    await running.bot_says(MINI_HUB_CHAT, "L'entrepreneur a donné la note 5/5 à la conversation.")

    store = running.core.store
    handoff = await store.get_handoff(handoff_id=1)
    assert (
        handoff is not None and handoff.status == "closed" and handoff.card_message_id == card["message_id"]
    )
    assert handoff.matches[0] == "mentor-01-tech" and handoff.question.endswith("& bien ?")
    conversation = await store.get_conversation(chat_id=MARIE.id)
    assert conversation is not None and conversation.step == "comment" and conversation.handoff_id is None
    assert (
        await store.handoff_for_message(hub_chat_id=MINI_HUB_CHAT, message_id=relayed["message_id"])
        == handoff
    )


async def test_commands_are_registered_per_language(running: Running) -> None:
    api = running.api
    scope = {"type": "all_private_chats"}
    assert [c["command"] for c in api.my_commands(scope)][:3] == ["start", "profile", "advisor"]
    assert (
        api.my_commands(scope, "fr")[0]["description"]
        == "Trouver l'accompagnement qui convient à votre projet"
    )
    assert api.my_commands(scope, "en")[0]["description"] == "Find the support that fits your project"
    assert api.my_commands(scope)[0]["description"] == "Trouver l'accompagnement qui convient à votre projet"


async def test_english_user_and_polling_asks_only_what_it_handles(running: Running) -> None:
    sam = User(5151, "Sam", language_code="en-GB")
    await running.say(sam, "/start")
    await running.bot_says(sam.id, "Where is your project at?")
    polls = running.api.calls_to("getUpdates")
    assert polls and all(call.params.get("allowed_updates") == ALLOWED_UPDATES for call in polls)


async def test_stale_button_gets_a_polite_answer(running: Running) -> None:
    api = running.api
    await running.say(MARIE, "/start")
    await running.bot_says(MARIE.id, "À quelle étape")
    first_question = api.last_bot_message(MARIE.id)
    await running.press(MARIE, "st:idea")
    await running.bot_says(MARIE.id, "Dans quel secteur")
    api.user_presses(MARIE, first_question, "st:startup", check_button=False)
    await api.wait_for(
        lambda: any(
            c.params.get("text") == "Ce bouton a expiré. Utilisez le message le plus récent."
            for c in api.calls_to("answerCallbackQuery")
        )
    )
    conversation = await running.core.store.get_conversation(chat_id=MARIE.id)
    assert conversation is not None and conversation.profile.stage == "idea"


@pytest.mark.slow  # waits the second Telegram asks for, by design
async def test_rate_limit_is_honoured_and_nothing_is_lost(running: Running) -> None:
    api = running.api
    api.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 1", retry_after=1
    )
    await running.say(MARIE, "/help")
    help_message = await running.bot_says(MARIE.id, "Je peux vous aider à trouver de l'accompagnement")
    assert "/forget — Effacer tout ce que je garde sur vous" in help_message["text"]
    refused, sent = api.calls_to("sendMessage")
    assert (refused.fault, sent.fault, sent.status) == (429, None, 200)
    assert sent.at - refused.at >= 1.0  # it waited as long as Telegram asked
    assert running.texts(MARIE.id) == [help_message["text"]]  # once


async def test_a_transient_telegram_error_is_retried_and_nothing_is_lost(running: Running) -> None:
    running.api.fail_next("sendMessage", error_code=500, description="Internal Server Error")
    await running.say(MARIE, "/privacy")
    privacy = await running.bot_says(MARIE.id, "Ce que je garde, et pourquoi")
    assert [call.fault for call in running.api.calls_to("sendMessage")] == [500, None]  # tried again
    assert running.texts(MARIE.id) == [privacy["text"]]  # and received once


async def test_a_bug_in_our_code_gets_an_apology_not_a_traceback(
    running: Running, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_event: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(running.core.dialogue, "handle", broken)
    monkeypatch.setattr(pipeline, "FIRST_RETRY_PAUSE", 0.05)  # the apology is awaited here, not the pauses
    configure_logging("DEBUG")  # what `aiguilleur run` does: httpx (whose URLs hold the token) stays quiet
    with caplog.at_level(logging.DEBUG):
        await running.say(MARIE, "/privacy")
        await running.bot_says(MARIE.id, "Désolé, un problème est survenu de mon côté. Veuillez réessayer.")
    assert "update 100000001 failed" in caplog.text
    assert TOKEN not in caplog.text and "bot123456789" not in caplog.text


async def test_user_who_blocks_the_bot_closes_the_handoff_and_the_hub_is_told(running: Running) -> None:
    api = running.api
    await running.say(MARIE, "/start hub-01")
    await running.bot_says(MARIE.id, "À quelle étape")
    await running.press(MARIE, "st:idea", expect="Dans quel secteur")
    await running.press(MARIE, "sc:tech", expect="De quoi avez-vous besoin")
    await running.press(MARIE, "nd:*", expect="Voici ce qui convient")
    await running.press(MARIE, "adv", expect="Êtes-vous d'accord ?")
    await running.press(MARIE, "ok:yes", expect="En un message")
    await running.say(MARIE, "Une question")
    card = await running.card(MINI_HUB_CHAT, "Demande no 1")
    await running.say(LUC, "Allo ?", chat_id=MINI_HUB_CHAT, reply_to_message_id=card["message_id"])
    api.user_blocks_bot(MARIE)
    note = await running.bot_says(
        MINI_HUB_CHAT, "L'entrepreneur a bloqué le robot : cette demande est fermée."
    )
    assert note["reply_to_message"]["message_id"] == card["message_id"]
    await running.say(LUC, "Vous êtes là ?", chat_id=MINI_HUB_CHAT, reply_to_message_id=card["message_id"])
    await running.bot_says(MINI_HUB_CHAT, "Cette demande est fermée ; ce message n'a pas été envoyé.")
    handoff = await running.core.store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.status == "closed"
    assert not api.server_errors


async def test_added_to_a_group_the_bot_tells_its_chat_id(running: Running) -> None:
    running.api.user_adds_bot_to_group(LUC, -1009876543210, "Conseillers Gaspésie")
    hello = await running.bot_says(-1009876543210, "Bonjour ! L'identifiant de ce groupe est -1009876543210.")
    assert "advisor_chat_id: -1009876543210" in hello["text"]
    running.api.user_adds_bot_to_group(LUC, MINI_HUB_CHAT, "Pôle BSL — conseillers")
    await running.bot_says(
        MINI_HUB_CHAT, "Ce groupe est le groupe des conseillers du Pôle du Bas-Saint-Laurent."
    )
