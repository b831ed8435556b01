"""`Store`: the database of one running bot, composed of the repositories by subject. It implements the
core's ports (bot/core/ports.py) structurally, and the outbox and inbox the Telegram adapter uses.
`Store.open` creates the engine and brings the schema up to date; `close` waits for background work and
disposes of the engine.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage import sqlite_driver
from bot.storage.alerts import AlertsRepo
from bot.storage.conversations import ConversationsRepo
from bot.storage.copilot import CopilotRepo
from bot.storage.delivery import DeliveryRepo
from bot.storage.engine import (
    SqliteConnection,
    _begin_immediate,
    _private_sqlite_file,
    _sqlite_pragmas,
    _upgrade,
    cancel_and_wait,
)
from bot.storage.leadership import Leadership
from bot.storage.privacy import PrivacyRepo
from bot.storage.referrals import ReferralsRepo
from bot.storage.requests import RequestsRepo
from bot.storage.statistics import StatisticsRepo
from bot.storage.threads import ThreadsRepo


class Store(
    ConversationsRepo,
    RequestsRepo,
    ThreadsRepo,
    StatisticsRepo,
    CopilotRepo,
    PrivacyRepo,
    DeliveryRepo,
    AlertsRepo,
    ReferralsRepo,
):
    """The database of one running bot: open it, use its functions, close it."""

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Create the engine (and the SQLite folder), then bring the schema up to date with Alembic (not with
        `migrate` false: a reader such as `catalog check` never changes a running bot's schema)."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            _private_sqlite_file(Path(parsed.database))
        # pre_ping: a connection the server closed (a restart, a failover) is replaced, not handed to an update.
        # hide_parameters: an error's message never quotes the values (what a person wrote) into a log line.
        sqlite = parsed.get_backend_name() == "sqlite"
        if parsed.drivername == "sqlite+aiosqlite":  # the same driver, one trip to its thread per statement
            parsed = parsed.set(drivername=f"sqlite+{sqlite_driver.DRIVER}")
        engine = create_async_engine(
            parsed,
            pool_pre_ping=parsed.get_backend_name() == "postgresql",
            hide_parameters=True,
            connect_args={"factory": SqliteConnection} if sqlite else {},
        )
        if sqlite:
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
            if parsed.drivername != f"sqlite+{sqlite_driver.DRIVER}":  # that driver begins by itself
                event.listen(engine.sync_engine, "begin", _begin_immediate)
        if migrate:
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
