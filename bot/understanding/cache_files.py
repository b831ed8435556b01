"""Keeping the model cache small: each edit of `intents/` (or of the code that prepares the examples) writes
new files under new names, and nothing else would ever remove the old ones (468 MB on a developer's machine
after a few weeks). A file read back is marked as used (its modification time), and after each write only the
`KEEP` most recently used files of that kind stay: enough for every catalog and language a deployment or a
test run uses, since a file in use is marked at every start."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

KEEP = 40  # files of one kind (models, prepared examples); a Québec bot uses 9 models and 3 + 3 example files


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write a cache file under a temporary name, then rename it: another process reading the cache never sees
    half a file. A read-only or full disk is no error (the next start prepares or trains again)."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                write(out)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def mark_used(path: Path) -> None:
    """A cached file was just read: it counts as recent, whenever it was written."""
    with contextlib.suppress(OSError):
        os.utime(path)


def keep_recent(folder: Path, pattern: str, keep: int = KEEP) -> None:
    """Remove all but the `keep` most recently used files matching `pattern` (another process still reading
    one keeps it open: removing its name does not disturb it)."""
    with contextlib.suppress(OSError):
        files = sorted(folder.glob(pattern), key=_used_at, reverse=True)
        for old in files[keep:]:
            with contextlib.suppress(OSError):
                old.unlink()


def _used_at(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
