"""The monthly digest in the running bot: on the first working day of the month the coordination chat gets
last month's summary, its charts as photos and its CSV as a document, once; `/report` is for admins only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.telegram.digest import post_digest
from tests.support.botapi.values import Upload
from tests.support.personas import ADMIN_CHAT, COORDINATION_CHAT, MARIE, MINI, MINI_HUB_CHAT
from tests.support.personas import CATALOG_ADMIN as ADMIN
from tests.support.running import Running, running_bot

pytestmark = pytest.mark.e2e
TUESDAY_1ST_9H = dt.datetime(2026, 12, 1, 14, 0, tzinfo=dt.UTC)  # 9:00 in Québec, first working day


@pytest.fixture
async def running(tmp_path: Path, database_url: str) -> AsyncIterator[Running]:
    catalog = tmp_path / "catalog"
    shutil.copytree(MINI, catalog)
    network = catalog / "network.yaml"
    network.write_text(network.read_text(encoding="utf-8") + "digest:\n  enabled: true\n  hour: 9\n")
    groups = {MINI_HUB_CHAT: "Pôle BSL", COORDINATION_CHAT: "Coordination", ADMIN_CHAT: "Admins"}
    async with running_bot(
        tmp_path,
        catalog,
        database_url=database_url,
        groups=groups,
        admin_chat_id=ADMIN_CHAT,
        admin_user_ids=[ADMIN.id],
    ) as bot:
        yield bot


async def test_the_coordination_chat_gets_last_months_digest_once(running: Running) -> None:
    await running.say(MARIE, "/start hub-01")  # in November (the tests' clock)
    for data in ("st:startup", "sc:tech", "nd:mentoring", "nd:*", "adv", "ok:yes"):
        await running.press(MARIE, data)
    await running.bot_says(MARIE.id, "En un message")
    await running.say(MARIE, "Comment trouver un mentor ?")
    await running.bot_says(MINI_HUB_CHAT, "Demande no 1")
    assert not await post_digest(running.app, TUESDAY_1ST_9H - dt.timedelta(hours=1)), "before the hour"
    assert await post_digest(running.app, TUESDAY_1ST_9H)
    summary = await running.bot_says(COORDINATION_CHAT, "Rapport mensuel du Réseau mini : novembre 2026")
    assert "Demandes à un conseiller : <5" in summary["text"]
    document = await running.api.wait_for(
        lambda: next((m for m in running.api.bot_messages(COORDINATION_CHAT) if "document" in m), None),
        description="the CSV in the coordination chat",
    )
    assert document["document"]["file_name"] == "report-mini-2026-11.csv"
    photos = [m for m in running.api.bot_messages(COORDINATION_CHAT) if "photo" in m]
    assert len(photos) == 2, "the funnel and the demand; no claim to time, no gap"
    assert all(p["photo"][0]["width"] >= 1000 for p in photos)
    assert "entonnoir" in photos[0]["caption"] and "besoins exprimés" in photos[1]["caption"]
    (upload,) = [c.params["document"] for c in running.api.calls_to("sendDocument")]
    assert isinstance(upload, Upload)
    rows = list(csv.DictReader(io.StringIO(upload.content.decode("utf-8"))))
    assert {"section": "funnel", "metric": "requested", "value": "<5"}.items() <= next(
        r for r in rows if r["metric"] == "requested"
    ).items()
    assert "Marie" not in upload.content.decode("utf-8")
    sent = len(running.api.bot_messages(COORDINATION_CHAT))
    assert not await post_digest(running.app, TUESDAY_1ST_9H + dt.timedelta(hours=3)), "once a month"
    assert len(running.api.bot_messages(COORDINATION_CHAT)) == sent


async def test_report_on_demand_is_for_admins(running: Running) -> None:
    await running.say(MARIE, "/report")
    await running.bot_says(MARIE.id, "Je ne connais pas cette commande.")
    await running.say(ADMIN, "/report 2026-11")
    await running.bot_says(ADMIN.id, "Rapport mensuel du Réseau mini : novembre 2026")
    await running.api.wait_for(
        lambda: any("document" in m for m in running.api.bot_messages(ADMIN.id)),
        description="the CSV in the admin's chat",
        timeout=15,
    )
    assert running.api.bot_messages(COORDINATION_CHAT) == []
    await running.say(ADMIN, "/report 2999-01")
    await running.bot_says(ADMIN.id, "/report 2026-11")
