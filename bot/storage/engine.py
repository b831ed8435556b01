"""The engine and the unit of work: the SQLite pragmas and private file permissions, the Alembic upgrade at
start-up, which database errors are transient (and how to name them without their values), `cancel_and_wait`
for shutdowns, `UnitOfWork` (one transaction and the actions that wait for its commit) and `StoreBase`, which
holds the engine and hands every repository its session: the unit of work this asyncio task opened, or a
transaction of its own.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from inspect import isawaitable
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.storage.leadership import MIGRATION_LOCK

log = logging.getLogger(__name__)
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


# The newest migration's revision: a brand-new database is created at it directly. A unit test checks that it
# is the head of Alembic's script directory (tests/integration/test_schema_head.py).
HEAD_REVISION = "0011"


def _current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def _upgrade(connection: Connection) -> None:
    """Bring the schema to the newest migration. A database already there (every start but the first after
    an upgrade) is left alone, and a brand-new one is created from the models and stamped at the head
    (Alembic's cookbook, "building an up-to-date database from scratch"): neither loads Alembic, which costs
    the running bot about 7 MB. An existing database at an older revision is migrated by Alembic."""
    if _current_revision(connection) == HEAD_REVISION:
        return
    if connection.dialect.name == "postgresql":  # two processes starting together migrate one after the other
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    revision = _current_revision(connection)  # again, under the lock (SQLite: BEGIN IMMEDIATE holds it)
    if revision == HEAD_REVISION:
        return
    if revision is None and not inspect(connection).get_table_names():
        create_schema(connection)
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def create_schema(connection: Connection) -> None:
    """An empty database made what the migrations up to `HEAD_REVISION` would make of it: the tables from the
    models (which the migrations follow; tests/integration/test_schema_created.py compares the two on SQLite
    and PostgreSQL), and Alembic's version table saying so."""
    from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table

    from bot.storage import reports  # noqa: F401  (registers the report's tables in `metadata`)
    from bot.storage.tables import metadata

    metadata.create_all(connection)
    version = Table(  # as Alembic creates it
        "alembic_version",
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    version.create(connection)
    connection.execute(version.insert().values(version_num=HEAD_REVISION))


def upsert_dialect(name: str) -> Any:
    """The SQL dialect module with `insert(...).on_conflict_do_...` (sqlite or postgresql), imported only for
    the database in use: PostgreSQL's dialect costs a SQLite bot 2.4 MB."""
    return importlib.import_module(f"sqlalchemy.dialects.{'sqlite' if name == 'sqlite' else 'postgresql'}")


class UnitOfWork:
    """One transaction, and what must wait for its end. Everything stored inside commits together or not at
    all; `after_commit` actions (handing the queued replies to the outbox, answering a button) run once it
    has committed, never after a rollback; `fail` asks the opener to roll it back (a handler failed).

    The opener owns it: `Store.unit_of_work()` opens one (or joins the one this task already has) and runs
    the `after_commit` actions when it ends; the pipeline opens one per update and hands it to the update's
    handlers (docs/architecture.md, "One update's path")."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self._session: AsyncSession | None = None
        self._after_commit: list[Callable[[], object]] = []
        self.failures: list[BaseException | None] = []
        self.over: list[Callable[[], Awaitable[None]]] = []

    @property
    def session(self) -> AsyncSession:
        """An ORM session in this unit's transaction, made on first use: most updates need none (their
        statements are Core ones, run on `connection`), and making one costs more than their statements. It
        joins the transaction without owning it (SQLAlchemy's "join an external transaction"): the unit
        flushes it before committing."""
        if self._session is None:
            self._session = AsyncSession(bind=self.connection, expire_on_commit=False)
        return self._session

    async def flush(self) -> None:
        """Write what the ORM session holds (if one was made) into the transaction, before its commit."""
        if self._session is not None:
            await self._session.flush()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def after_commit(self, action: Callable[[], object]) -> None:
        """Run `action` (a function, or one returning an awaitable) once this unit has committed."""
        self._after_commit.append(action)

    def when_over(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run `action` when the opener is done with this work, committed or given up (the pipeline: an
        apology once an update failed for the last time). Storage itself never runs these."""
        self.over.append(action)

    def fail(self, error: BaseException | None = None) -> None:
        """A handler failed: the opener rolls everything back (and retries when `error` is transient)."""
        self.failures.append(error)

    async def committed(self) -> None:
        """Run the `after_commit` actions, in order; one that fails is logged, the others still run (a
        button that cannot be answered any more must not keep a reply from being sent)."""
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            try:
                result = action()
                if isawaitable(result):
                    await result
            except Exception:
                log.warning("an action after a commit failed", exc_info=True)


# The unit of work of the running asyncio task, so that every repository call inside `unit_of_work()` joins
# it without a session argument on every method. It is the one ambient value of the storage layer.
_CURRENT: ContextVar[tuple[asyncio.Task[Any] | None, UnitOfWork] | None] = ContextVar(
    "aiguilleur_unit_of_work", default=None
)


def current_unit() -> UnitOfWork | None:
    """The unit of work of this very task. A task started inside one inherits the context variable (asyncio
    copies the context), but must not use that session: asyncpg refuses, or hangs, when two tasks share a
    connection. So the unit is tagged with the task that opened it."""
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
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """Every storage call inside shares one transaction: all of it is committed, or none of it. Inside
        another unit of this task, joins it (its actions then wait for that unit's commit).

        The transaction is per asyncio task, so a job running beside an update never writes into that
        update's transaction.
        """
        if (joined := current_unit()) is not None:
            yield joined
            return
        async with self.engine.connect() as connection:
            unit = UnitOfWork(connection)
            try:
                async with connection.begin():
                    token = _CURRENT.set((asyncio.current_task(), unit))
                    try:
                        yield unit
                        await unit.flush()
                    finally:
                        _CURRENT.reset(token)
            finally:
                await unit.close()
        await unit.committed()

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        current = current_unit()
        if current is not None:
            yield current.session
            return
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        """The unit of work's connection (or a transaction of its own outside one): for the statements of
        every update (the inbox, the outbox, the conversation), prepared once as Core statements and executed
        without the ORM."""
        current = current_unit()
        if current is not None:
            yield current.connection
            return
        async with self.engine.begin() as connection:
            yield connection
