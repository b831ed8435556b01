"""End to end: a need nothing covers is admitted in the chat, an advisor is offered, and the gap is recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.personas import MARIE, MINI, MINI_HUB_CHAT
from tests.support.running import Running, running_bot

pytestmark = pytest.mark.e2e


@pytest.fixture
async def running(tmp_path: Path, database_url: str) -> AsyncIterator[Running]:
    groups = {MINI_HUB_CHAT: "Pôle BSL — conseillers"}
    async with running_bot(tmp_path, MINI, groups=groups, database_url=database_url) as bot:
        yield bot


async def test_a_gap_is_admitted_with_an_advisor_offered_and_recorded(running: Running) -> None:
    await running.say(MARIE, "/start")
    await running.bot_says(MARIE.id, "À quelle étape en est votre projet ?")
    for data, expect in (
        ("st:idea", "Dans quel secteur"),
        ("sc:tech", "Dans quelle région"),
        ("rg:01", "De quoi avez-vous besoin"),
    ):
        await running.press(MARIE, data, expect=expect)
    await running.press(MARIE, "nd:advice")
    await running.api.wait_for(
        lambda: "✓ Conseils" in str(running.api.last_bot_message(MARIE.id)["reply_markup"])
    )
    await running.press(MARIE, "nd:*")
    results = await running.bot_says(MARIE.id, "Rien dans le catalogue ne couvre Conseils")
    assert results["text"].startswith(
        "Rien dans le catalogue ne couvre Conseils pour : Idée · Technologies · Bas-Saint-Laurent. "
        "Un conseiller de votre pôle connaît peut-être d'autres options"
    )
    assert "Les plus proches (1-" in results["text"]
    buttons = [b["callback_data"] for row in results["reply_markup"]["inline_keyboard"] for b in row]
    assert "adv" in buttons
    gaps = await running.core.store.coverage_gaps(network="mini")
    assert [(g.region, g.stage, g.sector, g.need) for g in gaps] == [("01", "idea", "tech", "advice")]
