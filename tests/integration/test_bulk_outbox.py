"""Mass sendings through the durable outbox (issue 14, item 1): an announcement to many chats goes out
exactly once per chat, paced apart from the lanes, and a live reply written in the middle of it is sent
before the rest of the announcement."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.core.text import plain
from bot.core.types import Outcome, Reply
from bot.telegram.pipeline import publish
from bot.telegram.services import services_of
from tests.conftest import MINI
from tests.support.botapi import User
from tests.support.running import running_bot

pytestmark = pytest.mark.e2e

SUBSCRIBERS = [User(50_000 + n, f"Abonné{n}", language_code="fr") for n in range(40)]


def announcement() -> Outcome:
    return Outcome(tuple(Reply(u.id, (plain(f"Nouvel appel {u.id}"),)) for u in SUBSCRIBERS))


@pytest.mark.slow  # paced by design: 40 chats at 10 messages/s
async def test_an_announcement_reaches_every_chat_once_and_a_live_reply_overtakes_it(tmp_path: Path) -> None:
    async with running_bot(tmp_path, MINI, bulk_messages_per_second=10) as bot:
        for user in SUBSCRIBERS:  # they have talked to the bot before: their private chats exist
            bot.api.user_says(user, "bonjour")
        await bot.api.wait_for(
            lambda: all(bot.api.bot_messages(u.id) for u in SUBSCRIBERS), description="every greeting"
        )
        await publish(bot.app, announcement(), bulk=True)
        outbox = services_of(bot.app.bot_data).outbox
        await bot.api.wait_for(lambda: outbox.bulk.sent >= 3, description="the announcement under way")
        live = User(60_000, "Marie", language_code="fr")
        bot.api.user_says(live, "bonjour")
        await bot.api.wait_for(lambda: bot.api.bot_messages(live.id), description="the live reply")

        def alerted() -> list[int]:
            return [
                u.id
                for u in SUBSCRIBERS
                for m in bot.api.bot_messages(u.id)
                if m.get("text") == f"Nouvel appel {u.id}"
            ]

        await bot.api.wait_for(lambda: len(alerted()) == len(SUBSCRIBERS), timeout=30, description="all")
        assert sorted(alerted()) == [u.id for u in SUBSCRIBERS]  # each chat once, none twice
        sends = bot.api.calls_to("sendMessage")
        live_at = next(i for i, c in enumerate(sends) if c.params.get("chat_id") == live.id)
        bulk_after = [c for c in sends[live_at:] if str(c.params.get("text", "")).startswith("Nouvel appel")]
        assert len(bulk_after) > len(SUBSCRIBERS) // 2  # the live reply did not wait for the announcement
        for _ in range(100):  # the last row is marked sent just after Telegram's answer
            if not await bot.core.store.pending_outbox():
                break
            await asyncio.sleep(0.05)
        assert await bot.core.store.pending_outbox() == []
