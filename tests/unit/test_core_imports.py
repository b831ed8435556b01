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


# Each layer imports only the layers under it: the catalog and the understanding know nothing of the core
# (they share `bot/normalize.py`), and the core knows nothing of storage or Telegram.
MAY_NOT_IMPORT = {
    "catalog": {"core", "understanding", "storage", "telegram", "reporting", "bootstrap"},
    "understanding": {"core", "storage", "telegram", "reporting", "bootstrap"},
    "core": {"storage", "telegram", "reporting", "bootstrap"},
}


def _imports_by_package() -> dict[str, set[tuple[str, str]]]:
    """(module, imported package) for every `from bot.X ...` / `import bot.X` inside each package of bot/."""
    import ast

    found: dict[str, set[tuple[str, str]]] = {}
    for path in (ROOT / "bot").rglob("*.py"):
        parts = path.relative_to(ROOT / "bot").parts
        if len(parts) < 2:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        for name in names:
            if name.startswith("bot.") and name.split(".")[1] != parts[0]:
                found.setdefault(parts[0], set()).add((str(path.relative_to(ROOT)), name.split(".")[1]))
    return found


def test_layers_import_only_downwards() -> None:
    imports = _imports_by_package()
    assert imports.get("core"), "the scan found no import of the core: it looked in the wrong place"
    upward = sorted(
        f"{module} imports bot.{target}"
        for package, forbidden in MAY_NOT_IMPORT.items()
        for module, target in imports.get(package, ())
        if target in forbidden
    )
    assert not upward, "\n".join(upward)
