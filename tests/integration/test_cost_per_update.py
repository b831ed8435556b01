"""What one update costs the database (issue 12, item 8): an update received while the processor is in step is
stored by the very transaction that handles it, and plain replies' "sent" marks are written together, never
after a read of the outbox that would take them for pending rows."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.core.text import Span
from bot.core.types import Reply
from bot.storage import Store
from bot.telegram.marks import SentMarks
from tests.conftest import MINI
from tests.support.botapi import User
from tests.support.running import Running, running_bot

pytestmark = pytest.mark.e2e

GREETING = "À quelle étape en est votre projet ?"


class Commits:
    """Transactions committed on a Store's engine, counted."""

    def __init__(self, store: Store) -> None:
        self.count = 0
        self._engine = store.engine.sync_engine
        event.listen(self._engine, "commit", self._commit)

    def _commit(self, _connection: Any) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self._engine, "commit", self._commit)


async def in_step(bot: Running) -> None:
    await bot.api.wait_for(lambda: bot.pipeline._in_step or None, description="the processor in step")


async def inbox(bot: Running) -> list[tuple[Any, ...]]:
    async with bot.core.store.engine.connect() as connection:
        result = await connection.execute(text("SELECT update_id, status, payload FROM inbox ORDER BY id"))
        return [tuple(row) for row in result]


async def test_a_message_in_step_is_stored_and_handled_in_one_transaction(tmp_path: Path) -> None:
    first, second = User(9401, "Anne", language_code="fr"), User(9402, "Bob", language_code="fr")
    async with running_bot(tmp_path, MINI) as bot:
        bot.api.user_says(first, "/start")
        await bot.bot_says(first.id, GREETING)
        await in_step(bot)
        await bot.core.store.checkpoint()  # nothing else queued: what follows is the update's own work
        await asyncio.sleep(0.5)  # the first reply's mark is written
        commits = Commits(bot.core.store)
        try:
            bot.api.user_says(second, "/start")
            await bot.bot_says(second.id, GREETING)
            handled = commits.count
            await bot.api.wait_for(
                lambda: commits.count > handled or None, description="the reply's sent mark"
            )
        finally:
            commits.close()
        assert handled == 1  # stored, handled and its reply queued: one commit before the reply
        assert await bot.core.store.pending_outbox() == []
        assert await bot.core.store.inbox_pending() == []
        assert [(status, payload) for _id, status, payload in await inbox(bot)] == [("handled", "")] * 2


async def test_a_failed_handling_in_step_is_stored_then_retried_once_and_answered_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The update's transaction rolls back with its inbox row: it is stored as pending, with what was received
    after it, and handled from the inbox, in order."""
    from bot.telegram import entrepreneur

    flaky, after = User(9411, "Flaky", language_code="fr"), User(9412, "After", language_code="fr")
    warm = User(9413, "Warm", language_code="fr")
    real = entrepreneur.respond
    failures: list[int] = []

    async def fails_once(context: Any, outcome: Any, query: Any = None) -> None:
        if outcome.replies and outcome.replies[0].chat_id == flaky.id and not failures:
            failures.append(1)
            raise ValueError("once")
        await real(context, outcome, query)

    monkeypatch.setattr(entrepreneur, "respond", fails_once)
    async with running_bot(tmp_path, MINI) as bot:
        bot.api.user_says(warm, "/start")
        await bot.bot_says(warm.id, GREETING)
        await in_step(bot)
        bot.api.user_says(flaky, "/start")
        bot.api.user_says(after, "/start")
        await bot.bot_says(after.id, GREETING)
        await bot.bot_says(flaky.id, GREETING)
        sends = [c.params.get("chat_id") for c in bot.api.calls_to("sendMessage")]
        assert sends.index(flaky.id) < sends.index(after.id)  # never overtaken
        assert failures == [1]
        assert sum(GREETING in t for t in bot.texts(flaky.id)) == 1
        assert await bot.core.store.inbox_pending() == []
        assert await bot.core.store.inbox_set_aside() == []


def replies(count: int) -> list[Reply]:
    return [Reply(chat_id=70 + n, text=(Span(f"bonjour {n}"),)) for n in range(count)]


async def test_sent_marks_are_written_together_and_before_any_read(store: Store) -> None:
    async with store.unit_of_work():
        items = await store.enqueue(replies(3))
    marks = SentMarks(store, delay=30.0)  # written by `flush` here, not by the timer
    commits = Commits(store)
    try:
        for n, item in enumerate(items):
            marks.add(item.id, item.token, 500 + n)
        assert len(await store.pending_outbox()) == 3  # held in memory: the outbox flushes before it reads
        before = commits.count
        await marks.flush()
        assert commits.count == before + 1 and len(marks) == 0
        await marks.flush()  # nothing held: no transaction
        assert commits.count == before + 1
        assert await store.pending_outbox() == []
    finally:
        commits.close()
        await marks.stop()


async def test_sent_marks_are_written_on_their_own_soon_and_at_stop(store: Store) -> None:
    async with store.unit_of_work():
        items = await store.enqueue(replies(2))
    marks = SentMarks(store, delay=0.05)
    marks.add(items[0].id, items[0].token, 1)
    for _ in range(100):
        if len(marks) == 0:
            break
        await asyncio.sleep(0.02)
    assert [item.id for item in await store.pending_outbox()] == [items[1].id]
    stopping = SentMarks(store, delay=30.0)
    stopping.add(items[1].id, items[1].token, 2)
    await stopping.stop()
    assert await store.pending_outbox() == []
    await marks.stop()
