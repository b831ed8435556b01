"""Migrations: a fresh database upgraded to head has exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.storage import Store, metadata


async def test_models_and_migrations_do_not_diverge(store: Store) -> None:
    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(connection)  # type: ignore[arg-type]
        return compare_metadata(context, metadata)

    async with store.engine.connect() as connection:
        changes = await connection.run_sync(diff)
    assert changes == [], "a model changed without a migration: run alembic revision --autogenerate"


async def test_upgrade_is_idempotent_across_restarts(database_url: str) -> None:
    for _ in range(2):
        store = await Store.open(database_url)
        await store.close()
