"""The engine and the unit of work: the SQLite pragmas and private file permissions, the Alembic upgrade at
start-up, which database errors are transient (and how to name them without their values), `cancel_and_wait`
for shutdowns, and `StoreBase`, which holds the engine and hands every repository its session: the ambient
unit of work of this asyncio task (a context variable) or a transaction of its own.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.storage.leadership import MIGRATION_LOCK

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


async def cancel_and_wait(task: asyncio.Task[Any]) -> None:
    """Cancel `task` and wait until it has ended (at shutdown); raise what it raised, if not cancelled. The
    caller stays cancellable meanwhile: with `suppress(CancelledError)` around `await task`, a shutdown step
    cancelled for taking too long went on waiting, its own cancellation absorbed."""
    task.cancel()
    await asyncio.wait({task})
    if not task.cancelled():
        task.result()


class SqliteConnection(sqlite3.Connection):
    """A SQLite connection that ends its transaction before it closes. Closed while a cursor still holds a
    statement (a task cancelled in the middle of a query, at shutdown: SQLAlchemy then closes the connection,
    and the cancellation's traceback keeps the cursor), SQLite would keep it as a "zombie", its transaction and
    the database's write lock included, until that cursor is garbage-collected: every other writer would wait
    for `busy_timeout`, then fail ("database is locked")."""

    def close(self) -> None:
        if self.in_transaction:
            with suppress(sqlite3.Error):  # a rollback aborts the statements still in progress
                self.rollback()
        super().close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers and the writer work together; foreign keys make deletions cascade. Transactions are
    begun by `_begin_immediate`, not by the driver."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    # Deleted rows are overwritten with zeros, in the database and in the pages the WAL holds: after /forget
    # no free page keeps a name or a question (`Store.checkpoint` then empties the WAL file itself).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _private_sqlite_file(path: Path) -> None:
    """The database holds what people wrote: its folder (when we create it) is 0700 and its files 0600. SQLite
    gives the -wal, -shm and -journal files the database file's own mode; an older database made readable by
    every local user is made private too."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
        path.parent.chmod(0o700)  # whatever the umask
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for suffix in ("", "-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists() and companion.stat().st_mode & 0o077:
            companion.chmod(0o600)


def _begin_immediate(connection: Connection) -> None:
    """Take SQLite's write lock when a transaction begins. A deferred transaction that read, then wants to
    write after another connection committed, fails at once ("database is locked") instead of waiting: the
    update being handled would be lost to a race between the inbox and the outbox. Waiting is safe."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57")  # connection, rollback (serialization, deadlock),
# insufficient resources, operator intervention (server shutting down or starting)


def is_transient(error: BaseException | None) -> bool:
    """A database failure that waiting may cure: SQLite locked or busy, a connection lost, a serialization
    failure or deadlock, a server restarting, no pooled connection free. Not a bug, not bad data."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError | ConnectionError):
            return True
        if isinstance(error, sa_exc.DBAPIError):
            sqlstate = getattr(error.orig, "sqlstate", None)
            if isinstance(sqlstate, str) and sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES:
                return True
            message = str(error.orig).lower()
            if isinstance(error, sa_exc.OperationalError) and ("locked" in message or "busy" in message):
                return True
            if "connection" in message and ("closed" in message or "lost" in message):
                return True
        error = error.__cause__ or error.__context__
    return False


def describe(error: BaseException) -> str:
    """An error's kind for logs and the inbox: type names and SQLSTATE only, never the message (a database
    error's message quotes the statement's values, which may be what a person wrote)."""
    orig = getattr(error, "orig", None)
    if orig is None:
        return type(error).__name__
    sqlstate = getattr(orig, "sqlstate", None)
    return f"{type(error).__name__}({type(orig).__name__}{f' {sqlstate}' if sqlstate else ''})"


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":  # two processes starting together migrate one after the other
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


_CURRENT: ContextVar[tuple[asyncio.Task[Any] | None, AsyncSession] | None] = ContextVar(
    "aiguilleur_unit_of_work", default=None
)


def _current_session() -> AsyncSession | None:
    """The unit of work of this very task. A task started inside one inherits the context variable (asyncio
    copies the context), but must not use that session: asyncpg refuses, or hangs, when two tasks share a
    connection. So the session is tagged with the task that opened it."""
    current = _CURRENT.get()
    if current is None or current[0] is not asyncio.current_task():
        return None
    return current[1]


class StoreBase:
    """The engine and the sessions every repository shares (each repository is a mixin of `Store`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
        self._background: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[None]:
        """Every storage call inside shares one transaction: all of it is committed, or none of it.

        The transaction is per asyncio task (a context variable), so a job running beside an update never
        writes into that update's transaction.
        """
        if _current_session() is not None:
            yield  # already inside one: join it
            return
        async with self._sessions() as session, session.begin():
            token = _CURRENT.set((asyncio.current_task(), session))
            try:
                yield
            finally:
                _CURRENT.reset(token)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        current = _current_session()
        if current is not None:
            yield current
            return
        async with self._sessions() as session, session.begin():
            yield session
