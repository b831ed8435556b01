"""Two bot processes on one PostgreSQL database, against one loopback Bot API double: one is active (it holds
the database's advisory lock), the other stands by without polling or sending. The active one is SIGKILLed in
the middle of a handoff's traffic; the standby takes over within 10 s and nothing is lost. A duplicate is
excused only for a copy executed just before the kill (the at-least-once window of docs/handoff.md).
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_fault_tolerance import AT_LEAST_ONCE_WINDOW, check, settle
from tests.support.botapi import BotApiDouble
from tests.support.faults import BotProcess, Traffic, open_handoff
from tests.support.personas import MINI_HUB_CHAT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]  # two child processes and a 10 s takeover

TAKEOVER_SECONDS = 10.0


def test_the_standby_takes_over_within_10_s_of_a_sigkill_and_nothing_is_lost_or_doubled(
    tmp_path: Path, postgres_url: str
) -> None:
    rng = random.Random(11)
    with BotApiDouble() as api:
        api.register_group(MINI_HUB_CHAT, "Pôle BSL — conseillers")
        active = BotProcess(api, tmp_path, database_url=postgres_url, name="active")
        standby = BotProcess(api, tmp_path, database_url=postgres_url, name="standby")
        try:
            active.start()
            standby.start(wait=False)
            standby.wait_until(
                lambda: "standing by" in standby.log_text(), 30, "the second process to stand by"
            )
            card = open_handoff(active)
            traffic = Traffic(api, card, each=60, interval=0.05).start()
            time.sleep(rng.uniform(1.5, 3.0))
            conflicts = [c for c in api.calls_to("getUpdates") if c.status == 409]
            polls = len(api.calls_to("getUpdates"))
            active.kill()
            killed_at = active.kills[-1]
            standby.wait_until(
                lambda: len(api.calls_to("getUpdates")) > polls, TAKEOVER_SECONDS + 5, "the standby to poll"
            )
            took_over = next(c.at for c in api.calls_to("getUpdates")[polls:]) - killed_at
            ways = settle(standby, traffic, timeout=60)

            def just_before_the_kill(call: Any) -> bool:
                return 0 <= killed_at - call.at <= AT_LEAST_ONCE_WINDOW

            lost, duplicated, excused = check(ways, just_before_the_kill)
        finally:
            active.close()
            standby.close()
    print(
        f"\nfault-test failover (PostgreSQL, 2 processes): {len(traffic.sources)} messages, active one "
        f"SIGKILLed, standby polling after {took_over:.1f} s, {lost} lost, {duplicated} duplicated "
        f"({excused} excused: executed less than {AT_LEAST_ONCE_WINDOW:g} s before the kill), "
        f"{len(conflicts)} getUpdates conflicts while both ran"
    )
    assert not conflicts, "the standby polled while the active process was alive"
    assert took_over <= TAKEOVER_SECONDS
