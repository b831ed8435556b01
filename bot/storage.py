"""Where SQL is spoken (with bot/storage_reports.py): table models, the async engine, migrations, and `Store`.

`Store` implements the core's ports (bot/core/ports.py) without the core importing anything from here: its
functions take keyword arguments and return the core's plain dataclasses, never table rows. The engine is
async (aiosqlite by default, asyncpg in production) so a database call never blocks the event loop that
serves every chat. Times are timezone-aware UTC.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import hashlib
import json
import logging
import os
import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    MetaData,
    UniqueConstraint,
    delete,
    event,
    func,
    text,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.clock import utcnow as utcnow  # re-exported: adapters and tests import it from here too
from bot.core.funnel import FunnelEvent
from bot.core.text import Span
from bot.core.types import (
    HANDOFF_TRANSITIONS,
    Attachment,
    Button,
    Conversation,
    Gap,
    Handoff,
    MessageRef,
    Profile,
    Reply,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
log = logging.getLogger(__name__)

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


@dataclass(frozen=True)
class OutboxItem:
    """A reply waiting in the outbox, with its delivery bookkeeping."""

    id: int
    lane: int
    reply: Reply
    attempts: int
    not_before: dt.datetime
    token: str = ""  # the row's own token: an id alone could name another row after a deletion


@dataclass(frozen=True)
class InboxItem:
    """A stored update waiting to be handled: `id` is its arrival order (update ids may start again lower)."""

    id: int
    update_id: int
    payload: str
    attempts: int


async def cancel_and_wait(task: asyncio.Task[Any]) -> None:
    """Cancel `task` and wait until it has ended (at shutdown); raise what it raised, if not cancelled. The
    caller stays cancellable meanwhile: with `suppress(CancelledError)` around `await task`, a shutdown step
    cancelled for taking too long went on waiting, its own cancellation absorbed."""
    task.cancel()
    await asyncio.wait({task})
    if not task.cancelled():
        task.result()


def _big(**kwargs: Any) -> Any:
    """A 64-bit integer column: Telegram ids exceed 32 bits."""
    return Field(sa_column=Column(BigInteger, **kwargs))


def _when(**kwargs: Any) -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), **kwargs))


class ConversationRow(SQLModel, table=True):
    """One entrepreneur's private chat: language, intake step, answers and open handoff."""

    __tablename__ = "conversation"
    chat_id: int = _big(primary_key=True, autoincrement=False)
    lang: str = Field(max_length=8)
    step: str | None = Field(default=None, max_length=24)
    stage: str | None = Field(default=None, max_length=24)
    sector: str | None = Field(default=None, max_length=24)
    region: str | None = Field(default=None, max_length=24)
    needs: str = Field(default="[]", max_length=1000)
    profile: str = Field(default="{}", max_length=2000)  # the whole profile (sectors, eligibility) as JSON
    hub_id: str | None = Field(default=None, max_length=40)
    page: int = 0
    editing: bool = False
    handoff_id: int | None = Field(default=None)
    updated_at: dt.datetime = _when(nullable=False, index=True)
    consent_at: dt.datetime | None = _when(nullable=True)
    last_handoff_id: int | None = Field(default=None)


class HandoffRow(SQLModel, table=True):
    """A request for a human advisor and where its thread lives in the hub's chat."""

    __tablename__ = "handoff"
    id: int | None = Field(default=None, primary_key=True)
    user_chat_id: int = _big(nullable=False, index=True)
    hub_id: str = Field(max_length=40)
    hub_chat_id: int = _big(nullable=False)
    status: str = Field(default="waiting", max_length=16, index=True)
    lang: str = Field(max_length=8)
    question: str = Field(max_length=4096)
    first_name: str = Field(default="", max_length=256)
    username: str | None = Field(default=None, max_length=64)
    profile: str = Field(default="{}", max_length=2000)
    matches: str = Field(default="[]", max_length=4000)
    card_message_id: int | None = _big(nullable=True)
    advisor_replied: bool = False
    created_at: dt.datetime = _when(nullable=False)
    closed_at: dt.datetime | None = _when(nullable=True, index=True)
    advisor_id: int | None = _big(nullable=True)
    advisor_name: str | None = Field(default=None, max_length=256)
    claimed_at: dt.datetime | None = _when(nullable=True)
    topic_id: int | None = _big(nullable=True)
    remind_at: dt.datetime | None = _when(nullable=True, index=True)
    reminders: int = 0
    acked: bool = False
    close_reason: str | None = Field(default=None, max_length=16)
    rating: int | None = Field(default=None)
    comment: str | None = Field(default=None, max_length=4096)
    follow_up_at: dt.datetime | None = _when(nullable=True, index=True)
    helped: str | None = Field(default=None, max_length=8)


class RelayLinkRow(SQLModel, table=True):
    """A message in a hub chat that belongs to a handoff's thread: replying to it reaches the entrepreneur."""

    __tablename__ = "relay_link"
    hub_chat_id: int = _big(primary_key=True, autoincrement=False)
    message_id: int = _big(primary_key=True, autoincrement=False)
    handoff_id: int = Field(foreign_key="handoff.id", index=True, ondelete="CASCADE")


class OutboxRow(SQLModel, table=True):
    """A message decided but maybe not yet sent: written with the event that caused it, sent after.

    `lane` is the destination chat: rows of one lane are sent in id order, and a lane waiting for a retry
    holds back its later rows, so an advisor never reads message 3 before message 2.
    """

    __tablename__ = "outbox"
    # AUTOINCREMENT: SQLite would otherwise give a deleted row's id to the next one while a worker still holds
    # it (a /forget during a send); PostgreSQL sequences never reuse an id.
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    lane: int = _big(nullable=False, index=True)
    payload: str = Field(max_length=20000)
    status: str = Field(default="pending", max_length=8, index=True)
    attempts: int = 0
    not_before: dt.datetime = _when(nullable=False)
    message_id: int | None = _big(nullable=True)
    created_at: dt.datetime = _when(nullable=False)
    sent_at: dt.datetime | None = _when(nullable=True, index=True)
    token: str = Field(default="", max_length=32)


INBOX_STATUSES = ("pending", "handled", "unreadable", "set_aside")


class InboxRow(SQLModel, table=True):
    """A raw Telegram update, stored before Telegram is told it was received; its `handled` mark is set in
    the same transaction as the update's effects, so a crash loses nothing and repeats nothing.

    `id` is the arrival order, the order updates are handled in. Update ids are not unique over time (after a
    week without updates Telegram starts them again at random), so a duplicate is the same id with the same
    content (`fingerprint`, a SHA-256 of the update's JSON), which is what Telegram sends again. An update
    that cannot be read, or that fails the same way again and again, is set aside (`status`), its payload
    kept for inspection until the retention period ends.
    """

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("update_id", "fingerprint"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    update_id: int = _big(nullable=False)
    fingerprint: str = Field(max_length=64)
    payload: str = Field(max_length=200000)
    received_at: dt.datetime = _when(nullable=False)
    handled_at: dt.datetime | None = _when(nullable=True, index=True)
    status: str = Field(default="pending", max_length=12, index=True)
    attempts: int = 0
    error: str | None = Field(default=None, max_length=200)


class UnmetRequestRow(SQLModel, table=True):
    """A profile nothing in the catalog fitted: what the network lacks. No id, no name, no text."""

    __tablename__ = "unmet_request"
    id: int | None = Field(default=None, primary_key=True)
    network: str = Field(max_length=40, index=True)
    region: str | None = Field(default=None, max_length=24)
    stage: str | None = Field(default=None, max_length=24)
    sector: str | None = Field(default=None, max_length=24)
    needs: str = Field(default="[]", max_length=1000)
    created_at: dt.datetime = _when(nullable=False, index=True)


class CoverageGapRow(SQLModel, table=True):
    """A need the entrepreneur stated that no entry covered for their profile: the gap table of the report.
    Codes only; no id, no name, no text."""

    __tablename__ = "coverage_gap"
    id: int | None = Field(default=None, primary_key=True)
    network: str = Field(max_length=40, index=True)
    region: str | None = Field(default=None, max_length=24)
    stage: str | None = Field(default=None, max_length=24)
    sector: str | None = Field(default=None, max_length=24)
    need: str = Field(max_length=24)
    created_at: dt.datetime = _when(nullable=False, index=True)


def _profile_json(profile: Profile) -> str:
    return json.dumps(profile.as_json())


def _profile_from(raw: str) -> Profile:
    data = json.loads(raw or "{}")
    return Profile.from_json(data if isinstance(data, dict) else {})


def _utc(value: Any) -> Any:
    """Datetimes are stored in UTC: SQLite compares them as text, so one zone for all or comparisons lie."""
    return value.astimezone(dt.UTC) if isinstance(value, dt.datetime) else value


@overload
def _aware(value: dt.datetime) -> dt.datetime: ...
@overload
def _aware(value: None) -> None: ...
@overload
def _aware(value: dt.datetime | None) -> dt.datetime | None: ...
def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back; everything we store is UTC."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def _conversation(row: ConversationRow) -> Conversation:
    return Conversation(
        chat_id=row.chat_id,
        lang=row.lang,
        step=row.step,
        profile=_profile_from(row.profile)
        if row.profile not in ("", "{}")
        else Profile(
            row.stage, (row.sector,) if row.sector else (), row.region, tuple(json.loads(row.needs or "[]"))
        ),
        hub_id=row.hub_id,
        page=row.page,
        editing=row.editing,
        handoff_id=row.handoff_id,
        updated_at=_aware(row.updated_at),
        consent_at=_aware(row.consent_at),
        last_handoff_id=row.last_handoff_id,
    )


def _handoff(row: HandoffRow) -> Handoff:
    assert row.id is not None
    return Handoff(
        id=row.id,
        user_chat_id=row.user_chat_id,
        hub_id=row.hub_id,
        hub_chat_id=row.hub_chat_id,
        status=row.status,
        lang=row.lang,
        question=row.question,
        first_name=row.first_name,
        username=row.username,
        profile=_profile_from(row.profile),
        matches=tuple(json.loads(row.matches or "[]")),
        card_message_id=row.card_message_id,
        advisor_replied=row.advisor_replied,
        created_at=_aware(row.created_at),
        closed_at=_aware(row.closed_at),
        advisor_id=row.advisor_id,
        advisor_name=row.advisor_name,
        claimed_at=_aware(row.claimed_at),
        topic_id=row.topic_id,
        remind_at=_aware(row.remind_at),
        reminders=row.reminders,
        acked=row.acked,
        close_reason=row.close_reason,
        rating=row.rating,
        comment=row.comment,
        follow_up_at=_aware(row.follow_up_at),
        helped=row.helped,
    )


def reply_to_json(reply: Reply) -> str:
    """An outbox payload: everything needed to send the reply later, in another process."""
    return json.dumps(
        {
            "chat_id": reply.chat_id,
            "text": [[s.text, s.style, s.url] for s in reply.text],
            "buttons": [[[b.label, b.data] for b in row] for row in reply.buttons],
            "reply_to": reply.reply_to_message_id,
            "edit": reply.edit_message_id,
            "copy": [reply.copy_of.chat_id, reply.copy_of.message_id] if reply.copy_of else None,
            "track": reply.track,
            "handoff": reply.handoff,
            "action": reply.action,
            "topic": reply.topic_id,
            "file": [a.kind, a.file_id, a.name] if (a := reply.attachment) else None,
        },
        ensure_ascii=False,
    )


def reply_from_json(raw: str) -> Reply:
    data = json.loads(raw)
    return Reply(
        chat_id=data["chat_id"],
        text=tuple(Span(text, style, url) for text, style, url in data["text"]),
        buttons=tuple(tuple(Button(label, code) for label, code in row) for row in data["buttons"]),
        reply_to_message_id=data["reply_to"],
        edit_message_id=data["edit"],
        copy_of=MessageRef(*data["copy"]) if data["copy"] else None,
        track=data["track"],
        handoff=data["handoff"],
        action=data["action"],
        topic_id=data["topic"],
        attachment=Attachment(*data["file"]) if data.get("file") else None,
    )


def _about(payload: str, chat_id: int, handoff_ids: Any) -> bool:
    """An outbox row that copies a message of this chat or belongs to one of these handoffs' threads."""
    try:
        data = json.loads(payload)
    except ValueError:
        return False
    copy = data.get("copy")
    return data.get("handoff") in handoff_ids or bool(copy and copy[0] == chat_id)


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


def fingerprint(payload: str) -> str:
    """What makes a stored update the same as a new one beside its id: its content, canonically encoded."""
    try:
        canonical = json.dumps(json.loads(payload), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        canonical = payload
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


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


LEAD_LOCK = 0x41494755  # "AIGU": the advisory lock that makes one process the active one
MIGRATION_LOCK = LEAD_LOCK + 1


class Leadership:
    """The right to receive and process updates and to send the outbox: one process at a time per database.

    PostgreSQL: a session advisory lock held on a connection of its own; it is released by the server the
    moment that session ends (a process killed, even with SIGKILL, closes its socket; a vanished host is
    noticed by TCP keepalives within about 15 s). SQLite: an exclusive `flock` on `<database>.lock`, released
    by the kernel when the process dies. Elsewhere (an in-memory database, a system without flock): no lock.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._connection: Any = None
        self._file: Any = None

    async def try_acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        if self.engine.dialect.name == "postgresql":
            return await self._try_postgres()
        return self._try_file()

    async def acquire(self, stop: asyncio.Event, *, every: float = 1.0) -> bool:
        """Wait until this process leads (True) or `stop` is set (False), trying every `every` seconds."""
        announced = False
        while not stop.is_set():
            if await self.try_acquire():
                return True
            if not announced:
                log.warning("another process is active on this database: standing by until it stops")
                announced = True
            with suppress(TimeoutError):
                # Not wait_for: on Python 3.11 it swallows a cancellation that comes as `stop` is set.
                async with asyncio.timeout(every):
                    await stop.wait()
        return False

    async def _try_postgres(self) -> bool:
        if self._connection is not None:
            return True
        connection = await self.engine.connect()
        try:
            # The server notices a vanished host (no FIN) after 5 + 3 x 2 s and ends the session, lock and all.
            for name, value in (
                ("tcp_keepalives_idle", 5),
                ("tcp_keepalives_interval", 2),
                ("tcp_keepalives_count", 3),
            ):
                await connection.execute(text(f"SET {name} = {value}"))
            got = (
                await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LEAD_LOCK})
            ).scalar()
            await connection.commit()
        except BaseException:
            await connection.close()
            raise
        if not got:
            await connection.close()
            return False
        self._connection = connection
        return True

    def _try_file(self) -> bool:
        url = self.engine.url
        if (
            self._file is not None
            or url.get_backend_name() != "sqlite"
            or url.database in (None, "", ":memory:")
        ):
            return True
        try:
            import fcntl
        except ImportError:  # Windows: one process per database is the operator's duty there
            return True
        handle = Path(f"{url.database}.lock").open("a+b")  # noqa: SIM115  (held open as long as we lead)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    async def check(self) -> None:
        """Raise when the lock may have been lost (its PostgreSQL session is gone): stop leading at once."""
        if self._connection is not None:
            async with asyncio.timeout(10):  # not wait_for, which may swallow a cancellation on Python 3.11
                await self._connection.execute(text("SELECT 1"))
            await self._connection.commit()

    async def release(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LEAD_LOCK})
                await connection.commit()
            except Exception:  # the session is gone: so is its lock
                log.info("the lead lock's connection was already closed")
            finally:
                await connection.close()
        if self._file is not None:
            self._file.close()  # closing the descriptor releases the flock
            self._file = None


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


class Store:
    """The database of one running bot: open it, use its functions, close it."""

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

    @classmethod
    async def open(cls, url: str) -> Store:
        """Create the engine (and the SQLite folder), then bring the schema up to date with Alembic."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            _private_sqlite_file(Path(parsed.database))
        # pre_ping: a connection the server closed (a restart, a failover) is replaced, not handed to an update.
        # hide_parameters: an error's message never quotes the values (what a person wrote) into a log line.
        engine = create_async_engine(
            url, pool_pre_ping=parsed.get_backend_name() == "postgresql", hide_parameters=True
        )
        if parsed.get_backend_name() == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(engine.sync_engine, "begin", _begin_immediate)
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
        return cls(engine)

    async def close(self) -> None:
        for task in list(self._background):
            await cancel_and_wait(task)
        await self.engine.dispose()

    def leadership(self) -> Leadership:
        """The lock that makes this process the active one on this database (see `Leadership`)."""
        return Leadership(self.engine)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        current = _current_session()
        if current is not None:
            yield current
            return
        async with self._sessions() as session, session.begin():
            yield session

    # -- conversations ---------------------------------------------------------------------------------

    async def get_conversation(self, *, chat_id: int) -> Conversation | None:
        async with self._session() as session:
            row = await session.get(ConversationRow, chat_id)
            return _conversation(row) if row else None

    async def save_conversation(self, conversation: Conversation) -> Conversation:
        """Insert or replace the conversation's row; returns it with its new `updated_at`."""
        now = utcnow()
        async with self._session() as session:
            row = await session.get(ConversationRow, conversation.chat_id) or ConversationRow(
                chat_id=conversation.chat_id, lang=conversation.lang, updated_at=now
            )
            row.lang = conversation.lang
            row.step = conversation.step
            row.stage = conversation.profile.stage
            row.sector = conversation.profile.sector
            row.region = conversation.profile.region
            row.needs = json.dumps(list(conversation.profile.needs))
            row.profile = _profile_json(conversation.profile)
            row.hub_id = conversation.hub_id
            row.page = conversation.page
            row.editing = conversation.editing
            row.handoff_id = conversation.handoff_id
            row.consent_at = _utc(conversation.consent_at)
            row.last_handoff_id = conversation.last_handoff_id
            row.updated_at = now
            session.add(row)
        return _conversation(row)

    async def forget_user(self, *, chat_id: int) -> int:
        """Delete every row about an entrepreneur; returns how many rows went.

        The outbox goes too: every row of their chat (sent ones keep its id), and the rows still waiting in a
        hub's lane that copy their messages or belong to their threads. Once this transaction commits,
        `_scrub` removes the rows of their chat sent meanwhile (the confirmation) and empties the WAL file.
        """
        async with self._session() as session:
            ids = (await session.exec(select(HandoffRow.id).where(HandoffRow.user_chat_id == chat_id))).all()
            links = await session.exec(delete(RelayLinkRow).where(col(RelayLinkRow.handoff_id).in_(ids)))
            await storage_reports.unlink_events(session, ids)  # the report's events keep no link to them
            handoffs = await session.exec(delete(HandoffRow).where(col(HandoffRow.user_chat_id) == chat_id))
            conversations = await session.exec(
                delete(ConversationRow).where(col(ConversationRow.chat_id) == chat_id)
            )
            waiting = select(OutboxRow.id, OutboxRow.payload).where(
                OutboxRow.status == "pending", OutboxRow.lane != chat_id
            )
            theirs = [
                row_id
                for row_id, payload in (await session.exec(waiting)).all()
                if _about(payload, chat_id, ids)
            ]
            await session.exec(
                delete(OutboxRow).where((col(OutboxRow.lane) == chat_id) | col(OutboxRow.id).in_(theirs))
            )
            event.listen(
                session.sync_session, "after_commit", lambda _s: self._after_forget(chat_id), once=True
            )
            return int(links.rowcount + handoffs.rowcount + conversations.rowcount)

    async def handoffs_of(self, *, user_chat_id: int) -> list[Handoff]:
        """Every handoff of one entrepreneur, open or closed, oldest first (what /forget must rewrite)."""
        async with self._session() as session:
            query = (
                select(HandoffRow).where(HandoffRow.user_chat_id == user_chat_id).order_by(col(HandoffRow.id))
            )
            return [_handoff(row) for row in (await session.exec(query)).all()]

    def _after_forget(self, chat_id: int) -> None:
        """Called when the /forget transaction commits: scrub in the background, in a context of its own."""
        loop = asyncio.get_running_loop()
        task = loop.create_task(self._scrub(chat_id), context=contextvars.Context())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _scrub(self, chat_id: int, *, wait: float = 300.0) -> None:
        """Once the outbox has sent what was still due to that chat (the confirmation), delete those rows too,
        then checkpoint: the WAL file is emptied and keeps no copy of the deleted rows."""
        for _ in range(int(wait / 0.25)):
            async with self._sessions() as session, session.begin():
                due = select(func.count()).select_from(OutboxRow)
                due = due.where(OutboxRow.lane == chat_id, OutboxRow.status == "pending")
                if not (await session.exec(due)).one():
                    await session.exec(delete(OutboxRow).where(col(OutboxRow.lane) == chat_id))
                    break
            await asyncio.sleep(0.25)
        await self.checkpoint()

    async def checkpoint(self, *, attempts: int = 40) -> bool:
        """SQLite: copy the WAL into the database and truncate it (readers may delay it: retried). True once done."""
        if self.engine.dialect.name != "sqlite":
            return True
        for attempt in range(attempts):
            async with self.engine.connect() as connection:
                raw = await connection.get_raw_connection()
                driver: Any = raw.driver_connection  # aiosqlite's connection: never None while connected
                cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy = (await cursor.fetchone())[0]
                await cursor.close()
            if not busy:
                return True
            await asyncio.sleep(min(0.05 * (attempt + 1), 1.0))
        log.warning("the WAL file could not be emptied after /forget: the next checkpoint will")
        return False

    # -- handoffs --------------------------------------------------------------------------------------

    async def create_handoff(
        self,
        *,
        user_chat_id: int,
        hub_id: str,
        hub_chat_id: int,
        lang: str,
        question: str,
        first_name: str,
        username: str | None,
        profile: Profile,
        matches: tuple[str, ...],
        remind_at: dt.datetime | None,
        at: dt.datetime | None = None,
    ) -> Handoff:
        async with self._session() as session:
            row = HandoffRow(
                user_chat_id=user_chat_id,
                hub_id=hub_id,
                hub_chat_id=hub_chat_id,
                lang=lang,
                question=question[:4096],
                first_name=first_name[:256],
                username=username,
                profile=_profile_json(profile),
                matches=json.dumps(list(matches)),
                created_at=_utc(at or utcnow()),
                remind_at=_utc(remind_at),
            )
            session.add(row)
            await session.flush()
            return _handoff(row)

    async def get_handoff(self, *, handoff_id: int) -> Handoff | None:
        async with self._session() as session:
            row = await session.get(HandoffRow, handoff_id)
            return _handoff(row) if row else None

    async def _transition(self, handoff_id: int, action: str, *when: Any, **values: Any) -> bool:
        """Apply one lifecycle action (see HANDOFF_TRANSITIONS) if the handoff is in a state it starts from."""
        sources, target = HANDOFF_TRANSITIONS[action]
        return await self._change(
            handoff_id,
            (col(HandoffRow.status).in_(sources), *when),
            status=target,
            **values,
        )

    async def _change(self, handoff_id: int, when: tuple[Any, ...], **values: Any) -> bool:
        """One conditional UPDATE: the database decides races (two Claims, Close from both sides)."""
        values = {name: _utc(value) for name, value in values.items()}
        async with self._session() as session:
            result = await session.exec(
                update(HandoffRow).where(col(HandoffRow.id) == handoff_id, *when).values(**values)
            )
            return bool(result.rowcount)

    async def claim_handoff(
        self, *, handoff_id: int, advisor_id: int, advisor_name: str, at: dt.datetime | None = None
    ) -> bool:
        """Claim a waiting handoff; False when someone else was first (or it is closed)."""
        return await self._transition(
            handoff_id,
            "claim",
            advisor_id=advisor_id,
            advisor_name=advisor_name[:256],
            claimed_at=at or utcnow(),
            remind_at=None,
        )

    async def close_handoff(
        self,
        *,
        handoff_id: int,
        reason: str = "ended",
        follow_up_at: dt.datetime | None = None,
        at: dt.datetime | None = None,
    ) -> bool:
        """Close an open handoff; False when it was not open (closed twice, by both sides at once)."""
        return await self._transition(
            handoff_id,
            "close",
            closed_at=at or utcnow(),
            close_reason=reason,
            remind_at=None,
            follow_up_at=follow_up_at,
        )

    async def reopen_handoff(
        self,
        *,
        handoff_id: int,
        closed_since: dt.datetime,
        advisor_id: int,
        advisor_name: str,
        at: dt.datetime | None = None,
    ) -> bool:
        """Reopen a handoff an advisor closed after `closed_since`, claimed by the advisor who reopens it."""
        return await self._transition(
            handoff_id,
            "reopen",
            col(HandoffRow.close_reason).in_(("advisor", "ended")),
            col(HandoffRow.closed_at) >= _utc(closed_since),
            closed_at=None,
            close_reason=None,
            advisor_id=advisor_id,
            advisor_name=advisor_name[:256],
            claimed_at=at or utcnow(),
            follow_up_at=None,
        )

    async def transfer_handoff(
        self, *, handoff_id: int, hub_id: str, hub_chat_id: int, remind_at: dt.datetime | None
    ) -> bool:
        """Move an open handoff to another hub: it waits there, in a new thread."""
        return await self._transition(
            handoff_id,
            "transfer",
            hub_id=hub_id,
            hub_chat_id=hub_chat_id,
            advisor_id=None,
            advisor_name=None,
            claimed_at=None,
            card_message_id=None,
            topic_id=None,
            remind_at=remind_at,
            reminders=0,
            acked=False,
        )

    async def update_handoff(self, *, handoff_id: int, in_chat: int | None = None, **values: Any) -> None:
        """Set bookkeeping fields (topic_id, remind_at, reminders, acked, rating, comment, follow_up_at...);
        with `in_chat`, only while the handoff still lives in that hub chat."""
        when = (col(HandoffRow.hub_chat_id) == in_chat,) if in_chat is not None else ()
        await self._change(handoff_id, when, **values)

    async def link_message(
        self, *, hub_chat_id: int, message_id: int, handoff_id: int, card: bool = False
    ) -> None:
        """Remember that a hub-chat message belongs to a handoff's thread (the card when `card`); nothing
        when the handoff is gone (deleted with /forget while the message was on its way)."""
        async with self._session() as session:
            if await session.get(HandoffRow, handoff_id) is None:
                return
            if await session.get(RelayLinkRow, (hub_chat_id, message_id)) is None:
                session.add(
                    RelayLinkRow(hub_chat_id=hub_chat_id, message_id=message_id, handoff_id=handoff_id)
                )
            if card:  # only while the handoff is still in that chat (a transfer may have moved it since)
                await session.exec(
                    update(HandoffRow)
                    .where(col(HandoffRow.id) == handoff_id, col(HandoffRow.hub_chat_id) == hub_chat_id)
                    .values(card_message_id=message_id)
                )

    async def thread_copies(self, *, handoff_id: int) -> list[int]:
        """The ids of the hub-chat messages of a handoff's thread other than its card (the copies relayed
        both ways), to delete after a /forget."""
        async with self._session() as session:
            handoff = await session.get(HandoffRow, handoff_id)
            if handoff is None:
                return []
            query = select(RelayLinkRow.message_id).where(
                RelayLinkRow.handoff_id == handoff_id,
                RelayLinkRow.hub_chat_id == handoff.hub_chat_id,
                RelayLinkRow.message_id != handoff.card_message_id,
            )
            return sorted((await session.exec(query)).all())

    async def handoff_for_message(self, *, hub_chat_id: int, message_id: int) -> Handoff | None:
        """The handoff whose thread holds this hub-chat message; None for a message of another chat."""
        async with self._session() as session:
            link = await session.get(RelayLinkRow, (hub_chat_id, message_id))
            if link is None:
                return None
            row = await session.get(HandoffRow, link.handoff_id)
            return _handoff(row) if row else None

    async def handoff_for_topic(self, *, hub_chat_id: int, topic_id: int) -> Handoff | None:
        """The handoff whose forum topic this is, in this chat only."""
        async with self._session() as session:
            query = select(HandoffRow).where(
                HandoffRow.hub_chat_id == hub_chat_id, HandoffRow.topic_id == topic_id
            )
            row = (await session.exec(query.order_by(col(HandoffRow.id).desc()))).first()
            return _handoff(row) if row else None

    async def open_handoffs(self, *, hub_chat_id: int, advisor_id: int | None = None) -> list[Handoff]:
        """The open handoffs of a hub chat, oldest first (only one advisor's when `advisor_id`)."""
        async with self._session() as session:
            query = select(HandoffRow).where(
                HandoffRow.hub_chat_id == hub_chat_id,
                col(HandoffRow.status).in_(("waiting", "claimed")),
            )
            if advisor_id is not None:
                query = query.where(HandoffRow.advisor_id == advisor_id, HandoffRow.status == "claimed")
            rows = (await session.exec(query.order_by(col(HandoffRow.created_at), col(HandoffRow.id)))).all()
            return [_handoff(row) for row in rows]

    async def due_reminders(self, *, now: dt.datetime) -> list[Handoff]:
        """Waiting handoffs whose reminder (or escalation) is due."""
        return await self._due("waiting", HandoffRow.remind_at, now)

    async def due_follow_ups(self, *, now: dt.datetime) -> list[Handoff]:
        """Closed handoffs whose one-time follow-up question is due."""
        return await self._due("closed", HandoffRow.follow_up_at, now)

    async def _due(self, status: str, when: Any, now: dt.datetime) -> list[Handoff]:
        """Handoffs in `status` whose `when` column has come, soonest first."""
        async with self._session() as session:
            query = select(HandoffRow).where(HandoffRow.status == status, when <= _utc(now))
            rows = (await session.exec(query.order_by(when))).all()
            return [_handoff(row) for row in rows]

    # -- outbox: what the bot decided to send ---------------------------------------------------------------

    async def enqueue(self, replies: tuple[Reply, ...] | list[Reply]) -> int:
        """Write replies to the outbox (inside the caller's unit of work); returns how many."""
        now = utcnow()
        async with self._session() as session:
            for reply in replies:
                session.add(
                    OutboxRow(
                        lane=reply.chat_id,
                        payload=reply_to_json(reply),
                        not_before=now,
                        created_at=now,
                        token=secrets.token_hex(16),
                    )
                )
        return len(replies)

    async def pending_lanes(self) -> dict[int, dt.datetime]:
        """Each destination chat with unsent rows, and when its first row is due."""
        async with self._session() as session:
            first = (
                select(OutboxRow.lane, func.min(OutboxRow.id))
                .where(OutboxRow.status == "pending")
                .group_by(col(OutboxRow.lane))
                .subquery()
            )
            query = select(OutboxRow.lane, OutboxRow.not_before).join(first, col(OutboxRow.id) == first.c[1])
            return {int(lane): _aware(due) for lane, due in (await session.exec(query)).all()}

    async def pending_outbox(self, *, lane: int | None = None, limit: int = 10000) -> list[OutboxItem]:
        """A lane's unsent replies (every lane's without `lane`), oldest first: the order they must be sent in."""
        async with self._session() as session:
            query = select(OutboxRow).where(OutboxRow.status == "pending")
            if lane is not None:
                query = query.where(OutboxRow.lane == lane)
            query = query.order_by(col(OutboxRow.id)).limit(limit)
            rows = (await session.exec(query)).all()
            return [
                OutboxItem(
                    row.id or 0,
                    row.lane,
                    reply_from_json(row.payload),
                    row.attempts,
                    _aware(row.not_before),
                    row.token,
                )
                for row in rows
            ]

    async def outbox_sent(self, *, item_id: int, token: str, message_id: int | None) -> bool:
        """Sent: keep the Telegram message id, drop the content (it may quote the entrepreneur). False when
        the row is gone (deleted by /forget while it was on its way)."""
        return await self._outbox(
            item_id, token, status="sent", message_id=message_id, sent_at=utcnow(), payload=""
        )

    async def outbox_retry(self, *, item_id: int, token: str, not_before: dt.datetime, attempts: int) -> bool:
        return await self._outbox(item_id, token, not_before=_utc(not_before), attempts=attempts)

    async def outbox_failed(self, *, item_id: int, token: str) -> bool:
        return await self._outbox(item_id, token, status="failed", sent_at=utcnow(), payload="")

    async def _outbox(self, item_id: int, token: str, **values: Any) -> bool:
        """Change the pending row `item_id` only if it is still the row the worker read (same token)."""
        async with self._session() as session:
            result = await session.exec(
                update(OutboxRow)
                .where(
                    col(OutboxRow.id) == item_id,
                    col(OutboxRow.token) == token,
                    col(OutboxRow.status) == "pending",
                )
                .values(**values)
            )
            return bool(result.rowcount)

    # -- inbox: what Telegram sent us --------------------------------------------------------------------

    async def inbox_add(self, *, updates: list[tuple[int, str]]) -> list[int]:
        """Store raw updates in arrival order, skipping those already stored (same id and same content: sent
        again by Telegram); returns the update ids skipped as duplicates. A new update that only shares an id
        with an old one (ids start again after a quiet week) is stored."""
        now = utcnow()
        skipped: list[int] = []
        dialect = sqlite if self.engine.dialect.name == "sqlite" else postgresql
        async with self._session() as session:
            for update_id, payload in updates:
                legacy = select(InboxRow.id).where(
                    InboxRow.update_id == update_id, InboxRow.fingerprint == "legacy"
                )
                if (await session.exec(legacy)).first() is not None:  # handled before migration 0005
                    skipped.append(update_id)
                    continue
                row = {
                    "update_id": update_id,
                    "fingerprint": fingerprint(payload),
                    "payload": payload,
                    "received_at": now,
                    "status": "pending",
                    "attempts": 0,
                }
                insert = dialect.insert(InboxRow).values(**row)
                result = await session.exec(
                    insert.on_conflict_do_nothing(index_elements=["update_id", "fingerprint"])
                )
                if not result.rowcount:
                    skipped.append(update_id)
        return skipped

    async def inbox_pending(self, *, limit: int = 100) -> list[InboxItem]:
        """Stored updates not handled yet, in the order they arrived."""
        async with self._session() as session:
            query = (
                select(InboxRow).where(InboxRow.status == "pending").order_by(col(InboxRow.id)).limit(limit)
            )
            return [
                InboxItem(row.id or 0, row.update_id, row.payload, row.attempts)
                for row in (await session.exec(query)).all()
            ]

    async def inbox_handled(self, *, item_id: int) -> bool:
        """Mark an update handled (in the unit of work of its effects); False if it already was (by another
        process, in which case the caller rolls its effects back)."""
        async with self._session() as session:
            result = await session.exec(
                update(InboxRow)
                .where(col(InboxRow.id) == item_id, col(InboxRow.status) == "pending")
                .values(handled_at=utcnow(), status="handled", payload="")
            )
            return bool(result.rowcount)

    async def inbox_failed(self, *, item_id: int, error: str, set_aside: str | None = None) -> int:
        """Count a failed attempt; with `set_aside` ("unreadable", "set_aside") stop trying: the update and
        its payload stay for inspection, not marked handled. Returns the attempts so far."""
        async with self._session() as session:
            values: dict[str, Any] = {"attempts": InboxRow.attempts + 1, "error": error[:200]}
            if set_aside is not None:
                values |= {"status": set_aside, "handled_at": utcnow()}
            await session.exec(
                update(InboxRow)
                .where(col(InboxRow.id) == item_id, col(InboxRow.status) == "pending")
                .values(**values)
            )
            attempts = (await session.exec(select(InboxRow.attempts).where(InboxRow.id == item_id))).first()
            return int(attempts or 0)

    async def inbox_set_aside(self) -> list[tuple[int, str, str | None]]:
        """Updates set aside (unreadable, or failing again and again): (update id, status, error)."""
        async with self._session() as session:
            query = select(InboxRow.update_id, InboxRow.status, InboxRow.error).where(
                col(InboxRow.status).in_(("unreadable", "set_aside"))
            )
            return [
                (int(u), str(st), e)
                for u, st, e in (await session.exec(query.order_by(col(InboxRow.id)))).all()
            ]

    async def handoff_outcomes(self) -> list[Handoff]:
        """Every handoff still kept (retention applies), for counts: `aiguilleur report` prints no name or text."""
        async with self._session() as session:
            rows = (await session.exec(select(HandoffRow).order_by(col(HandoffRow.id)))).all()
            return [_handoff(row) for row in rows]

    # -- what the network lacks -------------------------------------------------------------------------

    async def record_events(self, *, network: str, events: Iterable[FunnelEvent], at: dt.datetime) -> None:
        """Store anonymous funnel steps for the report (bot/storage_reports.py: the table and the queries)."""
        async with self._session() as session:
            session.add_all(storage_reports.event_rows(network, events, at))

    async def record_unmet(self, *, network: str, profile: Profile) -> None:
        """Remember that nothing fitted this profile (codes only, nothing that identifies anyone)."""
        async with self._session() as session:
            session.add(
                UnmetRequestRow(
                    network=network,
                    region=profile.region,
                    stage=profile.stage,
                    sector=profile.sector,
                    needs=json.dumps(sorted(profile.needs)),
                    created_at=utcnow(),
                )
            )

    async def unmet_requests(self, *, network: str) -> list[Profile]:
        """The recorded profiles nothing fitted, oldest first."""
        async with self._session() as session:
            query = (
                select(UnmetRequestRow)
                .where(UnmetRequestRow.network == network)
                .order_by(col(UnmetRequestRow.id))
            )
            rows = (await session.exec(query)).all()
            return [
                Profile(r.stage, (r.sector,) if r.sector else (), r.region, tuple(json.loads(r.needs)))
                for r in rows
            ]

    async def record_gaps(self, *, network: str, profile: Profile, needs: tuple[str, ...]) -> None:
        """Remember each stated need that nothing covered for this profile (codes only)."""
        async with self._session() as session:
            now = utcnow()
            for need in needs:
                session.add(
                    CoverageGapRow(
                        network=network,
                        region=profile.region,
                        stage=profile.stage,
                        sector=profile.sector,
                        need=need,
                        created_at=now,
                    )
                )

    async def coverage_gaps(self, *, network: str) -> list[Gap]:
        """The recorded uncovered needs of a network, oldest first."""
        async with self._session() as session:
            query = (
                select(CoverageGapRow)
                .where(CoverageGapRow.network == network)
                .order_by(col(CoverageGapRow.id))
            )
            rows = (await session.exec(query)).all()
            return [Gap(r.network, r.region, r.stage, r.sector, r.need) for r in rows]

    # -- retention -------------------------------------------------------------------------------------

    async def purge(self, *, older_than: dt.datetime) -> int:
        """Delete closed handoffs and idle conversations not touched since `older_than`, and day-old
        inbox and outbox bookkeeping."""
        async with self._session() as session:
            old = select(HandoffRow.id).where(
                HandoffRow.status == "closed", col(HandoffRow.closed_at) < older_than
            )
            ids = (await session.exec(old)).all()
            links = await session.exec(delete(RelayLinkRow).where(col(RelayLinkRow.handoff_id).in_(ids)))
            await storage_reports.unlink_events(session, ids)
            handoffs = await session.exec(delete(HandoffRow).where(col(HandoffRow.id).in_(ids)))
            idle = delete(ConversationRow).where(
                col(ConversationRow.updated_at) < older_than,
                col(ConversationRow.handoff_id).is_(None),  # never orphan an open handoff
            )
            conversations = await session.exec(idle)
            day_ago = utcnow() - dt.timedelta(days=1)  # bookkeeping only, already emptied of content
            await session.exec(
                delete(InboxRow).where(col(InboxRow.status) == "handled", col(InboxRow.handled_at) < day_ago)
            )
            await session.exec(  # set aside for inspection, with their content: kept no longer than the rest
                delete(InboxRow).where(
                    col(InboxRow.status) != "handled", col(InboxRow.handled_at) < older_than
                )
            )
            await session.exec(delete(OutboxRow).where(col(OutboxRow.sent_at) < day_ago))
            return int(links.rowcount + handoffs.rowcount + conversations.rowcount)


from bot import storage_reports  # noqa: E402  (last: it registers the report's table in `metadata`)
