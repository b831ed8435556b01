"""A brand-new database is created from the models and stamped at the head, without Alembic
(`bot.storage.engine.create_schema`): its schema must be the very one the migrations build, on SQLite and on
PostgreSQL, and a database created so must go on migrating (down and up) like a migrated one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.engine import HEAD_REVISION, create_schema
from tests.support.databases import sqlite_url, to
from tests.support.postgres import Cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def two_empty_databases(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "created.db"), sqlite_url(tmp_path / "migrated.db")
    cluster: Cluster = request.getfixturevalue("postgres")
    return cluster.database(), cluster.database()


def schema(connection: Connection) -> dict[str, Any]:
    """Everything the inspector sees of every table: columns (type, nullability, server default), primary
    key, foreign keys, indexes, unique and check constraints; on SQLite, AUTOINCREMENT too."""
    inspector = inspect(connection)
    tables: dict[str, Any] = {}
    for name in sorted(inspector.get_table_names()):
        columns = {
            column["name"]: (
                str(column["type"]),
                column["nullable"],
                None if column.get("default") is None else str(column["default"]).strip("'()"),
            )
            for column in inspector.get_columns(name)
        }
        pk = inspector.get_pk_constraint(name)
        tables[name] = {
            "columns": columns,
            "primary key": (pk.get("name"), tuple(pk["constrained_columns"])),
            "foreign keys": sorted(
                (
                    fk.get("name") or "",
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    tuple(sorted((fk.get("options") or {}).items())),
                )
                for fk in inspector.get_foreign_keys(name)
            ),
            "indexes": sorted(
                (index["name"] or "", tuple(map(str, index["column_names"])), bool(index["unique"]))
                for index in inspector.get_indexes(name)
            ),
            "unique": sorted(
                (u.get("name") or "", tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(name)
            ),
            "checks": sorted(
                (c.get("name") or "", c["sqltext"]) for c in inspector.get_check_constraints(name)
            ),
        }
        if connection.dialect.name == "sqlite":
            sql = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": name}
            ).scalar_one()
            tables[name]["autoincrement"] = "AUTOINCREMENT" in sql.upper()
    version = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return {"tables": tables, "version": version}


async def _schema_of(url: str, build: Any) -> dict[str, Any]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(build)
        async with engine.connect() as connection:
            return await connection.run_sync(schema)
    finally:
        await engine.dispose()


async def test_a_created_database_has_the_migrated_schema(two_empty_databases: tuple[str, str]) -> None:
    created_url, migrated_url = two_empty_databases
    created = await _schema_of(created_url, create_schema)
    migrated = await _schema_of(migrated_url, to("head"))
    assert created["version"] == migrated["version"] == [HEAD_REVISION]
    assert sorted(created["tables"]) == sorted(migrated["tables"])
    for table in migrated["tables"]:
        assert created["tables"][table] == migrated["tables"][table], table


async def test_a_created_database_migrates_down_and_up_again(two_empty_databases: tuple[str, str]) -> None:
    """Alembic takes a created database where the migrations would have left it: down to the first
    revision and back to the head, the schema is the migrated one."""
    created_url, migrated_url = two_empty_databases

    def down_and_up(connection: Connection) -> None:
        create_schema(connection)
        to("0001", down=True)(connection)
        to("head")(connection)

    again = await _schema_of(created_url, down_and_up)
    migrated = await _schema_of(migrated_url, to("head"))
    assert again == migrated
