"""The start-up skips Alembic when the database is at the newest migration: that newest one, read from the
files without Alembic, must be the one Alembic itself would upgrade to."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from bot.storage import MIGRATIONS_DIR
from bot.storage.engine import head_revision


def test_head_read_from_the_files_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


SECOND_START = """
import asyncio, sys
from bot.storage import Store

async def main():
    store = await Store.open(sys.argv[1])
    await store.close()

asyncio.run(main())
print("alembic.command" in sys.modules)
"""


def test_a_second_start_on_an_up_to_date_database_does_not_load_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    runs = [
        subprocess.run(
            [sys.executable, "-c", SECOND_START, url], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs == ["True", "False"]  # the first start migrates; the second finds the schema up to date
