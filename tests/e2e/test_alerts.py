"""End to end: opportunity alerts through the real Application and the Bot API double (docs/alerts.md).
Subscribing with its consent, /alerts, a reload that adds or reopens an opportunity announced once to the
subscribers it fits, the reminder 7 days before a deadline, /forget, a subscriber who blocked the bot; in
French, English and Arabic.

The catalog is a copy of the tests' mini network that also speaks Arabic (its texts fall back to French).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.botapi import User
from tests.support.personas import ADMIN_CHAT, MARIE, MINI, MINI_HUB_CHAT, SAM
from tests.support.personas import CATALOG_ADMIN as ADMIN
from tests.support.running import Running, running_bot

pytestmark = pytest.mark.e2e

LEA = User(5252, "Léa", language_code="fr")
AMINE = User(6363, "Amine", language_code="ar")
NEW_CALL = """  - id: call-new
    verified_on: 2026-12-01
    title: {fr: Nouvel appel BSL, en: New BSL call, ar: نداء جديد}
    organization: MRC exemple
    summary: {fr: Un nouvel appel de projets., en: A new call for projects., ar: نداء مشاريع جديد.}
    regions: ["01"]
    needs: [financing]
    deadline: 2027-06-30
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    for path in folder.glob("*.yaml"):  # every text in Arabic too (the English one, for the tests)
        text = re.sub(r"en: ([^,}\n]+)}", r"en: \1, ar: \1}", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
    network = (folder / "network.yaml").read_text(encoding="utf-8")
    network = network.replace("languages: [fr, en]", "languages: [fr, en, ar]")
    network = network.replace("  en: Mini network\n", "  en: Mini network\n  ar: الشبكة المصغرة\n")
    network = network.replace("  en: en_CA\n", "  en: en_CA\n  ar: ar\n")
    network = network.replace("  en: anywhere in Québec\n", "  en: anywhere in Québec\n  ar: في كل مكان\n")
    (folder / "network.yaml").write_text(network, encoding="utf-8")
    return folder


@pytest.fixture
async def running(tmp_path: Path, catalog: Path, database_url: str) -> AsyncIterator[Running]:
    async with running_bot(
        tmp_path,
        catalog,
        database_url=database_url,
        groups={MINI_HUB_CHAT: "Pôle BSL", ADMIN_CHAT: "Admins du catalogue"},
        admin_chat_id=ADMIN_CHAT,
        admin_user_ids=[ADMIN.id],
    ) as bot:
        await bot.tick()  # the first comparison of the catalog's opportunities: it announces nothing
        yield bot


async def results(bot: Running, person: User, need: str = "financing") -> None:
    """`person` starts from hub-01's link (region 01) and asks for `need`: the results end with the alerts."""
    await bot.say(person, "/start hub-01")
    for data in ("st:startup", "sc:tech", f"nd:{need}", "nd:*"):
        await bot.press(person, data)
    await bot.api.wait_for(lambda: _has_button(bot, person, "al"), description="the results")


def _has_button(bot: Running, person: User, data: str) -> bool:
    last = bot.api.last_bot_message(person.id) or {}
    return any(
        b.get("callback_data") == data
        for row in last.get("reply_markup", {}).get("inline_keyboard", [])
        for b in row
    )


async def subscribe(bot: Running, person: User, need: str, done: str) -> None:
    await results(bot, person, need)
    await bot.press(person, "al")
    await bot.press(person, "ay:yes", expect=done)


async def count(bot: Running, table: str, chat_id: int) -> int:
    async with bot.core.store.engine.connect() as connection:
        result = await connection.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE chat_id = {chat_id}")  # noqa: S608
        return int(result.scalar_one())


async def reload(running: Running) -> None:
    """`/reload` from the catalog admin, until it is reported (the check runs in a worker process: slow to
    start on a loaded machine)."""
    done = sum("Catalogue rechargé" in text for text in running.texts(ADMIN.id))
    await running.say(ADMIN, "/reload")
    await running.api.wait_for(
        lambda: sum("Catalogue rechargé" in text for text in running.texts(ADMIN.id)) > done,
        timeout=30,
        description="the catalog reloaded",
    )


def edit(catalog: Path, name: str, old: str, new: str) -> None:
    path = catalog / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


async def test_subscribe_with_consent_then_alerts_shows_and_cancels(running: Running) -> None:
    await results(running, MARIE)
    await running.press(MARIE, "al", expect="Alertes sur les nouvelles occasions d'affaires")
    consent = running.api.last_bot_message(MARIE.id)["text"]
    assert "identifiant de votre conversation Telegram" in consent and "/alerts les arrête" in consent
    assert await count(running, "alert_subscription", MARIE.id) == 0
    await running.press(MARIE, "ay:yes", expect="je vous alerterai des nouvelles occasions pour")
    assert await count(running, "alert_subscription", MARIE.id) == 1
    await running.say(MARIE, "/alerts")
    shown = await running.bot_says(MARIE.id, "Vos alertes")
    assert "Démarrage · Technologies · Bas-Saint-Laurent · Financement" in shown["text"]
    await running.press(MARIE, "ax", expect="plus d'alertes sur les nouvelles occasions")
    assert await count(running, "alert_subscription", MARIE.id) == 0
    menu = {c["command"] for c in running.api.my_commands({"type": "all_private_chats"}, "ar")}
    assert "alerts" in menu


async def test_a_reload_announces_once_to_the_fitting_subscribers_in_their_language(
    running: Running, catalog: Path
) -> None:
    await subscribe(running, MARIE, "financing", "je vous alerterai")
    await subscribe(running, LEA, "mentoring", "je vous alerterai")  # the new call is no mentoring
    await subscribe(running, SAM, "financing", "I will alert you")
    await subscribe(running, AMINE, "financing", "سأنبهك")
    before = {p.id: len(running.texts(p.id)) for p in (MARIE, LEA, SAM, AMINE)}
    edit(catalog, "opportunities.yaml", "opportunities:\n", "opportunities:\n" + NEW_CALL)
    await reload(running)
    alert = await running.bot_says(MARIE.id, "Une nouvelle occasion convient à votre projet")
    assert "Nouvel appel BSL — MRC exemple" in alert["text"] and "Date limite : 30 juin 2027" in alert["text"]
    assert "Pourquoi : Financement" in alert["text"]
    assert (await running.bot_says(SAM.id, "A new opportunity fits your project"))["text"].count(
        "New BSL call"
    ) == 1
    arabic = await running.bot_says(AMINE.id, "فرصة جديدة تناسب مشروعك")
    assert "آخر أجل" in arabic["text"]
    await running.tick()  # a later tick finds nothing new
    await reload(running)  # nor does a reload of the same catalog
    await running.tick()
    after = {p.id: len(running.texts(p.id)) for p in (MARIE, LEA, SAM, AMINE)}
    assert after == {
        MARIE.id: before[MARIE.id] + 1,
        LEA.id: before[LEA.id],
        SAM.id: before[SAM.id] + 1,
        AMINE.id: before[AMINE.id] + 1,
    }
    # A closed call reopened (its deadline moved into the future): announced too, to Léa neither.
    edit(catalog, "opportunities.yaml", "deadline: 2026-01-15", "deadline: 2027-05-01")
    await reload(running)
    await running.bot_says(MARIE.id, "Appel terminé")
    await running.tick()
    assert len(running.texts(LEA.id)) == before[LEA.id]


async def test_the_reminder_comes_7_days_before_the_deadline_once(running: Running) -> None:
    await results(running, AMINE)
    await running.press(AMINE, "rm:call-01", expect="سأذكّرك")
    await running.say(AMINE, "/alerts")
    await running.bot_says(AMINE.id, "تذكير يوم")
    running.clock.now = dt.datetime(2027, 3, 8, 14, 1, tzinfo=dt.UTC)  # 9:01 in Toronto, 7 days before
    await running.tick()
    await running.bot_says(AMINE.id, "بقيت 7 أيام للتقديم")
    await running.tick()
    reminders = [t for t in running.texts(AMINE.id) if "للتقديم" in t]
    assert len(reminders) == 1


async def test_forget_deletes_the_subscription_and_the_reminders(running: Running) -> None:
    await subscribe(running, MARIE, "financing", "je vous alerterai")
    await running.press(MARIE, "rm:call-01", expect="Je vous rappellerai")
    assert await count(running, "deadline_reminder", MARIE.id) == 1
    await running.say(MARIE, "/forget")
    await running.press(MARIE, "fg:yes", expect="j'ai effacé tout ce que je gardais")
    assert await count(running, "alert_subscription", MARIE.id) == 0
    assert await count(running, "deadline_reminder", MARIE.id) == 0


async def subscription_gone(running: Running, chat_id: int) -> None:
    for _ in range(100):
        if not await count(running, "alert_subscription", chat_id):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"chat {chat_id} is still subscribed")


async def test_a_subscriber_who_blocked_the_bot_is_dropped_when_telegram_says_so(running: Running) -> None:
    await subscribe(running, SAM, "financing", "I will alert you")
    running.api.user_blocks_bot(SAM)  # Telegram's "kicked" update
    await subscription_gone(running, SAM.id)


async def test_a_subscriber_the_announcement_cannot_reach_is_dropped(running: Running, catalog: Path) -> None:
    await subscribe(running, MARIE, "financing", "je vous alerterai")
    await subscribe(running, SAM, "financing", "I will alert you")
    running.api._blocked.add(SAM.id)  # blocked, and the "kicked" update lost: the send itself answers 403
    edit(catalog, "opportunities.yaml", "opportunities:\n", "opportunities:\n" + NEW_CALL)
    await reload(running)
    await running.bot_says(MARIE.id, "Nouvel appel BSL")
    await subscription_gone(running, SAM.id)
    assert await count(running, "alert_subscription", MARIE.id) == 1
