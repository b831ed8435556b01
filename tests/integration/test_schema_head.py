"""The start-up skips Alembic when the database is at the newest migration, and creates a brand-new one
from the models at that revision: the constant `HEAD_REVISION` must be the head Alembic itself would
upgrade to, and neither start may load Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from bot.storage import MIGRATIONS_DIR
from bot.storage.engine import HEAD_REVISION


def test_head_revision_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


START = """
import asyncio, sys
from bot.storage import Store

async def main():
    store = await Store.open(sys.argv[1])
    await store.close()

asyncio.run(main())
print("alembic.command" in sys.modules)
"""

OLD_DATABASE = """
import asyncio, sys
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import create_async_engine
from bot.storage import MIGRATIONS_DIR

def upgrade(connection):
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "0009")

async def main():
    engine = create_async_engine(sys.argv[1])
    async with engine.begin() as connection:
        await connection.run_sync(upgrade)
    await engine.dispose()

asyncio.run(main())
"""


def _start(url: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", START, url], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.slow(busy=True)  # starts fresh interpreters (2-3 of them), a second each
def test_neither_a_first_nor_a_second_start_loads_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    assert [_start(url) for _ in range(2)] == ["False", "False"]  # created at the head, then up to date


@pytest.mark.slow(busy=True)  # starts fresh interpreters (2-3 of them), a second each
def test_a_database_at_an_older_revision_is_migrated_by_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    subprocess.run([sys.executable, "-c", OLD_DATABASE, url], capture_output=True, text=True, check=True)
    assert [_start(url) for _ in range(2)] == ["True", "False"]  # migrated, then up to date
