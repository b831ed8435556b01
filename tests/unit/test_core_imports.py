"""The core stands alone: importing it loads no database library, no storage module and nothing of Telegram.

It reaches them only through its ports (bot/core/ports.py). Checked in a fresh interpreter, because this test
process has long since imported all of them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot.core", "bot.understanding", "bot.catalog")  # the core and what it builds on
FORBIDDEN = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "aiosqlite",
    "asyncpg",
    "telegram",
    "bot.storage",
    "bot.telegram",
)

PROBE = f"""
import importlib, pkgutil, sys
import bot.core.dialogue
modules = ["bot.core.dialogue"]
for name in {PACKAGES!r}:
    package = importlib.import_module(name)
    for info in pkgutil.walk_packages(package.__path__, name + "."):
        importlib.import_module(info.name)
        modules.append(info.name)
print(len(modules))
forbidden = {FORBIDDEN!r}
for loaded in sorted(sys.modules):
    if any(loaded == f or loaded.startswith(f + ".") for f in forbidden):
        print(loaded)
"""


def test_importing_the_core_loads_no_storage_and_no_telegram() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    imported, *offenders = done.stdout.split()
    assert int(imported) > 40, f"only {imported} modules imported: the probe missed the packages"
    roots = [m for m in offenders if m.rpartition(".")[0] not in offenders]  # not each submodule
    assert not offenders, f"importing the core loaded {len(offenders)} modules of: " + ", ".join(roots)
