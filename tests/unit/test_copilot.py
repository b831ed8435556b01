"""The advisor's co-pilot and moderation in the core: the rate limit, routing over /link, the transfer's
reason, a claimed request left unanswered, and the catalog's canned replies and hub admins (PATH:LINE)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.core.moderation import FloodGate, Gate, LinkedChats
from bot.core.types import HubLink
from bot.storage import Store
from tests.support.clock import Clock
from tests.support.driver import CoreDriver
from tests.support.personas import ADMIN_CHAT, COORDINATION_CHAT, ENTREPRENEUR, MINI_HUB_CHAT, OTHER_HUB_CHAT
from tests.unit.test_catalog_loader import broken, errors, line, messages
from tests.unit.test_handoff import open_handoff

T0 = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


def test_the_rate_limit_passes_up_to_the_limit_tells_once_and_forgets_after_a_minute() -> None:
    gate = FloodGate()
    seconds = [T0 + dt.timedelta(seconds=n) for n in range(6)]
    assert [gate.admit(1, at, 3) for at in seconds] == [
        Gate.PASS,
        Gate.PASS,
        Gate.PASS,
        Gate.REFUSED_TELL,
        Gate.REFUSED,
        Gate.REFUSED,
    ]
    assert gate.admit(2, T0, 3) is Gate.PASS  # per entrepreneur
    assert gate.admit(1, T0 + dt.timedelta(seconds=61), 3) is Gate.PASS
    assert all(gate.admit(3, T0, 0) is Gate.PASS for _ in range(100))  # 0: no limit


def test_a_linked_group_overrides_the_catalog_and_takes_the_group_from_its_old_hub(mini_catalog) -> None:
    chats = LinkedChats(lambda hub: hub.advisor_chat_id)
    hub_01, hub_02, _hub_03 = mini_catalog.hubs
    assert (chats(hub_01), chats(hub_02)) == (MINI_HUB_CHAT, None)
    chats.replace([HubLink("hub-02", MINI_HUB_CHAT, 777, T0)])
    assert (chats(hub_01), chats(hub_02)) == (None, MINI_HUB_CHAT)


async def test_a_transfer_with_a_reason_tells_the_new_hub_and_the_entrepreneur(
    driver: CoreDriver, store: Store
) -> None:
    await open_handoff(driver)
    card = driver.card(MINI_HUB_CHAT)
    await driver.advisor_says(MINI_HUB_CHAT, "!déjà vue en 2025", reply_to=card.message_id)
    await driver.advisor_says(
        MINI_HUB_CHAT, "/transfer 1 hub-03 ils font du mentorat techno", reply_to=None
    )  # `/transfer 12 hub-03 reason`: the number first
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.hub_id == "hub-03"
    notes = [s.text for s in driver.sent[OTHER_HUB_CHAT] if "Motifs et notes internes" in s.text]
    assert notes and "ils font du mentorat techno" in notes[0] and "déjà vue en 2025" in notes[0]
    assert "Pourquoi : ils font du mentorat techno" in driver.texts()[-1]
    assert [n.kind for n in await store.notes_of(handoff_id=1)] == ["note", "transfer"]


async def test_a_transfer_by_region_with_a_reason_and_a_bare_transfer_asks_where(
    driver: CoreDriver, store: Store
) -> None:
    await open_handoff(driver)
    card = driver.card(MINI_HUB_CHAT)
    await driver.advisor_says(MINI_HUB_CHAT, "/transfer", reply_to=card.message_id)
    assert driver.last(MINI_HUB_CHAT).buttons == ["hx:1:hub-03", "hb:1"]
    await driver.advisor_says(MINI_HUB_CHAT, "/transfer 03 plus proche", reply_to=card.message_id)
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.hub_id == "hub-03"
    assert "Pourquoi : plus proche" in driver.texts()[-1]


async def test_a_reason_that_starts_with_a_region_number_is_still_the_reason(
    driver: CoreDriver, store: Store
) -> None:
    """`/transfer hub-03 01 ...` once took "hub-03" for the request's number and "01" for the hub."""
    await open_handoff(driver)
    card = driver.card(MINI_HUB_CHAT)
    await driver.advisor_says(
        MINI_HUB_CHAT, "/transfer hub-03 01 fois sur deux ils répondent", reply_to=card.message_id
    )
    handoff = await store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.hub_id == "hub-03"
    assert "Pourquoi : 01 fois sur deux ils répondent" in driver.texts()[-1]


async def test_a_claimed_request_without_an_answer_is_flagged_then_escalated(
    driver: CoreDriver, clock: Clock
) -> None:
    await open_handoff(driver)
    await driver.advisor_presses(MINI_HUB_CHAT, "hc:1")
    clock.advance(minutes=119)
    await driver.tick()
    assert not any("sans réponse" in t or "pas encore de réponse" in t for t in driver.texts(MINI_HUB_CHAT))
    clock.advance(minutes=2)
    await driver.tick()
    assert "a été prise en charge par Luc" in driver.texts(MINI_HUB_CHAT)[-1]
    clock.advance(hours=3)
    await driver.tick()
    assert "n'a toujours pas de réponse" in driver.texts(COORDINATION_CHAT)[-1]
    clock.advance(hours=3)
    await driver.tick()
    assert len(driver.sent[COORDINATION_CHAT]) == 1  # once


async def test_a_banned_entrepreneur_cannot_open_a_new_request_at_that_hub(
    driver: CoreDriver, store: Store
) -> None:
    await open_handoff(driver)
    await driver.advisor_says(MINI_HUB_CHAT, "/ban", reply_to=driver.card(MINI_HUB_CHAT).message_id)
    await driver.say("/end")
    await driver.press("rt:1:0")
    await driver.press("adv")
    await driver.say("Une autre question")
    assert "ne reçoivent plus vos messages" in driver.texts()[-1]
    assert await store.get_handoff(handoff_id=2) is None
    assert await store.is_banned(hub_id="hub-01", user_chat_id=ENTREPRENEUR.id)


async def test_missing_without_a_request_counts_for_the_hubs_region(driver: CoreDriver, store: Store) -> None:
    await driver.advisor_says(MINI_HUB_CHAT, "/missing un incubateur agricole", reply_to=None)
    assert "un incubateur agricole" in driver.texts(ADMIN_CHAT)[-1]
    assert [(g.region, g.need) for g in await store.coverage_gaps(network="mini")] == [("01", "unlisted")]


# -- the catalog: canned replies and hub admins, every problem at its line -------------------------------


def test_canned_replies_in_an_unknown_language_are_errors_and_missing_ones_warnings(tmp_path: Path) -> None:
    folder = broken(
        tmp_path,
        "hubs.yaml",
        "    advisor_chat_id: -1001000000001\n",
        "    advisor_chat_id: -1001000000001\n"
        "    canned_replies:\n"
        "      bienvenue: {fr: Bonjour !, de: Hallo!}\n",
    )
    at = line(folder, "hubs.yaml", "bienvenue")
    assert errors(folder) == [
        f"hubs.yaml:{at}: canned reply 'bienvenue': 'de' is not one of the network's languages"
    ]
    assert f"hubs.yaml:{at}: warning: canned reply 'bienvenue' of hub 'hub-01' has no 'en' text" in messages(
        folder, severity="warning"
    )


def test_a_canned_reply_name_and_hub_admins_are_checked_where_they_are(tmp_path: Path) -> None:
    folder = broken(
        tmp_path,
        "hubs.yaml",
        "    advisor_chat_id: -1001000000001\n",
        "    advisor_chat_id: -1001000000001\n"
        "    admins: [-5]\n"
        "    canned_replies:\n"
        '      "mauvais nom": {fr: Bonjour}\n',
    )
    problems = errors(folder)
    assert any(p.startswith(f"hubs.yaml:{line(folder, 'hubs.yaml', 'admins')}: admins") for p in problems)
    assert any(p.startswith(f"hubs.yaml:{line(folder, 'hubs.yaml', 'mauvais nom')}:") for p in problems)


async def test_notes_go_with_the_request_when_the_entrepreneur_forgets(
    driver: CoreDriver, store: Store
) -> None:
    await open_handoff(driver)
    await driver.advisor_says(
        MINI_HUB_CHAT, "/note rappeler jeudi", reply_to=driver.card(MINI_HUB_CHAT).message_id
    )
    assert [n.text for n in await store.notes_of(handoff_id=1)] == ["rappeler jeudi"]
    await driver.say("/forget")
    await driver.press("fg:yes")
    assert await store.get_handoff(handoff_id=1) is None
    assert await store.notes_of(handoff_id=1) == []
