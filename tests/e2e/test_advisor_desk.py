"""End to end: the advisor desk in a hub's Telegram group, through the real Application and the double.

A forum group gives each request its own topic; a plain group threads under the card. What is checked is
what the advisors and the entrepreneur see in the double, in order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.botapi import User
from tests.support.personas import (
    ADMIN_CHAT,
    COORDINATION_CHAT,
    LUC,
    MARIE,
    MINI,
    MINI_HUB_CHAT,
    OTHER_HUB_CHAT,
    SOPHIE,
)
from tests.support.running import Running, running_bot

pytestmark = pytest.mark.e2e


@pytest.fixture
async def forum(tmp_path: Path, database_url: str) -> AsyncIterator[Running]:
    groups = {MINI_HUB_CHAT: ("Pôle BSL — conseillers", "forum"), OTHER_HUB_CHAT: "Pôle CN — conseillers"}
    async with running_bot(
        tmp_path, MINI, groups=groups, admin_chat_id=ADMIN_CHAT, database_url=database_url
    ) as bot:
        bot.api.register_group(ADMIN_CHAT, "Coordination")
        yield bot


async def test_in_a_forum_each_request_lives_in_its_own_topic(forum: Running) -> None:
    api = forum.api
    card = await forum.open_handoff(MARIE, MINI_HUB_CHAT)
    (topic_id, topic), *others = api.topics(MINI_HUB_CHAT).items()
    assert not others
    assert topic["name"] == "Marie · Technologies · #1"
    assert card["message_thread_id"] == topic_id

    await forum.say(MARIE, "Je suis à Rimouski.")
    api.user_sends_photo(MARIE, caption="Mon prototype")
    await api.wait_for(lambda: forum.texts(MINI_HUB_CHAT, topic_id)[-1] == "Mon prototype" or None)
    in_topic = api.bot_messages(MINI_HUB_CHAT, topic_id)
    assert [m.get("text") or m.get("caption") for m in in_topic[-2:]] == [
        "Je suis à Rimouski.",
        "Mon prototype",
    ]
    assert "photo" in in_topic[-1]

    await forum.say(
        LUC, "Bonjour Marie, envoyez-moi votre plan.", chat_id=MINI_HUB_CHAT, message_thread_id=topic_id
    )
    await forum.bot_says(MARIE.id, "Bonjour Marie, envoyez-moi votre plan.")
    assert "Luc, du Pôle du Bas-Saint-Laurent, prend le relais" in forum.texts(MARIE.id)[-2]
    await forum.say(LUC, "!elle a déjà un prêt", chat_id=MINI_HUB_CHAT, message_thread_id=topic_id)
    await forum.say(LUC, "/note à rappeler jeudi", chat_id=MINI_HUB_CHAT, message_thread_id=topic_id)
    api.user_sends_voice(LUC, MINI_HUB_CHAT, message_thread_id=topic_id)
    await api.wait_for(lambda: "voice" in api.bot_messages(MARIE.id)[-1] or None)
    assert not any("déjà un prêt" in t or "jeudi" in t for t in forum.texts(MARIE.id))  # notes stay internal

    await forum.press(LUC, "hz:1", chat_id=MINI_HUB_CHAT)
    await forum.bot_says(MARIE.id, "Le conseiller a fermé la conversation.")
    await api.wait_for(lambda: api.topics(MINI_HUB_CHAT)[topic_id].get("is_closed") or None)
    closed = api.message(MINI_HUB_CHAT, card["message_id"])  # edited, not re-sent
    assert "Statut : fermée par Luc" in closed["text"] and "reply_markup" not in closed  # no button left
    assert len([t for t in forum.texts(MINI_HUB_CHAT) if t.startswith("Demande no 1")]) == 1


async def test_five_quick_messages_open_one_topic(forum: Running) -> None:
    api = forum.api
    await forum.open_handoff(MARIE, MINI_HUB_CHAT)
    for n in range(5):
        await forum.say(MARIE, f"message {n}")
    await api.wait_for(lambda: forum.texts(MINI_HUB_CHAT)[-1] == "message 4" or None)
    assert len(api.topics(MINI_HUB_CHAT)) == 1
    assert len(api.calls_to("createForumTopic")) == 1
    assert forum.texts(MINI_HUB_CHAT)[-5:] == [f"message {n}" for n in range(5)]


async def test_two_advisors_press_claim_exactly_one_wins(forum: Running) -> None:
    api = forum.api
    card = await forum.open_handoff(MARIE, MINI_HUB_CHAT)
    answered = len(api.calls_to("answerCallbackQuery"))
    api.user_presses(LUC, card, "hc:1")
    api.user_presses(SOPHIE, card, "hc:1")
    await api.wait_for(lambda: len(api.calls_to("answerCallbackQuery")) >= answered + 2 or None)
    luc, sophie = (c.params.get("text", "") for c in api.calls_to("answerCallbackQuery")[answered:])
    assert "no 1" in luc and "Luc" in sophie  # the winner is told it is theirs, the other who has it
    await forum.bot_says(MARIE.id, "prend le relais")
    assert len([t for t in forum.texts(MARIE.id) if "prend le relais" in t]) == 1
    handoff = await forum.core.store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.advisor_name == "Luc"


async def test_transfer_opens_the_request_in_the_other_hubs_group(forum: Running) -> None:
    api = forum.api
    card = await forum.open_handoff(MARIE, MINI_HUB_CHAT)
    await forum.press(LUC, "ht:1", chat_id=MINI_HUB_CHAT)
    await api.wait_for(lambda: "hx:1:hub-03" in str(api.message(MINI_HUB_CHAT, card["message_id"])) or None)
    await forum.press(LUC, "hx:1:hub-03", chat_id=MINI_HUB_CHAT)
    new_card = await forum.bot_says(OTHER_HUB_CHAT, "Demande no 1 pour le Pôle de la Capitale-Nationale")
    await forum.bot_says(MARIE.id, "Pôle de la Capitale-Nationale")
    await forum.say(MARIE, "Bonjour Québec")
    relayed = await forum.bot_says(OTHER_HUB_CHAT, "Bonjour Québec")
    assert (
        relayed["reply_to_message"]["message_id"] == new_card["message_id"]
    )  # a plain group: under the card
    assert "Bonjour Québec" not in forum.texts(MINI_HUB_CHAT)


async def test_a_forum_where_the_bot_cannot_manage_topics_still_works_and_admins_are_told(
    forum: Running,
) -> None:
    api = forum.api
    api.set_bot_rights(MINI_HUB_CHAT, "administrator", can_manage_topics=False)
    card = await forum.open_handoff(MARIE, MINI_HUB_CHAT)
    assert api.topics(MINI_HUB_CHAT) == {}
    await forum.bot_says(ADMIN_CHAT, "Pôle du Bas-Saint-Laurent")
    await forum.say(MARIE, "Toujours là ?")
    relayed = await forum.bot_says(MINI_HUB_CHAT, "Toujours là ?")
    assert relayed["reply_to_message"]["message_id"] == card["message_id"]


@pytest.mark.slow  # honours two real 1 s retry_after waits
async def test_a_rate_limited_group_gets_every_message_in_order(forum: Running) -> None:
    api = forum.api
    await forum.open_handoff(MARIE, MINI_HUB_CHAT)
    api.fail_next("copyMessage", error_code=429, retry_after=1, times=2)
    for n in range(4):
        await forum.say(MARIE, f"partie {n}")
    await api.wait_for(lambda: forum.texts(MINI_HUB_CHAT)[-1] == "partie 3" or None, timeout=10)
    assert forum.texts(MINI_HUB_CHAT)[-4:] == [f"partie {n}" for n in range(4)]


async def test_a_long_question_is_copied_whole_after_the_card(forum: Running) -> None:
    question = "Mon projet en détail : " + "très long texte <b>sans</b> balises. " * 120
    card = await forum.open_handoff(MARIE, MINI_HUB_CHAT, question.strip())
    assert card["text"].count("très long texte") < 120  # the card keeps a summary
    await forum.api.wait_for(lambda: question.strip() in forum.texts(MINI_HUB_CHAT) or None)


async def test_a_private_chat_cannot_use_hub_commands_and_a_stranger_group_is_refused(forum: Running) -> None:
    await forum.open_handoff(MARIE, MINI_HUB_CHAT)
    await forum.say(MARIE, "/queue")
    await forum.bot_says(MARIE.id, "Envoyez d'abord /end")
    stranger = -1005555555555
    forum.api.register_group(stranger, "Inconnus")
    await forum.say(LUC, "/queue", chat_id=stranger)
    await forum.bot_says(stranger, "Ce groupe n'est le groupe des conseillers d'aucun pôle.")
    handoff = await forum.core.store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.status == "waiting"


async def test_reminder_escalation_rating_and_follow_up_on_the_clock(forum: Running) -> None:
    api = forum.api
    api.register_group(COORDINATION_CHAT, "Coordination du réseau")
    await forum.open_handoff(MARIE, MINI_HUB_CHAT)
    (topic_id,) = api.topics(MINI_HUB_CHAT)
    forum.clock.advance(minutes=61)
    await forum.tick()
    await api.wait_for(
        lambda: any("no 1 attend depuis" in t for t in forum.texts(MINI_HUB_CHAT, topic_id)) or None
    )
    forum.clock.advance(hours=3)
    await forum.tick()
    await forum.bot_says(COORDINATION_CHAT, "Pôle du Bas-Saint-Laurent")

    await forum.say(MARIE, "/end")
    await forum.press(MARIE, "rt:1:2")
    await api.wait_for(lambda: any("2/5" in t for t in forum.texts(MINI_HUB_CHAT, topic_id)) or None)
    await forum.say(MARIE, "Réponse trop lente")
    await api.wait_for(
        lambda: any("Réponse trop lente" in t for t in forum.texts(MINI_HUB_CHAT, topic_id)) or None
    )

    forum.clock.advance(days=14, minutes=1)
    await forum.tick()
    await forum.press(MARIE, "fu:1:adv")
    await forum.bot_says(MARIE.id, "En un message")  # consent was given before: straight to the question
    await api.wait_for(
        lambda: any("parler de nouveau" in t.lower() for t in forum.texts(MINI_HUB_CHAT, topic_id)) or None
    )


async def test_a_visitor_who_is_not_a_member_cannot_claim(forum: Running) -> None:
    api = forum.api
    card = await forum.open_handoff(MARIE, MINI_HUB_CHAT)
    visitor = User(999, "Visiteur", language_code="fr")
    api.set_chat_member(MINI_HUB_CHAT, visitor.id, "left")
    answered = len(api.calls_to("answerCallbackQuery"))
    api.user_presses(visitor, card, "hc:1")
    await api.wait_for(lambda: len(api.calls_to("answerCallbackQuery")) > answered or None)
    handoff = await forum.core.store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.status == "waiting"
    assert not any("prend le relais" in t for t in forum.texts(MARIE.id))


async def test_a_hub_group_that_removed_the_bot_closes_the_request_and_the_entrepreneur_is_told(
    forum: Running,
) -> None:
    api = forum.api
    await forum.open_handoff(MARIE, MINI_HUB_CHAT)
    api.set_bot_rights(MINI_HUB_CHAT, "kicked")
    await forum.say(MARIE, "Vous êtes là ?")
    await forum.bot_says(MARIE.id, "je n'ai pas pu joindre les conseillers du Pôle du Bas-Saint-Laurent")
    handoff = await forum.core.store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.status == "closed"


async def test_a_reply_to_a_bot_message_of_no_request_is_answered_not_lost(forum: Running) -> None:
    forum.api.user_adds_bot_to_group(LUC, OTHER_HUB_CHAT, "Pôle CN — conseillers", as_admin=True)
    hello = await forum.bot_says(
        OTHER_HUB_CHAT, "Ce groupe est le groupe des conseillers du Pôle de la Capitale-Nationale"
    )
    await forum.say(
        LUC, "Bonjour, c'est pour Marie", chat_id=OTHER_HUB_CHAT, reply_to_message_id=hello["message_id"]
    )
    await forum.bot_says(OTHER_HUB_CHAT, "Je ne sais pas à quelle demande ce message se rapporte")
