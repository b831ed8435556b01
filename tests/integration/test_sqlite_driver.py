"""The SQLite driver of `Store.open` (bot/storage/sqlite_driver.py): one trip to aiosqlite's thread per
statement, and SQLAlchemy's behaviour otherwise (rows, row counts, errors, rollbacks)."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.core.text import Span
from bot.core.types import Conversation, Reply
from bot.storage import Store, cancel_and_wait, sqlite_driver
from tests.support.databases import sqlite_url


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(sqlite_url(tmp_path / "bot.db"))
    yield store
    await store.close()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The functions sent to the connections' threads, by name."""
    sent: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent_fn = args[1] if fn is sqlite_driver._counted else fn  # the statement's function, not its counter
        sent.append(getattr(sent_fn, "__name__", repr(sent_fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return sent


async def another_writer_is_locked_out(database: Path) -> bool:
    """Whether another connection is refused SQLite's write lock now (without waiting for it)."""
    other = await aiosqlite.connect(database, isolation_level=None)
    try:
        await other.execute("PRAGMA busy_timeout=0")
        try:
            await other.execute("BEGIN IMMEDIATE")
        except aiosqlite.OperationalError as error:
            return "locked" in str(error)
        await other.execute("ROLLBACK")
        return False
    finally:
        await other.close()


async def test_an_aiosqlite_url_gets_the_one_trip_driver(store: Store) -> None:
    assert store.engine.url.drivername == f"sqlite+{sqlite_driver.DRIVER}"
    assert isinstance(store.engine.dialect, sqlite_driver.OneTripDialect)


async def test_a_statement_is_one_trip_and_gives_its_rows(store: Store, trips: list[str]) -> None:
    async with store.engine.connect() as connection:
        trips.clear()
        rows = (await connection.execute(text("SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'"))).all()
    assert [tuple(row) for row in rows] == [(1, "x"), (2, "y")]
    # BEGIN IMMEDIATE and the statement (cursor, rows and all) in one trip; the pool's reset (a rollback: the
    # transaction was left open)
    assert trips == ["_after_begin", "rollback"], trips


async def test_a_streamed_first_statement_is_inside_its_transaction(store: Store, tmp_path: Path) -> None:
    """A server-side cursor (`stream`) is SQLAlchemy's own: the pending BEGIN IMMEDIATE is sent before it,
    so even a read streamed first holds the write lock until the transaction ends."""
    async with store.engine.begin() as connection:
        rows = await (await connection.stream(text("SELECT 1"))).all()
        assert [tuple(row) for row in rows] == [(1,)]
        assert await another_writer_is_locked_out(tmp_path / "bot.db")
    assert not await another_writer_is_locked_out(tmp_path / "bot.db")


async def test_a_transaction_without_statements_begins_nothing(store: Store, trips: list[str]) -> None:
    trips.clear()
    async with store.unit_of_work():
        pass
    assert trips == [], (
        trips
    )  # no BEGIN, no COMMIT, and no rollback when the pool takes it back: nothing begun


async def test_a_transaction_holds_the_write_lock_from_its_first_statement(
    store: Store, tmp_path: Path
) -> None:
    """BEGIN IMMEDIATE, sent with the first statement, even a read: another writer cannot start meanwhile
    (it would wait for busy_timeout), and can once the transaction ended."""
    async with store.unit_of_work():
        assert await store.get_conversation(chat_id=1) is None  # a read begins the transaction
        assert await another_writer_is_locked_out(tmp_path / "bot.db")
    assert not await another_writer_is_locked_out(tmp_path / "bot.db")


async def test_an_updates_statements_are_one_trip_each(store: Store, trips: list[str]) -> None:
    async with store.unit_of_work():
        await store.save_conversation(Conversation(chat_id=7, lang="fr"))
    trips.clear()
    async with store.unit_of_work():
        conversation = await store.get_conversation(chat_id=7)
        assert conversation is not None
        await store.save_conversation(conversation)
        (item,) = await store.enqueue([Reply(chat_id=7, text=(Span("bonjour"),))])
    # BEGIN IMMEDIATE with the SELECT, the upsert, INSERT ... RETURNING; the commit; no rollback when the
    # pool takes the connection back (committed: nothing to undo)
    assert trips == ["_after_begin", "_execute", "_execute", "commit"], trips
    async with store.unit_of_work():
        assert await store.outbox_sent(item_id=item.id, token=item.token, message_id=3)
        assert not await store.outbox_sent(item_id=item.id, token=item.token, message_id=3)  # rowcount 0
    assert await store.pending_outbox() == []


async def test_a_statement_cancelled_while_it_waits_its_turn_is_still_rolled_back(
    store: Store, tmp_path: Path
) -> None:
    """The pool's rollback is skipped when no transaction is open. A statement whose task was cancelled while
    it waited its turn in the connection's thread still runs there, BEGIN IMMEDIATE and all, after the task
    has given up: whatever ends that connection (SQLAlchemy closes it; a rollback would be queued behind the
    statement, never skipped) must not leave the write lock taken."""
    waiting: list[asyncio.Future[Any]] = []

    async def write() -> None:
        async with store.engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            waiting.append(asyncio.ensure_future(raw._execute(time.sleep, 0.3)))  # its thread busy meanwhile
            await asyncio.sleep(0)  # queued first
            await connection.execute(text("SELECT 1"))  # queued behind it, with its BEGIN IMMEDIATE

    task = asyncio.create_task(write())
    await asyncio.sleep(0.1)
    await cancel_and_wait(task)
    await waiting[0]
    for _ in range(40):
        if not await another_writer_is_locked_out(tmp_path / "bot.db"):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("a connection back in the pool still holds the write lock")


async def test_errors_and_rollbacks_are_sqlalchemys(store: Store) -> None:
    async with store.unit_of_work():
        await store.save_conversation(Conversation(chat_id=8, lang="fr"))
    with pytest.raises(exc.IntegrityError):
        async with store.engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO conversation (chat_id, lang, updated_at) VALUES (8, 'fr', '')")
            )

    async def failing() -> None:
        async with store.unit_of_work():
            await store.save_conversation(Conversation(chat_id=9, lang="en"))
            raise RuntimeError("a handler failed")

    with pytest.raises(RuntimeError):
        await failing()
    assert await store.get_conversation(chat_id=9) is None  # rolled back
    conversation = await store.get_conversation(chat_id=8)
    assert conversation is not None and conversation.lang == "fr"


def test_a_connection_left_to_the_garbage_collector_after_its_loop_closed_ends_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task cancelled in the middle of a transaction can leave its connection to the garbage collector after
    the event loop closed (at shutdown, between two tests): SQLAlchemy then terminates it. Its thread used to
    die on "Event loop is closed", an unhandled error reported on whatever ran next; now the thread ends and
    the write lock the transaction held is released."""
    database = tmp_path / "bot.db"
    died: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: died.append(args.exc_value))
    engine = create_async_engine(f"sqlite+{sqlite_driver.DRIVER}:///{database}")

    async def leave_a_transaction_open() -> Any:
        connection = await engine.connect()
        await connection.begin()
        await connection.execute(text("CREATE TABLE t (x INTEGER)"))
        return connection

    loop = asyncio.new_event_loop()
    held = [loop.run_until_complete(leave_a_transaction_open())]
    assert loop.run_until_complete(another_writer_is_locked_out(database))
    loop.close()
    asyncio.set_event_loop(loop)  # closed, and still the current loop: as between two tests
    workers = [t for t in threading.enumerate() if "_connection_worker_thread" in t.name]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", exc.SAWarning)  # "non-checked-in connection ... terminated"
            held.clear()
            gc.collect()
        for worker in workers:
            worker.join(5)
    finally:
        asyncio.set_event_loop(None)
    assert died == []
    assert not any(worker.is_alive() for worker in workers)
    assert not asyncio.run(another_writer_is_locked_out(database))
