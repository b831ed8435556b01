"""The load benchmark (tools/bench_load.py) runs end to end with tiny numbers, so that it cannot rot: both
systems are measured, every message gets its reply, and the SQL of one text message is counted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NUMBER = r"-?\d+\.\d+"
TINY = ["--seconds", "1", "--rate", "5", "--burst", "5", "--idle", "1", "--runs", "1"]


@pytest.mark.slow  # two child processes started, fed and stopped: about 20 s
def test_the_load_benchmark_measures_both_systems_and_every_message_is_answered() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.bench_load", *TINY],
        cwd=ROOT,
        env={**os.environ, "PTB_TIMEDELTA": "true"},
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr

    table = out.split("median of 1 runs", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    rows = {label: values for label, *values in (re.split(r"\s{2,}", line.strip()) for line in table)}
    for label in (
        "steady 5/s: CPU per message (ms)",
        "steady: latency p50 (ms)",
        "steady: latency p99 (ms)",
        "burst 5: CPU per message (ms)",
        "peak RSS (MB)",
    ):
        echo, bot, ratio = rows[label][:3]
        assert re.fullmatch(NUMBER, echo) and re.fullmatch(NUMBER, bot), (label, rows[label])
        assert float(echo) > 0 and float(bot) > 0, (label, rows[label])
        assert re.fullmatch(NUMBER + "x", ratio), (label, rows[label])
    echo, bot = rows["idle 1 s: CPU (% of a core)"][:2]  # 0.00 is a fair idle reading
    assert re.fullmatch(NUMBER, echo) and re.fullmatch(NUMBER, bot)
    assert re.fullmatch(NUMBER, rows["steady: SQL statements per message"][1])

    # 5 steady messages and 5 in the burst, each with its reply, for both systems
    assert re.search(r"^replies: echo 10/10, bot 10/10 ", out, re.MULTILINE), out
    # a text message reads its conversation and writes its outbox row (the transactions counted as begun)
    one = re.search(
        r"^one text message on the bot .*: \d+ statements, ([1-9]\d*) transactions", out, re.MULTILINE
    )
    assert one, out
    assert re.search(r"^\s+\d+\s+SELECT conversation$", out, re.MULTILINE), out
    assert re.search(r"^\s+\d+\s+INSERT outbox$", out, re.MULTILINE), out
