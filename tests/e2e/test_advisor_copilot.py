"""End to end: the advisor's co-pilot in a request's topic, flood control and bans, and `/link`, through the
real Application and the Bot API double, in French, English and Arabic.

The catalogs are copies of the tests' mini network (and of the Algerian sample, for Arabic) with canned
replies, hub admins and a low rate limit added.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli import _overrides
from bot.reporting.command import check, make_report
from bot.reporting.view import sections
from tests.support.botapi import User
from tests.support.personas import (
    ADMIN_CHAT,
    COORDINATION_CHAT,
    LUC,
    MARIE,
    MINI,
    MINI_HUB_CHAT,
    OTHER_HUB_CHAT,
    ROOT,
    SAM,
    SOPHIE,
)
from tests.support.running import Running, running_bot

pytestmark = pytest.mark.e2e

NEW_GROUP = -1001000000042  # a group not in hubs.yaml, linked with /link
ORAN_CHAT = -1001000000031  # the Oran technopark's advisors (Algerian sample)
AMINE = User(6262, "Amine", language_code="ar")

CANNED = f"""    admins: [{LUC.id}]
    canned_replies:
      bienvenue:
        fr: "Bonjour ! Je regarde votre dossier et je vous reviens aujourd'hui."
        en: "Hello! I am looking at your file and will get back to you today."
      dossier:
        fr: "Pouvez-vous m'envoyer votre plan d'affaires en PDF ?"
"""


def mini_copy(tmp_path: Path) -> Path:
    """The mini network with canned replies and admins for hub-01, hub-02 administered by Luc, and a rate
    limit of 3 messages a minute."""
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    hubs = (folder / "hubs.yaml").read_text(encoding="utf-8")
    hubs = hubs.replace(
        "    advisor_chat_id: -1001000000001\n", "    advisor_chat_id: -1001000000001\n" + CANNED
    )
    hubs = hubs.replace('    regions: ["02"]\n', f'    regions: ["02"]\n    admins: [{LUC.id}]\n')
    (folder / "hubs.yaml").write_text(hubs, encoding="utf-8")
    network = (folder / "network.yaml").read_text(encoding="utf-8")
    assert "  relay_per_minute: 0\n" in network  # the shared mini catalog has none (the fault tests)
    network = network.replace("  relay_per_minute: 0\n", "  relay_per_minute: 3\n")
    (folder / "network.yaml").write_text(network, encoding="utf-8")
    return folder


@pytest.fixture
async def desk(tmp_path: Path, database_url: str) -> AsyncIterator[Running]:
    groups = {MINI_HUB_CHAT: ("Pôle BSL — conseillers", "forum"), OTHER_HUB_CHAT: "Pôle CN — conseillers"}
    async with running_bot(
        tmp_path, mini_copy(tmp_path), groups=groups, admin_chat_id=ADMIN_CHAT, database_url=database_url
    ) as bot:
        bot.api.register_group(ADMIN_CHAT, "Coordination")
        yield bot


async def open_request(
    bot: Running, person: User, prompt: str, question: str = "Comment trouver un mentor ?"
) -> int:
    """`person` starts from hub-01's link and asks; returns the topic of the request in hub-01's forum."""
    topics = len(bot.api.topics(MINI_HUB_CHAT))
    await bot.say(person, "/start hub-01")
    for data in ("st:startup", "sc:tech", "nd:*", "adv", "ok:yes"):
        await bot.press(person, data)
    await bot.bot_says(person.id, prompt)
    await bot.say(person, question)
    await bot.api.wait_for(lambda: len(bot.api.topics(MINI_HUB_CHAT)) > topics or None)
    topic = max(bot.api.topics(MINI_HUB_CHAT))
    # The card comes once the bot has recorded the topic: an advisor writing there before then would be
    # writing in a topic the bot cannot place yet (a race of the test, not a case of the product).
    await bot.api.wait_for(lambda: bot.api.bot_messages(MINI_HUB_CHAT, topic) or None, description="the card")
    return topic


async def in_topic(bot: Running, user: User, text: str, topic: int) -> None:
    await bot.say(user, text, chat_id=MINI_HUB_CHAT, message_thread_id=topic)


async def test_canned_replies_listed_sent_in_the_entrepreneurs_language_or_refused(desk: Running) -> None:
    topic = await open_request(desk, MARIE, "En un message")
    await in_topic(desk, LUC, "/r", topic)
    listing = await desk.bot_says(MINI_HUB_CHAT, "Réponses types")
    assert "bienvenue · fr, en" in listing["text"] and "dossier · fr" in listing["text"]
    await in_topic(desk, LUC, "/r bienvenue", topic)
    await desk.bot_says(MARIE.id, "Bonjour ! Je regarde votre dossier")
    await desk.bot_says(MINI_HUB_CHAT, "Réponse type bienvenue envoyée à l'entrepreneur")
    handoff = await desk.core.store.get_handoff(handoff_id=1)
    assert handoff is not None and handoff.status == "claimed" and handoff.advisor_replied  # it answered
    await in_topic(desk, LUC, "/r inconnue", topic)
    await desk.bot_says(MINI_HUB_CHAT, "Aucune réponse type ne s'appelle inconnue")

    await desk.say(MARIE, "/end")
    await desk.bot_says(MARIE.id, "Votre conversation avec le conseiller est terminée")
    sam_topic = await open_request(desk, SAM, "In one message", "How do I find a mentor?")
    before = len(desk.api.bot_messages(SAM.id))
    await in_topic(desk, LUC, "/r dossier", sam_topic)
    await desk.bot_says(MINI_HUB_CHAT, "n'a pas de texte en anglais, la langue de l'entrepreneur")
    assert len(desk.api.bot_messages(SAM.id)) == before  # nothing was sent
    await in_topic(desk, LUC, "/r bienvenue", sam_topic)
    await desk.bot_says(SAM.id, "Hello! I am looking at your file")


async def test_suggest_lists_the_best_entries_and_a_button_sends_one(desk: Running) -> None:
    topic = await open_request(desk, MARIE, "En un message")
    await in_topic(desk, LUC, "/suggest", topic)
    suggestion = await desk.bot_says(MINI_HUB_CHAT, "Meilleures fiches du catalogue pour la demande no 1")
    data = [b["callback_data"] for row in suggestion["reply_markup"]["inline_keyboard"] for b in row]
    assert "hf:1:mentor-01-tech" in data
    await desk.press(LUC, "hf:1:mentor-01-tech", chat_id=MINI_HUB_CHAT)
    sent = await desk.bot_says(MARIE.id, "Votre personne-conseil vous suggère")
    assert "Mentorat techno BSL" in sent["text"]
    await desk.bot_says(MINI_HUB_CHAT, "Envoyé à l'entrepreneur : Mentorat techno BSL")
    await desk.say(SOPHIE, "/suggest 99", chat_id=MINI_HUB_CHAT)  # no such request: nothing is suggested
    await desk.bot_says(MINI_HUB_CHAT, "Quelle demande ?")


async def test_a_transfer_carries_its_reason_the_notes_and_the_history(desk: Running) -> None:
    topic = await open_request(desk, MARIE, "En un message")
    await desk.say(MARIE, "Mon projet est dans l'export agricole.")
    await desk.relayed(MINI_HUB_CHAT, "Mon projet est dans l'export agricole.", topic)
    await in_topic(desk, LUC, "!elle a déjà un prêt du fonds régional", topic)
    await in_topic(desk, LUC, "/transfer hub-03 Ils accompagnent l'export agroalimentaire", topic)
    await desk.bot_says(OTHER_HUB_CHAT, "Demande no 1 pour le Pôle de la Capitale-Nationale")
    notes = await desk.bot_says(OTHER_HUB_CHAT, "Motifs et notes internes")
    assert "Ils accompagnent l'export agroalimentaire" in notes["text"]
    assert "elle a déjà un prêt du fonds régional" in notes["text"]
    await desk.bot_says(OTHER_HUB_CHAT, "La conversation jusqu'ici")
    await desk.bot_says(OTHER_HUB_CHAT, "Mon projet est dans l'export agricole.")  # a copy of the history
    told = await desk.bot_says(MARIE.id, "Votre demande a été transmise au Pôle de la Capitale-Nationale")
    assert "Pourquoi : Ils accompagnent l'export agroalimentaire" in told["text"]
    assert not any("prêt du fonds" in t for t in desk.texts(MARIE.id))  # notes stay internal


async def test_a_claimed_request_left_unanswered_is_flagged_then_escalated(desk: Running) -> None:
    desk.api.register_group(COORDINATION_CHAT, "Coordination du réseau")
    topic = await open_request(desk, MARIE, "En un message")
    await desk.press(LUC, "hc:1", chat_id=MINI_HUB_CHAT)
    desk.clock.advance(minutes=121)
    await desk.tick()
    flagged = await desk.api.wait_for_bot_message(
        MINI_HUB_CHAT, contains="a été prise en charge par Luc", thread_id=topic
    )
    assert "n'a pas encore de réponse" in flagged["text"]
    desk.clock.advance(hours=3)
    await desk.tick()
    await desk.bot_says(COORDINATION_CHAT, "n'a toujours pas de réponse")


async def test_missing_tells_the_admins_and_counts_in_the_gap_table(desk: Running) -> None:
    topic = await open_request(desk, MARIE, "En un message")
    await in_topic(desk, LUC, "/missing", topic)
    await desk.bot_says(MINI_HUB_CHAT, "Écrivez ce qui manque au catalogue")
    await in_topic(desk, LUC, "/missing un fonds pour l'export agricole", topic)
    noted = await desk.bot_says(ADMIN_CHAT, "Manque du catalogue signalé par Luc")
    assert "un fonds pour l'export agricole" in noted["text"] and "demande no 1" in noted["text"]
    await desk.bot_says(MINI_HUB_CHAT, "Noté : les administrateurs du réseau ont été prévenus")
    gaps = await desk.core.store.coverage_gaps(network="mini")
    assert [(g.region, g.need) for g in gaps][-1:] == [("01", "unlisted")]


async def test_flood_control_relays_up_to_the_limit_and_says_what_was_not_sent(desk: Running) -> None:
    topic = await open_request(desk, MARIE, "En un message")
    for n in range(5):
        await desk.say(MARIE, f"message {n}")
    await desk.bot_says(MARIE.id, "n'ont PAS été transmis aux conseillers")
    await desk.api.wait_for(lambda: "message 2" in desk.texts(MINI_HUB_CHAT, topic) or None)
    told = [t for t in desk.texts(MARIE.id) if "n'ont PAS été transmis" in t]
    assert len(told) == 1  # told once
    assert "message 3" not in desk.texts(MINI_HUB_CHAT, topic)
    assert "message 4" not in desk.texts(MINI_HUB_CHAT, topic)
    desk.clock.advance(minutes=1, seconds=1)
    await desk.say(MARIE, "message 5")
    await desk.api.wait_for(lambda: "message 5" in desk.texts(MINI_HUB_CHAT, topic) or None)


async def test_ban_stops_the_relay_tells_the_entrepreneur_once_and_is_in_the_report(desk: Running) -> None:
    topic = await open_request(desk, MARIE, "En un message")
    await in_topic(desk, LUC, "/ban", topic)
    await desk.bot_says(MARIE.id, "ne reçoivent plus vos messages")
    await desk.bot_says(MINI_HUB_CHAT, "Luc a bloqué cet entrepreneur")
    await in_topic(desk, LUC, "/ban", topic)
    await desk.bot_says(MINI_HUB_CHAT, "Cet entrepreneur est déjà bloqué pour ce pôle.")
    await desk.say(MARIE, "Pourquoi ?")
    await desk.say(MARIE, "Répondez !")
    await desk.api.wait_for(lambda: len(desk.api.calls_to("copyMessage")) >= 0 or None)
    await in_topic(desk, SOPHIE, "/queue", topic)  # a later update: the two messages were handled before
    await desk.bot_says(MINI_HUB_CHAT, "Demandes ouvertes")
    assert not any(t in ("Pourquoi ?", "Répondez !") for t in desk.texts(MINI_HUB_CHAT, topic))
    assert len([t for t in desk.texts(MARIE.id) if "ne reçoivent plus vos messages" in t]) == 1

    catalog = desk.core.dialogue.catalog
    report = await make_report(
        desk.core.store,
        catalog,
        check(catalog, first=None, last=None, hub=None, region=None, today=desk.clock.now.date()),
    )
    bans = next(s for s in sections(report) if s.name == "bans")
    assert ((("hub-01",), ("<5",)) in bans.rows) and bans.rows[-1] == (("*",), ("<5",))

    await in_topic(desk, LUC, "/unban", topic)
    await desk.bot_says(MARIE.id, "reçoivent de nouveau vos messages")
    await desk.say(MARIE, "Merci")
    await desk.api.wait_for(lambda: "Merci" in desk.texts(MINI_HUB_CHAT, topic) or None)
    await in_topic(desk, LUC, "/unban", topic)
    await desk.bot_says(MINI_HUB_CHAT, "Cet entrepreneur n'est pas bloqué pour ce pôle.")


async def test_link_by_a_hub_admin_routes_the_hubs_requests_and_refuses_anyone_else(
    desk: Running, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = desk.api
    api.register_group(NEW_GROUP, "Pôle du Saguenay — conseillers")
    api.set_chat_member(NEW_GROUP, LUC.id, "administrator")
    api.set_chat_member(NEW_GROUP, SOPHIE.id, "administrator")
    await desk.say(SOPHIE, "/link hub-02", chat_id=NEW_GROUP)  # a group admin, not a hub admin
    await desk.bot_says(NEW_GROUP, "Seul un administrateur de ce groupe inscrit parmi les administrateurs")
    await desk.say(LUC, "/link hub-99", chat_id=NEW_GROUP)
    await desk.bot_says(NEW_GROUP, "Il n'y a pas de pôle hub-99")
    await desk.say(LUC, "/link", chat_id=NEW_GROUP)
    await desk.bot_says(NEW_GROUP, "Quel pôle ?")
    api.set_chat_member(NEW_GROUP, LUC.id, "member")
    await desk.say(LUC, "/link hub-02", chat_id=NEW_GROUP)  # a hub admin, no longer a group admin
    await desk.api.wait_for(
        lambda: len([t for t in desk.texts(NEW_GROUP) if "Seul un administrateur" in t]) == 2 or None
    )
    assert await desk.core.store.hub_links() == []  # nothing changed

    api.set_chat_member(NEW_GROUP, LUC.id, "creator")
    await desk.say(LUC, "/link hub-02", chat_id=NEW_GROUP)
    await desk.bot_says(NEW_GROUP, "Ce groupe est désormais le groupe des conseillers du Pôle du Saguenay")
    await desk.bot_says(ADMIN_CHAT, f"Le groupe {NEW_GROUP} a été relié au Pôle du Saguenay")
    (link,) = await desk.core.store.hub_links()
    assert (link.hub_id, link.chat_id, link.linked_by) == ("hub-02", NEW_GROUP, LUC.id)

    await desk.say(MARIE, "/start hub-02")  # hub-02 has no advisor_chat_id in hubs.yaml: the link routes it
    for data in ("st:startup", "sc:tech", "nd:*", "adv", "ok:yes"):
        await desk.press(MARIE, data)
    await desk.bot_says(MARIE.id, "En un message")
    await desk.say(MARIE, "Bonjour Saguenay")
    await desk.bot_says(NEW_GROUP, "Demande no 1 pour le Pôle du Saguenay")

    monkeypatch.setenv("DATABASE_URL", database_url)
    (line,) = await asyncio.to_thread(_overrides, desk.core.dialogue.catalog)
    assert line.startswith(f"override: hub-02 uses group {NEW_GROUP}, linked with /link by user {LUC.id}")

    # Linked again elsewhere while request no 1 is open in this group: its thread stays here, and it is said.
    third = NEW_GROUP - 1
    api.register_group(third, "Pôle du Saguenay — nouvelle équipe")
    api.set_chat_member(third, LUC.id, "creator")
    await desk.say(LUC, "/link hub-02", chat_id=third)
    linked = await desk.bot_says(
        third, "Ce groupe est désormais le groupe des conseillers du Pôle du Saguenay"
    )
    assert (
        "des demandes ouvertes du Pôle du Saguenay restent dans son groupe précédent (#1)" in linked["text"]
    )


# -- in Arabic: the Algerian sample network -------------------------------------------------------------


@pytest.fixture
async def algeria(tmp_path: Path, database_url: str) -> AsyncIterator[Running]:
    folder = tmp_path / "algerie"
    shutil.copytree(ROOT / "catalog" / "algerie", folder)
    hubs = (folder / "hubs.yaml").read_text(encoding="utf-8")
    oran = '    city: Oran\n    contact: {url: "https://www.anpt.dz"}\n'
    assert oran in hubs
    hubs = hubs.replace(
        oran,
        oran
        + f"    advisor_chat_id: {ORAN_CHAT}\n"
        + "    canned_replies:\n"
        + "      bienvenue:\n"
        + '        fr: "Bienvenue au technoparc d\'Oran : un conseiller étudie votre demande."\n'
        + '        ar: "مرحبًا بك في الحظيرة التكنولوجية لوهران: مستشار يدرس طلبك."\n',
    )
    (folder / "hubs.yaml").write_text(hubs, encoding="utf-8")
    groups = {ORAN_CHAT: ("Technoparc d'Oran — conseillers", "forum")}
    async with running_bot(tmp_path, folder, groups=groups, database_url=database_url) as bot:
        yield bot


async def test_in_arabic_a_canned_reply_and_a_ban_reach_the_entrepreneur_in_arabic(algeria: Running) -> None:
    bot = algeria
    await bot.say(AMINE, "/start anpt-oran")
    await bot.press(AMINE, "st:startup")
    await bot.press(AMINE, "sc:tech")
    await bot.press(AMINE, "rg:DZ-31")
    await bot.press(AMINE, "nd:*")
    await bot.press(AMINE, "adv")
    await bot.press(AMINE, "ok:yes")
    await bot.say(AMINE, "كيف أجد تمويلًا لمشروعي؟")
    await bot.bot_says(ORAN_CHAT, "Demande no 1")
    (topic,) = bot.api.topics(ORAN_CHAT)
    await bot.say(LUC, "/r bienvenue", chat_id=ORAN_CHAT, message_thread_id=topic)
    await bot.bot_says(AMINE.id, "مرحبًا بك في الحظيرة التكنولوجية لوهران")
    await bot.say(LUC, "/ban", chat_id=ORAN_CHAT, message_thread_id=topic)
    await bot.bot_says(AMINE.id, "لم يعد مستشارو")
    await bot.say(AMINE, "لماذا؟")
    await bot.say(LUC, "/queue", chat_id=ORAN_CHAT)
    await bot.bot_says(ORAN_CHAT, "Demandes ouvertes")
    assert "لماذا؟" not in bot.texts(ORAN_CHAT, topic)
