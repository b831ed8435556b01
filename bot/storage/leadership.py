"""Leadership: the lock that makes one process at a time the active one on a database (a PostgreSQL
advisory lock on a connection of its own, or a `flock` beside the SQLite file), and the lock numbers the
migrations share.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

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
