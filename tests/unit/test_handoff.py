"""The advisor desk, driven through the core as the adapters do: what entrepreneurs and advisors see."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.core.dialogue import Dialogue
from bot.core.hub_groups import GroupRights
from bot.core.types import Inbound
from bot.storage import Store
from tests.support.clock import Clock
from tests.support.driver import CoreDriver
from tests.support.personas import (
    ADMIN_CHAT,
    ADVISOR,
    COORDINATION_CHAT,
    ENTREPRENEUR,
    MINI_HUB_CHAT,
    OTHER_HUB_CHAT,
)
from tests.support.personas import SECOND_ADVISOR as SOPHIE
from tests.support.texts import EXPIRED


async def finish_intake(driver: CoreDriver) -> None:
    await driver.say("/start")
    for data in ("st:startup", "sc:tech", "rg:01", "nd:mentoring", "nd:*"):
        await driver.press(data)


async def open_handoff(driver: CoreDriver, question: str = "Ma question") -> None:
    await finish_intake(driver)
    await driver.press("adv")
    await driver.press("ok:yes")
    await driver.say(question)


# -- the entrepreneur's side ---------------------------------------------------------------------------


async def test_consent_is_asked_with_its_own_buttons_before_anything_is_shared(
    driver: CoreDriver, store: Store
) -> None:
    await finish_intake(driver)
    await driver.press("adv")
    assert "Pôle du Bas-Saint-Laurent" in driver.texts()[-1]
    assert driver.last_buttons() == ["ok:yes", "ok:no"]
    await driver.say("oui")  # typed text is not consent
    assert driver.last_buttons() == ["ok:yes", "ok:no"]
    await driver.press("ok:no")
    assert await store.get_handoff(handoff_id=1) is None
    assert driver.sent[MINI_HUB_CHAT] == []
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None and conversation.consent_at is None

    await driver.press("adv")
    await driver.press("ok:yes")
    await driver.say("Ma question")
    await driver.say("/end")
    await driver.press("adv")  # from the rating question's end: a second request asks no consent again
    assert "ok:yes" not in driver.last_buttons()


async def test_card_tells_advisors_who_what_and_since_when(driver: CoreDriver) -> None:
    await open_handoff(driver, "Comment obtenir un mentor <b>vite</b> ?")
    card = driver.card(MINI_HUB_CHAT)
    assert card.text.startswith("Demande no 1 pour le Pôle du Bas-Saint-Laurent")
    assert "Marie (@marie_qc) · Français" in card.text
    assert "Démarrage" in card.text and "Technologies" in card.text and "Bas-Saint-Laurent" in card.text
    assert "Comment obtenir un mentor <b>vite</b> ?" in card.text  # exactly as typed
    assert "Mentorat techno BSL" in card.text
    assert card.buttons == ["hc:1", "ht:1", "hz:1"]
    assert driver.texts()[-1].startswith("Votre question a été envoyée au Pôle du Bas-Saint-Laurent.")


async def test_messages_reach_the_thread_as_copies_with_one_acknowledgement_while_waiting(
    driver: CoreDriver,
) -> None:
    await open_handoff(driver)
    card = driver.card(MINI_HUB_CHAT)
    before = len(driver.texts())
    await driver.say("Je suis à Rimouski.")
    await driver.say("Et j'ai un prototype.")
    relayed = [s for s in driver.sent[MINI_HUB_CHAT] if s.reply.copy_of is not None]
    assert [s.reply.reply_to_message_id for s in relayed] == [card.message_id, card.message_id]
    assert len(driver.texts()) == before + 1  # one short acknowledgement, then silence


async def test_an_advisors_reply_claims_and_reaches_the_entrepreneur(
    driver: CoreDriver, store: Store
) -> None:
    await open_handoff(driver)
    card = driver.card(MINI_HUB_CHAT)
    await driver.advisor_says(
        MINI_HUB_CHAT, "Bonjour Marie, je vous appelle demain.", reply_to=card.message_id
    )
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.status == "claimed" and handoff.advisor_name == "Luc"
    told, copy = driver.sent[ENTREPRENEUR.id][-2:]
    assert "Luc" in told.text and "Pôle du Bas-Saint-Laurent" in told.text
    assert copy.reply.copy_of is not None and copy.reply.copy_of.chat_id == MINI_HUB_CHAT
    edited = driver.card(MINI_HUB_CHAT)
    assert edited.message_id == card.message_id and "Luc" in edited.text  # edited in place
    assert edited.buttons == ["ht:1", "hz:1"]
    before = len(driver.sent[ENTREPRENEUR.id])
    await driver.advisor_says(MINI_HUB_CHAT, "Bonne journée à tous", reply_to=None)
    assert len(driver.sent[ENTREPRENEUR.id]) == before  # chatter outside any thread is not relayed


async def test_two_advisors_pressing_claim_exactly_one_wins(driver: CoreDriver, store: Store) -> None:
    await open_handoff(driver)
    await driver.advisor_presses(MINI_HUB_CHAT, "hc:1", advisor=ADVISOR)
    await driver.advisor_presses(MINI_HUB_CHAT, "ht:1", advisor=SOPHIE)  # opens the list
    outcome = await driver.run(
        Inbound(
            MINI_HUB_CHAT,
            SOPHIE,
            button="hc:1",
            button_message_id=driver.card(MINI_HUB_CHAT).message_id,
            private=False,
        )
    )
    assert outcome.notice is not None and "Luc" in outcome.notice
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.advisor_name == "Luc"
    told = [t for t in driver.texts() if "prend le relais" in t or "taking over" in t]
    assert len(told) == 1


async def test_internal_notes_are_never_relayed(driver: CoreDriver) -> None:
    await open_handoff(driver)
    card = driver.card(MINI_HUB_CHAT)
    before = len(driver.texts())
    await driver.advisor_says(MINI_HUB_CHAT, "!elle a déjà un prêt chez nous", reply_to=card.message_id)
    await driver.advisor_says(MINI_HUB_CHAT, "/note voir avec Sophie", reply_to=card.message_id)
    assert len(driver.texts()) == before


async def test_the_entrepreneur_ends_rates_and_comments_and_the_advisors_see_it(
    driver: CoreDriver, store: Store
) -> None:
    await open_handoff(driver)
    await driver.say("/end")
    assert driver.last_buttons() == ["rt:1:1", "rt:1:2", "rt:1:3", "rt:1:4", "rt:1:5", "rt:1:0"]
    hub_texts = [s.text for s in driver.sent[MINI_HUB_CHAT]]
    assert any("terminé" in t for t in hub_texts)
    await driver.press("rt:1:4")
    assert "4/5" in driver.last(MINI_HUB_CHAT).text
    await driver.say("Très utile, merci")
    assert "Très utile, merci" in driver.last(MINI_HUB_CHAT).text
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and (handoff.rating, handoff.comment) == (4, "Très utile, merci")
    before = len(driver.sent[MINI_HUB_CHAT])
    await driver.say("Encore une question")  # after a close: offered a new request, nothing relayed
    assert driver.last_buttons() == ["adv", "pf:results"]
    assert len(driver.sent[MINI_HUB_CHAT]) == before
    await driver.press("rt:1:5")  # a second rating is refused
    assert driver.notices[-1] == EXPIRED
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.rating == 4


async def test_the_advisor_closes_and_the_entrepreneur_is_asked_for_a_rating(
    driver: CoreDriver, store: Store
) -> None:
    await open_handoff(driver)
    await driver.advisor_presses(MINI_HUB_CHAT, "hz:1")
    assert driver.last_buttons()[0] == "rt:1:1"
    assert driver.card(MINI_HUB_CHAT).buttons == []
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None and conversation.handoff_id is None and conversation.step == "rating"
    await driver.press("rt:1:0")
    card = driver.card(MINI_HUB_CHAT)
    await driver.advisor_says(MINI_HUB_CHAT, "Toujours là ?", reply_to=card.message_id)
    assert driver.last().reply.copy_of is None  # a closed request relays nothing
    assert "/reopen" in driver.last(MINI_HUB_CHAT).text


async def test_reopen_within_the_networks_delay_only(driver: CoreDriver, store: Store, clock: Clock) -> None:
    await open_handoff(driver)
    await driver.advisor_presses(MINI_HUB_CHAT, "hz:1")
    card = driver.card(MINI_HUB_CHAT)
    clock.advance(hours=2)
    await driver.advisor_says(MINI_HUB_CHAT, "/reopen", reply_to=card.message_id)
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None and conversation.handoff_id == 1 and conversation.step == "handoff"
    await driver.say("Merci de rouvrir")
    relayed = driver.last(MINI_HUB_CHAT).reply.copy_of
    assert relayed is not None and relayed.chat_id == ENTREPRENEUR.id  # her message, relayed again
    await driver.advisor_presses(MINI_HUB_CHAT, "hz:1")
    clock.advance(hours=73)
    await driver.advisor_says(MINI_HUB_CHAT, "/reopen 1", reply_to=None)
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None and conversation.handoff_id is None


async def test_transfer_moves_the_request_to_another_hubs_group(driver: CoreDriver, store: Store) -> None:
    await open_handoff(driver)
    old_card = driver.card(MINI_HUB_CHAT)
    await driver.advisor_presses(MINI_HUB_CHAT, "ht:1")
    assert driver.card(MINI_HUB_CHAT).buttons == ["hx:1:hub-03", "hb:1"]  # hubs with a group, then Back
    await driver.advisor_presses(MINI_HUB_CHAT, "hx:1:hub-03")
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and (handoff.hub_id, handoff.status) == ("hub-03", "waiting")
    new_card = driver.card(OTHER_HUB_CHAT)
    assert "Capitale-Nationale" in new_card.text and new_card.buttons == ["hc:1", "ht:1", "hz:1"]
    assert "Pôle de la Capitale-Nationale" in driver.texts()[-1]
    assert [m for m in driver.sent[MINI_HUB_CHAT] if m.message_id == old_card.message_id][-1].buttons == []
    await driver.advisor_says(MINI_HUB_CHAT, "Je réponds quand même", reply_to=old_card.message_id)
    assert driver.last().reply.copy_of is None  # the old group has no say any more
    await driver.say("Bonjour Québec")
    relayed = driver.last(OTHER_HUB_CHAT).reply.copy_of
    assert relayed is not None and relayed.chat_id == ENTREPRENEUR.id


async def test_queue_and_mine_list_open_requests_oldest_first_with_their_age(
    dialogue: Dialogue, driver: CoreDriver, clock: Clock
) -> None:
    await open_handoff(driver)
    clock.advance(minutes=125)
    await driver.advisor_says(MINI_HUB_CHAT, "/queue", reply_to=None)
    queue = driver.last(MINI_HUB_CHAT).text
    assert "#1 · Marie · Technologies · en attente depuis 2 heures" in queue
    await driver.advisor_says(MINI_HUB_CHAT, "/mine", reply_to=None)
    assert driver.last(MINI_HUB_CHAT).text == "Vous n'avez aucune demande ouverte."
    await driver.advisor_presses(MINI_HUB_CHAT, "hc:1")
    await driver.advisor_says(MINI_HUB_CHAT, "/mine", reply_to=None)
    assert "#1" in driver.last(MINI_HUB_CHAT).text


# -- who may act -------------------------------------------------------------------------------------------


async def test_another_chat_cannot_claim_close_or_answer(driver: CoreDriver, store: Store, caplog) -> None:
    await open_handoff(driver)
    card = driver.card(MINI_HUB_CHAT)
    before = len(driver.texts())
    forged = Inbound(-100999, ADVISOR, button="hc:1", button_message_id=5, private=False)
    assert (await driver.run(forged)).notice == "Ce bouton a expiré."
    await driver.advisor_says(-100999, "/close 1", reply_to=None)
    await driver.advisor_says(-100999, "intrus", reply_to=card.message_id)
    await driver.advisor_says(OTHER_HUB_CHAT, "/close 1", reply_to=None)  # a real hub, but not this one
    other = Inbound(OTHER_HUB_CHAT, ADVISOR, button="hz:1", button_message_id=5, private=False)
    assert (await driver.run(other)).notice == "Ce bouton a expiré."
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.status == "waiting"
    assert len(driver.texts()) == before
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any("-100999" in line for line in refused) and any(str(OTHER_HUB_CHAT) in line for line in refused)


async def test_a_group_that_is_no_longer_the_hubs_cannot_act(dialogue: Dialogue, driver: CoreDriver) -> None:
    await open_handoff(driver)
    card = driver.card(MINI_HUB_CHAT)
    hubs = tuple(
        h.model_copy(update={"advisor_chat_id": -1009999}) if h.id == "hub-01" else h
        for h in dialogue.catalog.hubs
    )
    dialogue.catalog = replace(dialogue.catalog, hubs=hubs)  # the admin moved the hub to a new group
    outcome = await driver.advisor_says(MINI_HUB_CHAT, "/close", reply_to=card.message_id)
    assert all(r.chat_id == MINI_HUB_CHAT for r in outcome.replies)  # a refusal, nothing for the entrepreneur


async def test_forged_hub_buttons_in_a_private_chat_do_nothing(driver: CoreDriver, store: Store) -> None:
    await open_handoff(driver)
    await driver.run(Inbound(ENTREPRENEUR.id, ENTREPRENEUR, button="hc:1", button_message_id=1))
    await driver.run(Inbound(ENTREPRENEUR.id, ENTREPRENEUR, button="rt:1:5", button_message_id=1))
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.status == "waiting" and handoff.rating is None


# -- time: office hours, reminders, escalation, follow-up -----------------------------------------------------


async def test_an_unclaimed_request_is_reminded_then_escalated(driver: CoreDriver, clock: Clock) -> None:
    await open_handoff(driver)
    await driver.tick()
    assert not any("no 1 attend" in t for t in driver.texts(MINI_HUB_CHAT))
    clock.advance(minutes=61)
    await driver.tick()
    reminder = driver.sent[MINI_HUB_CHAT][-2]
    assert reminder.text.startswith("La demande no 1 attend depuis 61 minutes.")
    assert reminder.reply.reply_to_message_id == driver.card(MINI_HUB_CHAT).message_id  # in its thread
    await driver.tick()  # once only
    assert len([t for t in driver.texts(MINI_HUB_CHAT) if t == reminder.text]) == 1
    clock.advance(minutes=180)
    await driver.tick()
    (escalation,) = driver.sent[COORDINATION_CHAT]
    assert "no 1" in escalation.text and "Pôle du Bas-Saint-Laurent" in escalation.text


async def test_outside_office_hours_the_entrepreneur_is_told_when_and_reminders_wait(
    driver: CoreDriver, clock: Clock
) -> None:
    clock.now = dt.datetime(2026, 11, 27, 23, 0, tzinfo=dt.UTC)  # Friday 18:00 in Québec
    await open_handoff(driver)
    assert "lundi" in driver.texts()[-1] and "9" in driver.texts()[-1]
    clock.advance(hours=40)  # Sunday
    await driver.tick()
    assert len(driver.sent[MINI_HUB_CHAT]) == 1  # just the card
    clock.now = dt.datetime(2026, 11, 30, 15, 1, tzinfo=dt.UTC)  # Monday 10:01
    await driver.tick()
    assert "La demande no 1 attend depuis 3 jours." in driver.sent[MINI_HUB_CHAT][-2].text


async def test_a_claimed_and_answered_request_is_never_reminded(driver: CoreDriver, clock: Clock) -> None:
    await open_handoff(driver)
    await driver.advisor_presses(MINI_HUB_CHAT, "hc:1")
    await driver.advisor_says(
        MINI_HUB_CHAT, "Je m'en occupe.", reply_to=driver.card(MINI_HUB_CHAT).message_id
    )
    count = len(driver.sent[MINI_HUB_CHAT])
    clock.advance(hours=6)
    await driver.tick()
    assert len(driver.sent[MINI_HUB_CHAT]) == count and driver.sent[COORDINATION_CHAT] == []


async def test_follow_up_is_asked_once_days_after_the_close(
    driver: CoreDriver, clock: Clock, store: Store
) -> None:
    await open_handoff(driver)
    await driver.say("/end")
    await driver.press("rt:1:0")
    clock.advance(days=13)
    await driver.tick()
    assert "fu:1:yes" not in driver.last_buttons()
    clock.advance(days=1, minutes=1)
    await driver.tick()
    assert driver.last_buttons() == ["fu:1:yes", "fu:1:no", "fu:1:adv"]
    await driver.tick()
    assert len([s for s in driver.sent[ENTREPRENEUR.id] if "fu:1:yes" in s.buttons]) == 1
    await driver.press("fu:1:yes")
    assert driver.last().buttons == []
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.helped == "yes"
    await driver.press("fu:1:no")
    assert driver.notices[-1] == EXPIRED  # answered once
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.helped == "yes"


# -- the entrepreneur leaves ---------------------------------------------------------------------------------


async def test_forget_closes_the_request_and_the_thread_is_told(driver: CoreDriver, store: Store) -> None:
    await open_handoff(driver)
    await driver.say("/forget")
    await driver.press("fg:yes")
    assert driver.texts()[-1].startswith("C'est fait : j'ai effacé tout ce que je gardais sur vous.")
    assert (
        driver.last(MINI_HUB_CHAT).text == "L'entrepreneur a effacé ses données : cette demande est fermée."
    )
    assert await store.get_conversation(chat_id=ENTREPRENEUR.id) is None
    assert await store.get_handoff(handoff_id=1) is None


async def test_a_blocked_bot_closes_the_request_and_the_thread_is_told(
    dialogue: Dialogue, driver: CoreDriver, store: Store
) -> None:
    await open_handoff(driver)
    await driver.deliver(await dialogue.user_blocked(ENTREPRENEUR.id))
    assert any("bloqué" in text for text in driver.texts(MINI_HUB_CHAT))
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.close_reason == "blocked"


async def test_a_card_that_cannot_be_posted_closes_the_handoff_and_says_so(
    dialogue: Dialogue, driver: CoreDriver, store: Store
) -> None:
    await open_handoff(driver)
    outcome = await dialogue.undelivered("card:1")
    (reply,) = outcome.replies
    assert reply.chat_id == ENTREPRENEUR.id
    assert "je n'ai pas pu joindre les conseillers du Pôle du Bas-Saint-Laurent" in "".join(
        s.text for s in reply.text
    )
    handoff = await store.get_handoff(handoff_id=1)
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert handoff is not None and handoff.status == "closed"
    assert conversation is not None and conversation.handoff_id is None


async def test_leaving_the_forget_question_never_strands_an_open_handoff(
    driver: CoreDriver, store: Store
) -> None:
    await open_handoff(driver)
    await driver.say("/forget")
    await driver.say("/start")
    assert driver.texts()[-1] == "Vous êtes en conversation avec un conseiller. Envoyez d'abord /end."
    await driver.press("adv")
    assert driver.notices[-1] == EXPIRED
    await driver.say("/end")
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.status == "closed"
    assert await store.get_handoff(handoff_id=2) is None


async def test_purge_never_orphans_an_open_handoff(driver: CoreDriver, store: Store) -> None:
    from bot.storage import utcnow

    await open_handoff(driver)
    await driver.say("/forget")  # the confirmation question keeps the handoff open
    await store.purge(older_than=utcnow() + dt.timedelta(seconds=1))
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None and conversation.handoff_id == 1


# -- the bot in groups ------------------------------------------------------------------------------------


async def test_a_hub_group_without_admin_rights_is_reported_to_the_admins(dialogue: Dialogue) -> None:
    outcome = dialogue.group_joined(MINI_HUB_CHAT, GroupRights(admin=False, manage_topics=False, forum=True))
    chats = [r.chat_id for r in outcome.replies]
    assert chats == [MINI_HUB_CHAT, MINI_HUB_CHAT, ADMIN_CHAT]
    fine = dialogue.group_joined(MINI_HUB_CHAT, GroupRights(admin=True, manage_topics=True, forum=True))
    assert [r.chat_id for r in fine.replies] == [MINI_HUB_CHAT]
    stranger = dialogue.group_joined(-100555, GroupRights(admin=False, manage_topics=False, forum=False))
    assert "-100555" in "".join(s.text for s in stranger.replies[0].text)


async def test_a_request_made_late_in_the_day_is_reminded_before_it_is_escalated(
    driver: CoreDriver, clock: Clock
) -> None:
    clock.now = dt.datetime(2026, 11, 27, 21, 40, tzinfo=dt.UTC)  # Friday 16:40 in Québec
    await open_handoff(driver)
    clock.now = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)  # Monday 10:00
    await driver.tick()
    await driver.tick()
    assert any("attend depuis" in t for t in driver.texts(MINI_HUB_CHAT))
    assert driver.sent[COORDINATION_CHAT] == []  # the escalation's delay starts from the reminder
    clock.advance(hours=3, minutes=1)
    await driver.tick()
    assert len(driver.sent[COORDINATION_CHAT]) == 1


async def test_removing_the_bot_from_a_hub_group_is_reported_to_the_admins(dialogue: Dialogue) -> None:
    (report,) = dialogue.group_left(MINI_HUB_CHAT).replies
    assert report.chat_id == ADMIN_CHAT
    assert "Pôle du Bas-Saint-Laurent" in "".join(s.text for s in report.text)
    assert dialogue.group_left(-100555).replies == ()  # a group that is no hub's: nothing to report
