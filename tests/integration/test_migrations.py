"""Migrations: a fresh database upgraded to head by Alembic has exactly the tables the models describe, and
every migration goes down and up again (on databases `Store.open` created from the models, which
tests/integration/test_schema_created.py shows to equal migrated ones)."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.storage import Store, metadata
from tests.support.databases import to


def tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


@pytest.fixture
def database_url(any_empty_database_url: str) -> str:
    """These tests run on SQLite and on PostgreSQL, from an empty database (not the migrated template)."""
    return any_empty_database_url


async def test_models_and_migrations_do_not_diverge(database_url: str) -> None:
    """Migrated by Alembic (`Store.open` would create a brand-new database from the models instead)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    def diff(connection: Connection) -> list[object]:
        to("head")(connection)
        context = MigrationContext.configure(connection)
        return compare_metadata(context, metadata)

    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            changes = await connection.run_sync(diff)
    finally:
        await engine.dispose()
    assert changes == [], "a model changed without a migration: run alembic revision --autogenerate"


async def test_upgrade_is_idempotent_across_restarts(database_url: str) -> None:
    for _ in range(2):
        store = await Store.open(database_url)
        await store.close()


async def test_upgrade_from_0004_keeps_pending_updates_and_never_reuses_outbox_ids(database_url: str) -> None:
    """0005 rebuilds the inbox (arrival order, fingerprints) and the outbox (AUTOINCREMENT, tokens): updates
    not handled yet survive it, handled ones still count as duplicates, and a deleted outbox id stays used."""
    import datetime as dt
    import json

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.storage import MIGRATIONS_DIR

    def upgrade(revision: str) -> object:
        def run(connection: object) -> None:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

        return run

    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    pending = json.dumps({"update_id": 12, "message": {"message_id": 1, "text": "bonjour"}})
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(upgrade("0004"))
        await connection.execute(
            text("INSERT INTO inbox (update_id, payload, received_at, handled_at) VALUES (:u, :p, :r, :h)"),
            [
                {"u": 11, "p": "", "r": now, "h": now},
                {"u": 12, "p": pending, "r": now, "h": None},
            ],
        )
        await connection.execute(
            text(
                "INSERT INTO outbox (id, lane, payload, status, attempts, not_before, created_at) "
                "VALUES (7, 1, '{}', 'pending', 0, :n, :n)"
            ),
            {"n": now},
        )
    await engine.dispose()
    store = await Store.open(database_url)
    try:
        assert [(i.update_id, i.payload) for i in await store.inbox_pending()] == [(12, pending)]
        async with store.unit_of_work():
            assert await store.inbox_add(updates=[(11, '{"update_id": 11}'), (12, pending)]) == [11, 12]
            assert await store.inbox_add(updates=[(13, '{"update_id": 13}')]) == []
        async with store.engine.begin() as connection:
            await connection.execute(text("DELETE FROM outbox WHERE id = 7"))
        from bot.core.text import Span
        from bot.core.types import Reply

        async with store.unit_of_work():
            await store.enqueue([Reply(chat_id=1, text=(Span("x"),))])
        (queued,) = await store.pending_outbox()
        if database_url.startswith("sqlite"):
            assert queued.id == 8  # AUTOINCREMENT: past the highest id ever given, the deleted 7 included
        else:
            assert queued.id != 7  # a sequence, which the explicit 7 above did not advance
    finally:
        await store.close()


async def test_0005_downgrades_and_upgrades_again(database_url: str) -> None:

    store = await Store.open(database_url)
    async with store.unit_of_work():
        await store.inbox_add(updates=[(5, '{"update_id": 5}')])
    async with store.engine.begin() as connection:
        await connection.run_sync(to("0004", down=True))
        await connection.run_sync(to("head"))
    assert [item.update_id for item in await store.inbox_pending()] == [5]
    await store.close()


async def test_0006_adds_the_report_tables_and_downgrades_cleanly(database_url: str) -> None:
    """0006 adds the anonymous funnel events and the digest's files; down to 0005 they go, and back."""
    import datetime as dt

    from sqlalchemy import text

    from bot.core.funnel import FunnelEvent, Kind

    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    store = await Store.open(database_url)
    try:
        await store.record_events(network="mini", events=[FunnelEvent(Kind.STARTED)], at=at)
        async with store.engine.begin() as connection:
            assert {"funnel_event", "report_file", "digest_sent"} <= await connection.run_sync(tables)
            await connection.run_sync(to("0005", down=True))
            assert not {"funnel_event", "report_file", "digest_sent"} & await connection.run_sync(tables)
            assert "outbox" in await connection.run_sync(tables)
            await connection.run_sync(to("head"))
        await store.record_events(
            network="mini", events=[FunnelEvent(Kind.REQUESTED, "hub-01", handoff_id=3)], at=at
        )
        async with store.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT kind, hub_id, handoff_id FROM funnel_event"))).all()
        assert [tuple(row) for row in rows] == [("requested", "hub-01", 3)]
    finally:
        await store.close()


async def test_0008_adds_the_copilot_tables_and_downgrades_cleanly(database_url: str) -> None:
    """0008 adds the groups linked with /link, bans and the advisors' notes; down to 0007 they go, and back."""
    import datetime as dt

    from bot.core.types import Profile

    new = {"hub_link", "user_ban", "handoff_note"}
    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    store = await Store.open(database_url)
    try:
        async with store.unit_of_work():
            handoff = await store.create_handoff(
                user_chat_id=42,
                hub_id="hub-01",
                hub_chat_id=-1001000000001,
                lang="fr",
                question="?",
                first_name="Marie",
                username=None,
                profile=Profile(),
                matches=(),
                remind_at=None,
            )
            await store.add_note(
                handoff_id=handoff.id, hub_id="hub-01", author="Luc", text="n", kind="note", at=at
            )
            await store.ban_user(hub_id="hub-01", user_chat_id=42, banned_by=777, at=at)
            await store.link_hub(hub_id="hub-02", chat_id=-1001000000042, linked_by=777, at=at)
        async with store.engine.begin() as connection:
            assert new <= await connection.run_sync(tables)
            await connection.run_sync(to("0007", down=True))
            assert not new & await connection.run_sync(tables)
            assert "handoff" in await connection.run_sync(tables)
            await connection.run_sync(to("head"))
        assert await store.hub_links() == [] and not await store.is_banned(hub_id="hub-01", user_chat_id=42)
        await store.link_hub(hub_id="hub-02", chat_id=-1001000000042, linked_by=777, at=at)
        assert [link.hub_id for link in await store.hub_links()] == ["hub-02"]
    finally:
        await store.close()
