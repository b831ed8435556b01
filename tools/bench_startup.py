"""Benchmark: cold start of `aiguilleur chat` (to its first question) and `aiguilleur run` (to its first
getUpdates against the loopback Bot API double), median of several runs.

    .venv/bin/python -m tools.bench_startup [runs]
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.botapi import TOKEN, BotApiDouble

ROOT = Path(__file__).resolve().parent.parent


def chat_start(folder: Path) -> float:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "", "DATABASE_URL": f"sqlite+aiosqlite:///{folder}/chat.db"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="/quit\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    return time.perf_counter() - start


def run_start(folder: Path) -> float:
    with BotApiDouble() as api:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.base_url.removesuffix("/bot"),
            "DATABASE_URL": f"sqlite+aiosqlite:///{folder}/run.db",
            "PTB_TIMEDELTA": "true",
        }
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while not api.calls_to("getUpdates"):
            if process.poll() is not None:
                raise RuntimeError("aiguilleur run exited early")
            time.sleep(0.005)
        elapsed = time.perf_counter() - start
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    return elapsed


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, measure in (
            ("aiguilleur chat (to exit after the first question)", chat_start),
            ("aiguilleur run (to the first getUpdates)", run_start),
        ):
            times = sorted(measure(Path(folder)) for _ in range(runs))
            print(
                f"{name}: median {statistics.median(times) * 1000:.0f} ms, min {times[0] * 1000:.0f} ms, {runs} runs"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
