"""The tests. Imported by pytest before any conftest or test module (in the xdist controller too), so this is
where the run's process-wide choices are made, before anything uses them:

- Bytecode is written. With PYTHONDONTWRITEBYTECODE set (some shells and containers set it), each test worker,
  and each `python -m bot` a test starts, compiled all of bot/ and rewrote every test module's asserts again:
  about 1.5 s of CPU per worker (tasks.py starts 4). What is imported from here on (bot/, tests/, tools/)
  leaves its bytecode in __pycache__ (ignored by git) for the next process to read.
- The tests' temporary folders (`tmp_path`: catalog copies, SQLite files, caches) are in memory when the
  machine has room there (/dev/shm with 4 GB free), unless PYTEST_DEBUG_TEMPROOT or `--basetemp` says where.
  A run writes thousands of files, and pytest deletes the run before last at start: on a disk mounted with
  `discard` each deletion cost about a millisecond, several seconds per run.
"""

import os
import shutil
import sys

sys.dont_write_bytecode = False

MEMORY = "/dev/shm"  # noqa: S108 (the folder is pytest's own, per user, under it)
if "PYTEST_DEBUG_TEMPROOT" not in os.environ and os.path.isdir(MEMORY) and os.access(MEMORY, os.W_OK):
    try:
        room = shutil.disk_usage(MEMORY).free
    except OSError:
        room = 0
    if room >= 4 * 1024**3:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = MEMORY
