#!/usr/bin/env python3
"""Project tasks that need nothing but Python 3.11+: each one creates `.venv` and installs what it needs.

    python3 tasks.py run      serve Telegram, or chat in the terminal when no token is set
    python3 tasks.py test     lint, types, then the whole test suite on parallel workers, the slow tests
                              first (extra arguments go to one pytest process, as they are)
    python3 tasks.py quick    the inner loop: the tests not marked slow, on parallel workers, stopping at
                              the first failure
    python3 tasks.py types    the type checker alone (mypy, configured in pyproject.toml)
    python3 tasks.py bench    the benchmarks, then the load test (the bot beside a bare echo bot) and an
                              announcement to 1,000 subscribers while people chat (tools/)
    python3 tasks.py chat | lint | format | messages | check-catalog | bench | relevance

Only the standard library is used here, so this file works before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-for"
# asyncpg (the `postgres` extra) is installed for the tests too: they run on PostgreSQL as well as SQLite.
EXTRAS = "dev,postgres"
# Test workers (pytest-xdist): twice the cores, since the tests wait for sockets, child processes and
# retry delays about half of their time (measured on 2 cores: 4 workers beat 2). `--dist worksteal` lets an
# idle worker take tests queued for a busy one; tests/conftest.py puts the slow tests that wait first.
WORKERS = ("-n", str(min(8, 2 * (os.cpu_count() or 1))), "--dist", "worksteal")
# The inner loop's pytest options: the tests not marked slow (pyproject.toml), stopping at the first failure,
# on one worker more than the cores: without the slow tests little time is spent waiting, and each worker
# collects the tests and builds its understanders again (about 4 s of CPU); 3 workers beat 4 on 2 cores.
QUICK = ("-m", "not slow", "-x", "-q", "-n", str(min(8, (os.cpu_count() or 1) + 1)), "--dist", "worksteal")


def ensure_environment() -> None:
    """Create `.venv` and install the pinned dependencies, again whenever pyproject.toml changed."""
    if sys.version_info < (3, 11):
        sys.exit(f"Aiguilleur needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + EXTRAS.encode()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing Aiguilleur and its pinned dependencies into .venv ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[{EXTRAS}]"], check=True, cwd=ROOT)
    STAMP.write_text(wanted)


def run(*command: str, timeout: float | None = None, **env: str) -> int:
    try:
        return subprocess.run(
            command, cwd=ROOT, env={**os.environ, **env}, check=False, timeout=timeout
        ).returncode
    except subprocess.TimeoutExpired:
        print(
            f"tasks.py: {' '.join(command[1:3])} still running after {timeout:.0f} s: stopped, failing",
            file=sys.stderr,
        )
        return 124


def ensure_chromium() -> None:
    """The report's page is checked in a real headless browser (tests/integration/test_report_page.py): install
    Debian's chromium when it is missing and we may (root, apt-get); elsewhere that test skips, or fails in CI."""
    import shutil

    apt_get = shutil.which("apt-get")
    if shutil.which("chromium") or apt_get is None or not hasattr(os, "geteuid") or os.geteuid():
        return
    print("Installing chromium (Debian package) for the report's screenshot test ...", flush=True)
    apt = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([apt_get, "update", "-qq"], check=False, env=apt)
    subprocess.run([apt_get, "install", "-y", "-qq", "chromium"], check=False, env=apt)


def lint() -> int:
    return run(str(BIN / "ruff"), "check", ".") or run(str(BIN / "ruff"), "format", "--check", ".")


def tests(rest: list[str]) -> int:
    """The whole suite, spread over `WORKERS` processes, the slow tests (which mostly wait: child processes
    killed and restarted, Telegram's retry delays) starting first. With arguments (a -k, a path), one
    process, as they ask."""
    pytest = (str(PYTHON), "-m", "pytest")
    if rest:
        return run(*pytest, *rest, timeout=1800, PTB_TIMEDELTA="true")
    return run(*pytest, *WORKERS, timeout=1800, PTB_TIMEDELTA="true")


# The catalogs the tests build understanders for: their models are cached before the workers start.
WARM = ("catalog/quebec", "catalog/algerie", "tests/support/catalogs/mini")


def warm_models() -> int:
    """Train and cache the understanding models once (a fresh machine's cache is empty), not once per worker."""
    return run(str(PYTHON), "-m", "bot.understanding.warm", *WARM)


def types() -> int:
    return run(str(BIN / "mypy"))


def main(argv: list[str]) -> int:
    task, *rest = argv or ["help"]
    tasks = {
        "run": lambda: run(str(PYTHON), "-m", "bot", "run"),
        "chat": lambda: run(str(PYTHON), "-m", "bot", "chat"),
        # Lint and types first; the first failure stops the task and its exit code is returned.
        # pytest exits 5 when it collects no test: that is returned as is, and it fails CI.
        # pytest-timeout stops a hung test; this stops a run that hangs anywhere else (at exit, say), so CI
        # fails in 30 minutes instead of stalling for an hour.
        "test": lambda: lint() or types() or ensure_chromium() or warm_models() or tests(rest),
        # The inner loop: no lint, no types, no slow tests (fault tolerance, failover: see pyproject.toml).
        "quick": lambda: (
            warm_models()
            or run(str(PYTHON), "-m", "pytest", *QUICK, *rest, timeout=600, PTB_TIMEDELTA="true")
        ),
        "lint": lint,
        "types": types,
        "format": lambda: (
            run(str(BIN / "ruff"), "check", "--fix", ".") or run(str(BIN / "ruff"), "format", ".")
        ),
        "messages": lambda: run(str(PYTHON), "-m", "tools.messages"),
        "bench": lambda: (
            run(str(PYTHON), "-m", "tools.bench_catalog")
            or run(str(PYTHON), "-m", "tools.bench_storage")
            or run(str(PYTHON), "-m", "tools.bench_startup")
            or run(str(PYTHON), "-m", "tools.bench_relay")
            or run(str(PYTHON), "-m", "tools.bench_report")
            or run(str(PYTHON), "-m", "tools.bench_load")
            or run(str(PYTHON), "-m", "tools.bench_announce")
        ),
        "relevance": lambda: (
            run(str(PYTHON), "-m", "tools.relevance", *rest)
            or (not rest and run(str(PYTHON), "-m", "tools.relevance", "tests/relevance/heldout.yaml"))
        ),
        "check-catalog": lambda: run(
            str(PYTHON), "-m", "bot", "catalog", "check", *(rest or ["catalog/quebec"])
        ),
    }
    if task not in tasks:
        print(__doc__)
        return 0 if task in ("help", "-h", "--help") else 2
    ensure_environment()
    return tasks[task]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
