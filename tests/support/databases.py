"""Migrated databases for the tests, built once per run and copied per test.

Bringing an empty database up to head with Alembic costs 60-180 ms; most tests only need the schema. The
first test that asks for one migrates a template, and every test gets its own copy of it: a file copy on
SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL. `Store.open` still runs the (now empty) upgrade, as
in production. Tests of the migrations themselves ask for an empty database instead.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, make_url

from bot.storage import MIGRATIONS_DIR, Store
from tests.support.postgres import Cluster


def to(revision: str, *, down: bool = False) -> Callable[[Connection], None]:
    """Alembic up (or down) to `revision`, on a connection (for `run_sync`)."""

    def run(connection: Connection) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)

    return run


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _migrate(url: str) -> None:
    """Open (so migrate) and close the database, on a thread of its own: a test's event loop may already be
    set up on this one, and `asyncio.run` must not replace it."""
    failure: list[BaseException] = []

    def run() -> None:
        async def upgrade() -> None:
            store = await Store.open(url)
            await store.close()

        try:
            asyncio.run(upgrade())
        except BaseException as error:  # re-raised on the caller's thread
            failure.append(error)

    thread = threading.Thread(target=run, name="migrate-template")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


class SqliteTemplate:
    """A migrated SQLite file; `copy(path)` puts a copy at `path` and returns its URL."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "template.db"
        _migrate(sqlite_url(self.path))
        # Closing the last connection checkpointed the WAL into the file and removed it: one file is all.
        leftovers = [p.name for p in folder.iterdir() if p != self.path]
        assert not leftovers, f"the template database left {leftovers} beside it"

    def copy(self, path: Path) -> str:
        shutil.copyfile(self.path, path)
        path.chmod(0o600)
        return sqlite_url(path)


class PostgresTemplate:
    """A migrated PostgreSQL database; `copy()` creates a database from it and returns its URL."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.url = make_url(cluster.database())
        assert self.url.database
        self.name = self.url.database
        _migrate(self.url.render_as_string(hide_password=False))
        self._numbers = itertools.count(1)

    def copy(self) -> str:
        # Only while nobody is connected to the template: its engine was disposed when the store closed.
        name = f"{self.name}_copy_{next(self._numbers)}"
        self.cluster.sql(f"CREATE DATABASE {name} TEMPLATE {self.name}")
        return self.url.set(database=name).render_as_string(hide_password=False)
