"""The only module that speaks SQL: table models, the async engine, migrations and storage functions.

Storage functions take keyword arguments and return the core's plain dataclasses, never table rows, so the
core does not depend on SQLModel. The engine is async (aiosqlite by default, asyncpg in production) so a
database call never blocks the event loop that serves every chat. Times are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import BigInteger, Column, DateTime, MetaData, delete, event, update
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.types import Conversation, Handoff, Profile

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
    hub_id: str | None = Field(default=None, max_length=40)
    page: int = 0
    editing: bool = False
    handoff_id: int | None = Field(default=None)
    updated_at: dt.datetime = _when(nullable=False, index=True)


class HandoffRow(SQLModel, table=True):
    """A request for a human advisor and where its thread lives in the hub's chat."""

    __tablename__ = "handoff"
    id: int | None = Field(default=None, primary_key=True)
    user_chat_id: int = _big(nullable=False, index=True)
    hub_id: str = Field(max_length=40)
    hub_chat_id: int = _big(nullable=False)
    status: str = Field(default="open", max_length=16, index=True)
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


class RelayLinkRow(SQLModel, table=True):
    """A message in a hub chat that belongs to a handoff's thread: replying to it reaches the entrepreneur."""

    __tablename__ = "relay_link"
    hub_chat_id: int = _big(primary_key=True, autoincrement=False)
    message_id: int = _big(primary_key=True, autoincrement=False)
    handoff_id: int = Field(foreign_key="handoff.id", index=True, ondelete="CASCADE")


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


def _profile_json(profile: Profile) -> str:
    return json.dumps(
        {
            "stage": profile.stage,
            "sector": profile.sector,
            "region": profile.region,
            "needs": list(profile.needs),
        }
    )


def _profile_from(raw: str) -> Profile:
    data = json.loads(raw or "{}")
    return Profile(data.get("stage"), data.get("sector"), data.get("region"), tuple(data.get("needs", ())))


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back; everything we store is UTC."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def _conversation(row: ConversationRow) -> Conversation:
    return Conversation(
        chat_id=row.chat_id,
        lang=row.lang,
        step=row.step,
        profile=Profile(row.stage, row.sector, row.region, tuple(json.loads(row.needs or "[]"))),
        hub_id=row.hub_id,
        page=row.page,
        editing=row.editing,
        handoff_id=row.handoff_id,
        updated_at=_aware(row.updated_at),
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
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers and the writer work together; foreign keys make deletions cascade."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


class Store:
    """The database of one running bot: open it, use its functions, close it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    @classmethod
    async def open(cls, url: str) -> Store:
        """Create the engine (and the SQLite folder), then bring the schema up to date with Alembic."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        if parsed.get_backend_name() == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
        return cls(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
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
            row.hub_id = conversation.hub_id
            row.page = conversation.page
            row.editing = conversation.editing
            row.handoff_id = conversation.handoff_id
            row.updated_at = now
            session.add(row)
        return _conversation(row)

    async def forget_user(self, *, chat_id: int) -> int:
        """Delete every row about an entrepreneur; returns how many rows went."""
        async with self._session() as session:
            ids = (await session.exec(select(HandoffRow.id).where(HandoffRow.user_chat_id == chat_id))).all()
            links = await session.exec(delete(RelayLinkRow).where(RelayLinkRow.handoff_id.in_(ids)))  # type: ignore[attr-defined]
            handoffs = await session.exec(delete(HandoffRow).where(HandoffRow.user_chat_id == chat_id))  # type: ignore[arg-type]
            conversations = await session.exec(
                delete(ConversationRow).where(ConversationRow.chat_id == chat_id)
            )  # type: ignore[arg-type]
            return int(links.rowcount + handoffs.rowcount + conversations.rowcount)

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
    ) -> Handoff:
        async with self._session() as session:
            row = HandoffRow(
                user_chat_id=user_chat_id,
                hub_id=hub_id,
                hub_chat_id=hub_chat_id,
                lang=lang,
                question=question,
                first_name=first_name,
                username=username,
                profile=_profile_json(profile),
                matches=json.dumps(list(matches)),
                created_at=utcnow(),
            )
            session.add(row)
            await session.flush()
            return _handoff(row)

    async def get_handoff(self, *, handoff_id: int) -> Handoff | None:
        async with self._session() as session:
            row = await session.get(HandoffRow, handoff_id)
            return _handoff(row) if row else None

    async def close_handoff(self, *, handoff_id: int) -> bool:
        """Close an open handoff; False when it was not open (closed twice, by both sides at once)."""
        async with self._session() as session:
            result = await session.exec(
                update(HandoffRow)  # type: ignore[arg-type]
                .where(HandoffRow.id == handoff_id, HandoffRow.status == "open")  # type: ignore[arg-type]
                .values(status="closed", closed_at=utcnow())
            )
            return bool(result.rowcount)

    async def mark_advisor_replied(self, *, handoff_id: int) -> None:
        async with self._session() as session:
            await session.exec(
                update(HandoffRow).where(HandoffRow.id == handoff_id).values(advisor_replied=True)  # type: ignore[arg-type]
            )

    async def link_message(
        self, *, hub_chat_id: int, message_id: int, handoff_id: int, card: bool = False
    ) -> None:
        """Remember that a hub-chat message belongs to a handoff's thread (the card when `card`)."""
        async with self._session() as session:
            if await session.get(RelayLinkRow, (hub_chat_id, message_id)) is None:
                session.add(
                    RelayLinkRow(hub_chat_id=hub_chat_id, message_id=message_id, handoff_id=handoff_id)
                )
            if card:
                await session.exec(
                    update(HandoffRow).where(HandoffRow.id == handoff_id).values(card_message_id=message_id)  # type: ignore[arg-type]
                )

    async def handoff_for_message(self, *, hub_chat_id: int, message_id: int) -> Handoff | None:
        """The handoff whose thread holds this hub-chat message; None for a message of another chat."""
        async with self._session() as session:
            link = await session.get(RelayLinkRow, (hub_chat_id, message_id))
            if link is None:
                return None
            row = await session.get(HandoffRow, link.handoff_id)
            return _handoff(row) if row else None

    # -- what the network lacks -------------------------------------------------------------------------

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
                select(UnmetRequestRow).where(UnmetRequestRow.network == network).order_by(UnmetRequestRow.id)
            )  # type: ignore[arg-type]
            rows = (await session.exec(query)).all()
            return [Profile(r.stage, r.sector, r.region, tuple(json.loads(r.needs))) for r in rows]

    # -- retention -------------------------------------------------------------------------------------

    async def purge(self, *, older_than: dt.datetime) -> int:
        """Delete closed handoffs and idle conversations not touched since `older_than`."""
        async with self._session() as session:
            old = select(HandoffRow.id).where(
                HandoffRow.status == "closed", HandoffRow.closed_at < older_than
            )  # type: ignore[operator]
            ids = (await session.exec(old)).all()
            links = await session.exec(delete(RelayLinkRow).where(RelayLinkRow.handoff_id.in_(ids)))  # type: ignore[attr-defined]
            handoffs = await session.exec(delete(HandoffRow).where(HandoffRow.id.in_(ids)))  # type: ignore[union-attr]
            idle = delete(ConversationRow).where(
                ConversationRow.updated_at < older_than,  # type: ignore[arg-type]
                ConversationRow.handoff_id.is_(None),  # type: ignore[union-attr]  (never orphan an open handoff)
            )
            conversations = await session.exec(idle)
            return int(links.rowcount + handoffs.rowcount + conversations.rowcount)
