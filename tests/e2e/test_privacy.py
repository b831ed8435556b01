"""End to end: what the bot keeps and writes about people. Logs at DEBUG hold no token, name or text;
`/forget` leaves no trace of the person in the database files, the outbox or the hub's group."""

from __future__ import annotations

import asyncio
import logging
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bootstrap import configure_logging
from bot.storage import Store
from tests.support.botapi import TOKEN, User
from tests.support.personas import MINI, MINI_HUB_CHAT
from tests.support.running import Running, running_bot

pytestmark = pytest.mark.e2e

# Not tests/support/personas.py's Marie and Luc: names that appear nowhere else, so any trace of them is theirs.
MARIE = User(4242, "Marielle", language_code="fr", username="marielle_qc")
LUC = User(777, "Lucien", language_code="fr")
QUESTION = "Quelle subvention pour ma fromagerie Zébulon ?"
ANSWER = "Bonjour, regardez le programme Argousier."


@pytest.fixture
async def forum(tmp_path: Path) -> AsyncIterator[Running]:
    async with running_bot(
        tmp_path, MINI, groups={MINI_HUB_CHAT: ("Pôle BSL — conseillers", "forum")}
    ) as bot:
        yield bot


async def test_debug_logs_hold_no_token_name_or_text(
    forum: Running, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG")
    with caplog.at_level(logging.DEBUG):
        card = await forum.open_handoff(MARIE, MINI_HUB_CHAT, QUESTION)
        await forum.say(MARIE, "Mon fromage Zébulon est bleu.")
        topic = card["message_thread_id"]
        await forum.say(LUC, ANSWER, chat_id=MINI_HUB_CHAT, message_thread_id=topic)
        await forum.bot_says(MARIE.id, ANSWER)
    log = caplog.text
    assert len(caplog.records) > 100  # DEBUG really was on, for the libraries too
    assert any(r.name.startswith("telegram") for r in caplog.records)
    for secret in (TOKEN, TOKEN.split(":")[1], "Marielle", "marielle_qc", "Lucien", "Zébulon", "Argousier"):
        assert secret not in log, secret


def traces(folder: Path, *needles: str) -> dict[str, list[str]]:
    """Which database files (the database, its -wal and -shm) hold which of these texts, as UTF-8 bytes."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.glob("bot.db*")):
        data = path.read_bytes()
        hits = [needle for needle in needles if needle.encode() in data]
        if hits:
            found[path.name] = hits
    return found


async def outbox_rows(running: Running) -> list[tuple[int, str]]:
    async with running.core.store.engine.connect() as connection:
        result = await connection.exec_driver_sql("SELECT lane, payload FROM outbox")
        return [(int(lane), payload) for lane, payload in result.all()]


async def test_forget_leaves_no_trace_in_the_database_files_the_outbox_or_the_hub(tmp_path: Path) -> None:
    needles = ("Marielle", "marielle_qc", "Zébulon", "Mon fromage bleu")
    async with running_bot(
        tmp_path, MINI, groups={MINI_HUB_CHAT: ("Pôle BSL — conseillers", "forum")}
    ) as bot:
        card = await bot.open_handoff(MARIE, MINI_HUB_CHAT, QUESTION)
        topic = card["message_thread_id"]
        await bot.say(MARIE, "Mon fromage bleu coule.")
        answer = await bot.say(LUC, ANSWER, chat_id=MINI_HUB_CHAT, message_thread_id=topic)
        await bot.bot_says(MARIE.id, ANSWER)
        assert traces(tmp_path, *needles)  # the test can see them before
        await bot.bot_says(MINI_HUB_CHAT, "Mon fromage bleu")
        copies = [
            m["message_id"]
            for m in bot.api.bot_messages(MINI_HUB_CHAT)
            if "Mon fromage bleu" in m.get("text", "")
        ]
        await bot.say(MARIE, "/forget")
        await bot.press(MARIE, "fg:yes", expect="C'est fait")

        edited = await bot.api.wait_for(
            lambda: (m := bot.api.message(MINI_HUB_CHAT, card["message_id"])) and "effacé" in m["text"] and m
        )
        assert "Marielle" not in edited["text"] and "Zébulon" not in edited["text"]
        assert "Demande no 1" in edited["text"]
        await bot.bot_says(MINI_HUB_CHAT, "veuillez supprimer celles qui restent")
        renamed = await bot.api.wait_for(
            lambda: "Marielle" not in bot.api.topics(MINI_HUB_CHAT)[topic]["name"] or None,
            description="the topic renamed without her name",
        )
        assert renamed and bot.api.topics(MINI_HUB_CHAT)[topic]["name"] == "Demande no 1 (données effacées)"
        await bot.api.wait_for(
            lambda: set(copies) <= set(bot.api.deleted_message_ids(MINI_HUB_CHAT)) or None,
            description="the copies of her messages deleted from the hub group",
        )
        assert copies and not any(
            "Mon fromage bleu" in m.get("text", "") for m in bot.api.bot_messages(MINI_HUB_CHAT)
        )
        assert answer["message_id"] not in bot.api.deleted_message_ids(
            MINI_HUB_CHAT
        )  # Lucien's, his to delete

        def scrubbed() -> bool | None:
            return not traces(tmp_path, *needles) or None

        async def no_row_of_hers() -> bool:
            rows = await outbox_rows(bot)
            return not any(lane == MARIE.id or str(MARIE.id) in payload for lane, payload in rows)

        for _ in range(100):
            if await no_row_of_hers() and scrubbed():
                break
            await asyncio.sleep(0.1)
        assert await no_row_of_hers()
        assert traces(tmp_path, *needles) == {}
    assert traces(tmp_path, *needles) == {}  # after the bot stopped
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")  # and after a restart
    await store.close()
    assert traces(tmp_path, *needles) == {}


async def test_a_copy_on_its_way_when_she_forgets_is_deleted_from_the_hub_once_it_arrives(
    forum: Running,
) -> None:
    """/forget can come while a copy of her message is on its way to the hub: Telegram has it, the bot has not
    heard back yet. It is deleted from the hub's group as soon as the bot hears back, like the others."""
    card = await forum.open_handoff(MARIE, MINI_HUB_CHAT, QUESTION)
    forum.api.time_out_randomly(["copyMessage"], rate=1.0, seconds=1.0)  # the copy made, its answer 1 s late
    await forum.say(MARIE, "Mon fromage bleu coule.")
    copy = await forum.bot_says(MINI_HUB_CHAT, "Mon fromage bleu")
    await forum.say(MARIE, "/forget")
    await forum.press(MARIE, "fg:yes", expect="C'est fait")
    await forum.api.wait_for(
        lambda: (m := forum.api.message(MINI_HUB_CHAT, card["message_id"])) and "effacé" in m["text"],
        description="her card rewritten",
    )
    await forum.api.wait_for(
        lambda: copy["message_id"] in forum.api.deleted_message_ids(MINI_HUB_CHAT),
        timeout=10,
        description="the late copy deleted from the hub group",
    )
    assert not any("Mon fromage bleu" in m.get("text", "") for m in forum.api.bot_messages(MINI_HUB_CHAT))


async def test_database_folder_and_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    url = f"sqlite+aiosqlite:///{folder / 'bot.db'}"
    async with running_bot(tmp_path, MINI, database_url=url) as bot:
        await bot.say(MARIE, "/start hub-01")
        await bot.bot_says(MARIE.id, "À quelle étape")
        modes = {
            p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir() if p.name.startswith("bot.db")
        }
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert {"bot.db", "bot.db-wal", "bot.db-shm"} <= set(modes)
        assert set(modes.values()) == {0o600}, modes


async def test_forget_deletes_her_opportunity_alerts_and_reminders(tmp_path: Path) -> None:
    tables = ("alert_subscription", "deadline_reminder", "alert_sent")

    async def rows_of_hers(bot: Running) -> int:
        total = 0
        async with bot.core.store.engine.connect() as connection:
            for table in tables:
                query = f"SELECT count(*) FROM {table} WHERE chat_id = {MARIE.id}"  # noqa: S608
                total += int((await connection.exec_driver_sql(query)).scalar_one())
        return total

    async with running_bot(tmp_path, MINI) as bot:
        await bot.say(MARIE, "/start hub-01")
        for data in ("st:startup", "sc:tech", "nd:financing", "nd:*", "al"):
            await bot.press(MARIE, data)
        await bot.press(MARIE, "ay:yes", expect="je vous alerterai")
        await bot.press(MARIE, "rm:call-01", expect="Je vous rappellerai")
        assert await rows_of_hers(bot) == 2
        await bot.say(MARIE, "/forget")
        await bot.press(MARIE, "fg:yes", expect="C'est fait")
        assert await rows_of_hers(bot) == 0
