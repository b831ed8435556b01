"""The fault tests' lost and duplicated counts, as quotable lines:

    .venv/bin/python -m tests.support.fault_report

Runs tests/e2e/test_fault_tolerance.py and tests/e2e/test_failover.py (the latter on a throwaway PostgreSQL
cluster) and prints each test's `fault-test ...` summary line, then pytest's verdict.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ["tests/e2e/test_fault_tolerance.py", "tests/e2e/test_failover.py"]


def main() -> int:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", *TESTS],
        cwd=ROOT,
        env={**os.environ, "PTB_TIMEDELTA": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.splitlines()
    for line in lines:
        if line.lstrip(". ").startswith("fault-test"):
            print(line.lstrip(". "))
    print(lines[-1] if lines else done.stderr[-2000:])
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
