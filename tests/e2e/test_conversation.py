"""End to end: the conversation defects of issues 9 and 10, on the Québec sample with the real language data.

The real python-telegram-bot Application long-polls the loopback Bot API double. The catalog is a copy of
the Québec sample where the Chaudière-Appalaches hub (Lévis) has an advisor group and the Estrie hub a
contact. Texts added by this work are compared through the French translation, whatever its state.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.core.types import Profile
from tests.support.personas import MARIE, QUEBEC
from tests.support.running import Running, running_bot
from tests.support.texts import CONSENT_QUESTION as CONSENT
from tests.support.texts import FR, NEEDS_QUESTION, NOT_OURS, SECTOR_QUESTION, STAGE_QUESTION

pytestmark = pytest.mark.e2e

LEVIS_CHAT = -1001000000012


def quebec_with_groups(root: Path) -> Path:
    """The Québec sample, with an advisor group for Lévis's hub and contact details for Estrie's."""
    directory = root / "quebec"
    shutil.copytree(QUEBEC, directory)
    hubs = directory / "hubs.yaml"
    text = hubs.read_text(encoding="utf-8")
    text = text.replace(
        "    city: Lévis\n", f"    city: Lévis\n    advisor_chat_id: {LEVIS_CHAT}\n", 1
    ).replace(
        "    city: Sherbrooke\n",
        "    city: Sherbrooke\n"
        "    contact: {url: 'https://estrie.example.org', email: pole@estrie.example.org, phone: +1 819 555-0100}\n",
        1,
    )
    hubs.write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
async def running(tmp_path: Path, database_url: str) -> AsyncIterator[Running]:
    catalog = quebec_with_groups(tmp_path)
    groups = {LEVIS_CHAT: "Pôle Chaudière-Appalaches"}
    async with running_bot(tmp_path, catalog, groups=groups, database_url=database_url) as bot:
        yield bot


def sent_texts(running: Running, chat_id: int) -> list[str]:
    """Every text the bot sent to the chat (edits excluded), in order."""
    return [
        str(call.params.get("text", ""))
        for call in running.api.calls_to("sendMessage")
        if str(call.params.get("chat_id")) == str(chat_id)
    ]


def buttons_of(message: dict[str, Any]) -> list[str]:
    return [
        b["callback_data"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row
    ]


async def say(running: Running, text: str, expect: str) -> dict[str, Any]:
    """Marie writes; wait for a new bot message containing `expect`."""
    before = sum(expect in (m.get("text") or "") for m in running.api.bot_messages(MARIE.id))
    await running.say(MARIE, text)
    return await running.api.wait_for_bot_message(MARIE.id, contains=expect, count=before + 1)


async def profile(running: Running) -> tuple[str | None, Profile]:
    conversation = await running.core.store.get_conversation(chat_id=MARIE.id)
    assert conversation is not None
    return conversation.step, conversation.profile


def lowered_confidence(running: Running) -> None:
    """Make the understanding unsure of what it hears (0.6), as for a message it half recognises."""
    dialogue = running.core.dialogue
    understander = dialogue.prepare(dialogue.catalog)
    understand = understander.understand

    def unsure(text: str, lang: str | None = None) -> Any:
        return replace(understand(text, lang), confidence=0.6)

    understander.understand = unsure  # type: ignore[method-assign]


async def settled(running: Running) -> dict[str, Any]:
    """The bot's latest message once it carries buttons (the answer to a press or a message is complete)."""
    return await running.api.wait_for(
        lambda: (last := running.api.bot_messages(MARIE.id)[-1]).get("reply_markup") and last
    )


async def test_a_confirmed_answer_is_never_asked_again_and_skip_erases_nothing(running: Running) -> None:
    await say(running, "/start", STAGE_QUESTION)
    await running.press(MARIE, "sk:stage", expect=SECTOR_QUESTION)
    await say(running, "je suis dans le manufacturier à Lévis", "C'est bien ça ?")
    await running.press(MARIE, "cf:yes", expect=NEEDS_QUESTION)  # neither the skipped stage nor the sector
    assert sum(STAGE_QUESTION in t for t in sent_texts(running, MARIE.id)) == 1
    assert sum(SECTOR_QUESTION in t for t in sent_texts(running, MARIE.id)) == 1
    await running.press(MARIE, "nd:financing")
    await running.press(MARIE, "nd:*")
    await running.api.wait_for(lambda: "nd:*" not in buttons_of(running.api.bot_messages(MARIE.id)[-1]))

    await running.press(MARIE, "edit", expect="Vos réponses")
    await running.press(MARIE, "pf:sector", expect=SECTOR_QUESTION)
    await running.press(MARIE, "sk:sector")
    await running.api.wait_for(lambda: "sk:sector" not in buttons_of(running.api.bot_messages(MARIE.id)[-1]))
    await running.press(MARIE, "edit", expect="Vos réponses")
    await running.press(MARIE, "pf:needs", expect=NEEDS_QUESTION)
    await running.press(MARIE, "nd:*")
    await running.api.wait_for(lambda: "nd:*" not in buttons_of(running.api.bot_messages(MARIE.id)[-1]))
    _step, kept = await profile(running)
    assert (kept.sectors, kept.region, kept.needs) == (("manufacturing",), "12", ("financing",))


async def test_facts_then_the_stage_question_goes_straight_on(running: Running) -> None:
    await say(running, "/start", STAGE_QUESTION)
    await say(running, "je suis dans le manufacturier à Lévis, j'ai besoin de financement", STAGE_QUESTION)
    noted = running.api.bot_messages(MARIE.id)[-2]["text"]
    assert "Manufacturier · Chaudière-Appalaches · Financement" in noted
    await running.press(MARIE, "st:growth")
    await running.api.wait_for(lambda: "st:growth" not in buttons_of(last_message(running)))
    await settled(running)
    texts = sent_texts(running, MARIE.id)
    assert not any(SECTOR_QUESTION in t or NEEDS_QUESTION in t for t in texts)  # asked only what was missing
    _step, kept = await profile(running)
    assert (kept.stage, kept.sectors, kept.region, kept.needs) == (
        "growth",
        ("manufacturing",),
        "12",
        ("financing",),
    )


def last_message(running: Running) -> dict[str, Any]:
    return running.api.bot_messages(MARIE.id)[-1]


async def test_facts_and_a_request_for_an_advisor_fill_and_open_the_handoff(running: Running) -> None:
    await say(running, "/start", STAGE_QUESTION)
    consent = await say(
        running,
        "je suis en croissance dans le manufacturier à Lévis, je veux parler à un conseiller",
        CONSENT,
    )
    assert buttons_of(consent) == ["ok:yes", "ok:no"]
    noted = running.api.bot_messages(MARIE.id)[-2]["text"]
    assert "Croissance · Manufacturier · Chaudière-Appalaches" in noted
    step, kept = await profile(running)
    assert (step, kept.stage, kept.sectors, kept.region) == ("consent", "growth", ("manufacturing",), "12")
    await running.press(MARIE, "ok:yes", expect="En un message")
    await running.say(MARIE, "Quels fonds pour agrandir l'usine ?")
    card = await running.bot_says(LEVIS_CHAT, "Quels fonds pour agrandir l'usine ?")
    assert "Manufacturier" in card["text"] and "Croissance" in card["text"]


async def test_typed_facts_at_a_button_question_keep_every_fact(running: Running) -> None:
    await say(running, "/start", STAGE_QUESTION)
    confirmation = await say(running, "croissance manufacturier Lévis", "C'est bien ça ?")
    assert "Croissance · Manufacturier · Chaudière-Appalaches" in confirmation["text"]
    _step, kept = await profile(running)
    assert (kept.stage, kept.sectors, kept.region) == ("growth", ("manufacturing",), "12")


async def test_help_asks_the_open_question_again(running: Running) -> None:
    await say(running, "/start", STAGE_QUESTION)
    await running.press(MARIE, "st:idea", expect=SECTOR_QUESTION)
    question = await say(running, "aide", SECTOR_QUESTION)
    assert "sc:manufacturing" in buttons_of(question)
    assert "/forget" in running.api.bot_messages(MARIE.id)[-2]["text"]  # the help came first
    step, _kept = await profile(running)
    assert step == "sector"


async def test_a_hub_without_advisors_gives_its_contact_or_says_it_has_none(running: Running) -> None:
    await say(running, "/start hub-05", STAGE_QUESTION)
    await say(running, "je veux parler à un conseiller", STAGE_QUESTION)  # then the questions go on
    reply = running.api.bot_messages(MARIE.id)[-2]
    assert reply["text"].startswith("Le Pôle régional d'innovation de l'Estrie ne reçoit pas encore")
    assert "pole@estrie.example.org" in reply["text"] and "+1 819 555-0100" in reply["text"]
    assert any(e.get("url", "").startswith("https://estrie.example.org") for e in reply["entities"])

    await say(running, "/start hub-01", STAGE_QUESTION)
    for data in ("st:idea", "sc:tech", "nd:*"):
        await running.press(MARIE, data)
    await running.api.wait_for(lambda: "adv" in buttons_of(last_message(running)))
    await running.press(MARIE, "adv", expect="Bas-Saint-Laurent ne reçoit pas encore")
    reply = last_message(running)
    no_contact = FR(
        "I have no contact details for this hub yet. Each of your results says how to reach that service directly."
    )
    assert no_contact in reply["text"] and buttons_of(reply) == ["pf:results"]


async def test_out_of_office_is_said_before_the_person_writes(running: Running) -> None:
    running.clock.now = dt.datetime(2026, 11, 27, 23, 0, tzinfo=dt.UTC)  # Friday 18:00 in Québec
    await say(running, "/start hub-12", STAGE_QUESTION)
    consent = await say(running, "je veux parler à un conseiller", CONSENT)
    assert "L'équipe de conseil n'est pas disponible en ce moment" in consent["text"]
    assert "lundi" in consent["text"]


async def test_out_of_scope_gets_one_line_and_changes_nothing(running: Running) -> None:
    await say(running, "/start", STAGE_QUESTION)
    await running.press(MARIE, "st:idea", expect=SECTOR_QUESTION)
    before = await profile(running)
    for message in ("Je cherche un appartement à louer à Sherbrooke", "gagnez 1000 dollars par jour crypto"):
        question = await say(running, message, SECTOR_QUESTION)
        assert running.api.bot_messages(MARIE.id)[-2]["text"] == FR(NOT_OURS)
        assert "sc:tech" in buttons_of(question)
    assert await profile(running) == before


async def test_restart_and_language_the_bot_is_unsure_of_are_asked_first(running: Running) -> None:
    await say(running, "/start", STAGE_QUESTION)
    await running.press(MARIE, "st:idea", expect=SECTOR_QUESTION)
    lowered_confidence(running)
    asked = await say(running, "recommencer", FR("Start the questions again?"))
    assert buttons_of(asked) == ["as:rs:sector::y", "as:rs:sector::n"]
    assert (await profile(running))[1].stage == "idea"  # nothing happened yet
    await running.press(MARIE, "sc:tech", expect="Dans quelle région")
    answered = len(running.api.calls_to("answerCallbackQuery"))
    running.api.user_presses(MARIE, asked, "as:rs:sector::y")  # stale: the question was at another step
    await running.api.wait_for(lambda: len(running.api.calls_to("answerCallbackQuery")) > answered)
    expired = running.api.calls_to("answerCallbackQuery")[-1].params.get("text")
    assert expired == "Ce bouton a expiré. Utilisez le message le plus récent."
    assert (await profile(running))[1].stage == "idea"

    await say(running, "recommencer", FR("Start the questions again?"))
    await running.press(MARIE, "as:rs:region::n", expect="Dans quelle région")
    assert (await profile(running))[1].stage == "idea"
    await say(running, "parle-moi en anglais", FR("Shall I speak {language}?").split("{")[0])
    await running.press(MARIE, "as:lg:region:en:y", expect="Which region is your business in?")
    conversation = await running.core.store.get_conversation(chat_id=MARIE.id)
    assert conversation is not None and conversation.lang == "en" and conversation.profile.stage == "idea"


async def test_facts_and_a_request_for_services_fill_and_serve(running: Running) -> None:
    await say(running, "/start", STAGE_QUESTION)
    noted = await say(
        running,
        "je suis en croissance dans le manufacturier à Lévis, quels programmes de financement existent?",
        "Croissance · Manufacturier · Chaudière-Appalaches · Financement",
    )
    assert buttons_of(noted) == ["edit"]  # correctable in one tap
    last = await running.api.wait_for(
        lambda: (m := last_message(running))["message_id"] != noted["message_id"] and m
    )
    step, kept = await profile(running)
    assert (kept.stage, kept.sectors, kept.region, kept.needs) == (
        "growth",
        ("manufacturing",),
        "12",
        ("financing",),
    )
    if step == "results":
        assert last["text"].startswith("Voici ce qui convient à votre projet")
    else:  # an eligibility question the first page depends on comes first
        assert step in ("age", "groups", "legal_form", "size")
