"""Fixtures shared by every tier: catalogs, a per-test SQLite database, the dialogue core; for the storage,
pipeline and a few end-to-end tests, the same database on PostgreSQL too (`any_database_url`).

Databases are copies of one template migrated once per run (tests/support/databases.py); the migration
tests ask for empty ones (`any_empty_database_url`). People, chats and catalogs: tests/support/personas.py.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from functools import cache
from pathlib import Path

import pytest

from bot.catalog.model import Catalog
from bot.core.dialogue import Dialogue
from bot.i18n import I18n
from bot.storage import Store
from tests.support import network, shared
from tests.support.clock import Clock
from tests.support.databases import PostgresTemplate, SqliteTemplate, sqlite_url
from tests.support.driver import CoreDriver
from tests.support.personas import (  # re-exported: older tests import them from here
    ADMIN_CHAT,
    COORDINATION_CHAT,
    MINI,
    MINI_HUB_CHAT,
    OTHER_HUB_CHAT,
    QUEBEC,
    ROOT,
)
from tests.support.postgres import Cluster, Unavailable, required

os.environ.setdefault(
    "PTB_TIMEDELTA", "true"
)  # PTB's timedelta API; its deprecation warnings are errors here

__all__ = ["ADMIN_CHAT", "COORDINATION_CHAT", "MINI", "MINI_HUB_CHAT", "OTHER_HUB_CHAT", "QUEBEC", "ROOT"]

network.install()  # from the first import on: collection and session fixtures are guarded too


@pytest.fixture(autouse=True)
def network_guard() -> Iterator[None]:
    """Fails a test that tried to reach another machine, even where a library caught the error and retried."""
    network.take_attempts()
    yield
    if attempts := network.take_attempts():
        pytest.fail("tried to leave this machine:\n" + "\n".join(attempts), pytrace=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests that mostly wait first, each worker starting with its share of them: in a run spread
    over several workers (pytest-xdist, `tasks.py test`) the longest ones run at once on different workers
    instead of one after the other at the end. The order of the others stays as collected. A slow test that
    keeps a core busy for its few seconds (`slow(busy=True)`: fitting models, fresh interpreters) keeps its
    place among the others: started with the fault tests, it would take the CPU their timing windows count on
    (the failover test's at-least-once window)."""
    waiting = [item for item in items if _waits_long(item)]
    others = [item for item in items if not _waits_long(item)]
    items[:] = _dealt(waiting, others, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))


def _dealt(first: list[pytest.Item], rest: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """`first` dealt round the heads of the `workers` blocks `rest` is cut into, so that each block starts
    with its share of them. `--dist worksteal` gives each worker one such contiguous block of the collection
    (the first `n // workers` tests, then a fair part of the rest...) and lets idle workers take tests from
    the tail of the others' blocks: with the slow tests all at the front, one worker ran every one of them
    in turn while the others stole its quick ones (the four longest fault tests, 84 s in a row)."""
    if workers <= 1:
        return [*first, *rest]
    shares: list[list[pytest.Item]] = [first[start::workers] for start in range(workers)]
    total = len(first) + len(rest)
    blocks: list[list[pytest.Item]] = []
    taken = 0
    for index, share in enumerate(shares):
        size = (total - sum(map(len, blocks))) // (workers - index)  # as xdist's worksteal sends them
        others = max(0, size - len(share))
        blocks.append([*share, *rest[taken : taken + others]])
        taken += others
    blocks[-1].extend(rest[taken:])
    return [item for block in blocks for item in block]


def _waits_long(item: pytest.Item) -> bool:
    slow = item.get_closest_marker("slow")
    return slow is not None and not slow.kwargs.get("busy", False)


@pytest.fixture
def mini_catalog() -> Catalog:
    return shared.catalog(MINI)


@pytest.fixture
def quebec_catalog() -> Catalog:
    return shared.catalog(QUEBEC)


@cache
def _i18n() -> I18n:
    return I18n()


@pytest.fixture
def i18n() -> I18n:
    return _i18n()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("template"))


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: SqliteTemplate) -> str:
    """A migrated SQLite database of this test's own (a copy of the template)."""
    return sqlite_template.copy(tmp_path / "aiguilleur.db")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """One throwaway PostgreSQL server for the whole run, started on first use (see tests/support/postgres.py)."""
    try:
        cluster = Cluster().start()
    except Unavailable as why:
        if required():
            pytest.fail(f"CI=true and PostgreSQL is not usable: {why}", pytrace=False)
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres: Cluster) -> PostgresTemplate:
    return PostgresTemplate(postgres)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated database on SQLite, then on PostgreSQL: a module opts in by overriding `database_url` with
    it."""
    if request.param == "sqlite":
        sqlite: SqliteTemplate = request.getfixturevalue("sqlite_template")
        return sqlite.copy(tmp_path / "aiguilleur.db")
    postgres: PostgresTemplate = request.getfixturevalue("postgres_template")
    return postgres.copy()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no schema) on SQLite, then on PostgreSQL: for the tests of the migrations."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "aiguilleur.db")
    cluster: Cluster = request.getfixturevalue("postgres")
    return cluster.database()


@pytest.fixture
def postgres_url(postgres: Cluster) -> str:
    """A fresh PostgreSQL database (tests that only make sense there: two processes, advisory locks)."""
    return postgres.database()


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    store = await Store.open(database_url)
    yield store
    await store.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dialogue(mini_catalog: Catalog, store: Store, i18n: I18n, clock: Clock) -> Dialogue:
    return Dialogue(
        catalog=mini_catalog, store=store, i18n=i18n, retention_days=90, now=clock, admin_chat_id=ADMIN_CHAT
    )


@pytest.fixture
def driver(dialogue: Dialogue) -> CoreDriver:
    return CoreDriver(dialogue)


@pytest.fixture
def quebec_driver(quebec_catalog: Catalog, store: Store, i18n: I18n) -> CoreDriver:
    """The dialogue on the Québec catalog with the real language data: free text is understood."""
    dialogue = Dialogue(
        catalog=quebec_catalog,
        store=store,
        i18n=i18n,
        retention_days=90,
        language_data=shared.language_data(QUEBEC),
    )
    return CoreDriver(dialogue)
