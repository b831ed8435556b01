"""A throwaway PostgreSQL cluster for the test run, started from the installed binaries.

One cluster per test session (`initdb` into a temporary folder, `pg_ctl start` on a free loopback port,
`fsync=off`), one fresh database per test. PostgreSQL refuses to run as root: when the tests run as root (a
CI container), the cluster runs as an unprivileged account: `postgres` when the system has one, else a system
account `aiguilleur-pg` created with `useradd`. Without PostgreSQL binaries the PostgreSQL tests are skipped
with the reason, except in CI (`CI=true`), where a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SEARCH = ("/usr/local/bin", "/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/opt/homebrew/bin")
ACCOUNT = "aiguilleur-pg"
SUPERUSER = "aiguilleur"


class Unavailable(Exception):
    """No PostgreSQL here; the message says why and what to install."""


def find_binaries() -> Path:
    """The folder holding initdb, pg_ctl, postgres and psql (the newest version found)."""
    candidates = [shutil.which("initdb")]
    for pattern in SEARCH:
        candidates += sorted(glob.glob(f"{pattern}/initdb"), reverse=True)
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            folder = Path(candidate).resolve().parent  # /usr/local/bin/initdb is often a symlink
            if all((folder / tool).exists() for tool in ("pg_ctl", "postgres", "psql")):
                return folder
    raise Unavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres, psql) in PATH or "
        f"{', '.join(SEARCH)}: install PostgreSQL 15 (apt-get install postgresql-15) to run these tests"
    )


def _account() -> tuple[int, int] | None:
    """The (uid, gid) the server runs as: None when the tests do not run as root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", ACCOUNT):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
    # Another test session may create it at the same moment: whoever wins, the account then exists.
    useradd = ["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin"]
    subprocess.run([*useradd, ACCOUNT], check=False, capture_output=True)
    try:
        entry = pwd.getpwnam(ACCOUNT)
    except KeyError:
        raise Unavailable(f"running as root and could not create the account {ACCOUNT!r} (useradd)") from None
    return entry.pw_uid, entry.pw_gid


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One running PostgreSQL server in a temporary folder; `database()` gives each test its own."""

    def __init__(self) -> None:
        self.bin = find_binaries()
        self.account = _account()
        # Beside the tests' temporary folders: in memory when there is room (tests/__init__.py). Each test's
        # database is a copy of the template, hundreds of files, all deleted when the cluster stops.
        self.folder = Path(
            tempfile.mkdtemp(prefix="aiguilleur-pg-", dir=os.environ.get("PYTEST_DEBUG_TEMPROOT"))
        )
        self.data = self.folder / "data"
        self.port = free_port()
        self._names = itertools.count(1)
        self.version = ""

    def _run(self, *command: str, timeout: float = 60) -> str:
        uid_gid = {} if self.account is None else {"user": self.account[0], "group": self.account[1]}
        done = subprocess.run(
            [str(self.bin / command[0]), *command[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.folder,
            extra_groups=[] if self.account else None,
            **uid_gid,  # type: ignore[arg-type]
        )
        if done.returncode != 0:
            raise Unavailable(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-800:]}")
        return done.stdout

    def start(self) -> Cluster:
        if self.account is not None:
            os.chown(self.folder, *self.account)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync")
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "log"),
            "-o",
            options,
        )
        self.version = self.sql("SHOW server_version").strip()
        return self

    def sql(self, statement: str, database: str = "postgres") -> str:
        return self._run(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", database,
            "-v", "ON_ERROR_STOP=1", "-tAc", statement,
        )  # fmt: skip

    def database(self) -> str:
        """A new empty database; its SQLAlchemy URL (asyncpg)."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self.sql(f"CREATE DATABASE {name}")
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        with contextlib.suppress(Unavailable, subprocess.TimeoutExpired):
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


def required() -> bool:
    """In CI a missing PostgreSQL fails the run instead of skipping its tests."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
