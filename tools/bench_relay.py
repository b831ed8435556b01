"""Benchmark: relay latency through a handoff, both ways, with `python -m bot run` as a child process against
the loopback Bot API double (so the bot and the double do not share an interpreter).

Each relay is measured alone: from the moment the user's message is queued in the double (`user_says`) to
the moment the bot's copyMessage reaches the double, which stores the copy in the destination chat at once.
Everything the durable pipeline does is inside: the long poll answered, the update stored (a commit), the
next poll confirming it, the update handled with its outbox row (a second commit), the outbox woken, the
copy sent. Entrepreneur -> hub and advisor -> entrepreneur alternate; the first few are a warm-up.

    .venv/bin/python -m tools.bench_relay [relays per direction, default 100] [runs, default 3]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.support.faults import HUB_CHAT, LUC, MARIE, BotProcess, bot_process, open_handoff

WARM_UP = 5
TIMEOUT = 10.0


def relay(bot: BotProcess, text: str, *, advisor: bool, card_id: int) -> float:
    """Seconds from the message being written to its copy reaching the other side."""
    api = bot.api
    source = HUB_CHAT if advisor else MARIE.id
    start = time.monotonic()
    if advisor:
        message_id = api.user_says(LUC, text, chat_id=HUB_CHAT, reply_to_message_id=card_id)["message_id"]
    else:
        message_id = api.user_says(MARIE, text)["message_id"]
    while time.monotonic() - start < TIMEOUT:
        for call in reversed(api.calls):
            if (
                call.method == "copyMessage"
                and call.params.get("from_chat_id") == source
                and call.params.get("message_id") == message_id
            ):
                return call.at - start
        time.sleep(0.001)  # the time comes from the double, not from this loop
    raise RuntimeError(f"{text!r} was not relayed within {TIMEOUT:g} s\n{bot.log_tail()}")


def one_run(count: int) -> dict[str, list[float]]:
    """A fresh double, database and bot; `count` timed relays per direction, in milliseconds."""
    times: dict[str, list[float]] = {"entrepreneur -> hub": [], "advisor -> entrepreneur": []}
    with tempfile.TemporaryDirectory() as folder, bot_process(Path(folder)) as bot:
        bot.start()
        card_id = open_handoff(bot)
        for n in range(WARM_UP + count):
            for name, advisor in (("entrepreneur -> hub", False), ("advisor -> entrepreneur", True)):
                elapsed = relay(bot, f"{'A' if advisor else 'E'}-{n:03d}", advisor=advisor, card_id=card_id)
                if n >= WARM_UP:
                    times[name].append(elapsed * 1000)
        bot.stop()
    return times


def summary(values: list[float]) -> tuple[float, float, float]:
    """p50, p99 and max, in milliseconds."""
    ordered = sorted(values)
    return statistics.median(ordered), statistics.quantiles(ordered, n=100)[98], ordered[-1]


def main(count: int, runs: int) -> None:
    results: dict[str, list[tuple[float, float, float]]] = {}
    for run in range(1, runs + 1):
        for name, values in one_run(count).items():
            p50, p99, worst = summary(values)
            results.setdefault(name, []).append((p50, p99, worst))
            print(
                f"run {run}, {name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms ({count} relays)"
            )
    for name, per_run in results.items():
        p50, p99, worst = (statistics.median(column) for column in zip(*per_run, strict=True))
        print(
            f"relay {name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms "
            f"(median of {runs} runs of {count} relays)"
        )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100,
        int(sys.argv[2]) if len(sys.argv) > 2 else 3,
    )
