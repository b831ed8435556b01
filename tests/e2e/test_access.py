"""End to end: who may act on requests, and what reaches whom when a message is edited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.personas import LUC, MARIE, MINI, MINI_HUB_CHAT, SOPHIE
from tests.support.running import Running, running_bot

pytestmark = pytest.mark.e2e


@pytest.fixture
async def forum(tmp_path: Path, database_url: str) -> AsyncIterator[Running]:
    async with running_bot(
        tmp_path, MINI, groups={MINI_HUB_CHAT: ("Pôle BSL — conseillers", "forum")}, database_url=database_url
    ) as bot:
        yield bot


async def test_a_removed_advisor_loses_the_right_at_once(forum: Running) -> None:
    api = forum.api
    card = await forum.open_handoff(MARIE, MINI_HUB_CHAT)
    topic = card["message_thread_id"]
    await forum.say(LUC, "Bonjour, je m'en occupe.", chat_id=MINI_HUB_CHAT, message_thread_id=topic)
    await forum.bot_says(MARIE.id, "Bonjour, je m'en occupe.")  # Luc was a member: cached as one

    assert api.user_removes_member(SOPHIE, MINI_HUB_CHAT, LUC.id) is not None  # chat_member was asked for
    await forum.press(LUC, "hz:1", chat_id=MINI_HUB_CHAT)
    await forum.say(LUC, "Je réponds quand même.", chat_id=MINI_HUB_CHAT, message_thread_id=topic)
    await forum.say(MARIE, "Vous êtes là ?")
    await api.wait_for(lambda: "Vous êtes là ?" in forum.texts(MINI_HUB_CHAT, topic) or None)
    handoff = await forum.core.store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.status == "claimed"
    assert "Je réponds quand même." not in forum.texts(MARIE.id)
    assert not any("fermé" in text for text in forum.texts(MARIE.id))


async def test_edits_are_relayed_both_ways(forum: Running) -> None:
    api = forum.api
    card = await forum.open_handoff(MARIE, MINI_HUB_CHAT)
    topic = card["message_thread_id"]
    mine = await forum.say(MARIE, "Je suis à Rimouksi.")
    await api.wait_for(lambda: "Je suis à Rimouksi." in forum.texts(MINI_HUB_CHAT, topic) or None)
    api.user_edits_message(MARIE, MARIE.id, mine["message_id"], "Je suis à Rimouski.")
    await api.wait_for(lambda: forum.texts(MINI_HUB_CHAT, topic)[-1] == "Je suis à Rimouski." or None)
    assert forum.texts(MINI_HUB_CHAT, topic)[-2] == "✏️ L'entrepreneur a modifié un message :"

    answer = await forum.say(LUC, "Voyez le progamme Alpha.", chat_id=MINI_HUB_CHAT, message_thread_id=topic)
    await forum.bot_says(MARIE.id, "Voyez le progamme Alpha.")
    api.user_edits_message(LUC, MINI_HUB_CHAT, answer["message_id"], "Voyez le programme Alpha.")
    await api.wait_for(lambda: forum.texts(MARIE.id)[-1] == "Voyez le programme Alpha." or None)
    assert forum.texts(MARIE.id)[-2] == "✏️ Le conseiller a modifié un message :"

    note = await forum.say(LUC, "!elle hésite", chat_id=MINI_HUB_CHAT, message_thread_id=topic)
    api.user_edits_message(LUC, MINI_HUB_CHAT, note["message_id"], "!elle hésite encore")
    await forum.say(MARIE, "Merci !")
    await api.wait_for(lambda: forum.texts(MINI_HUB_CHAT, topic)[-1] == "Merci !" or None)
    assert not any("hésite" in text for text in forum.texts(MARIE.id))  # an edited note stays a note
