"""End to end in webhook mode: each update is stored before our webhook answers 200; forged posts get 403."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.telegram.webhook import PATH, SECRET_HEADER
from tests.conftest import MINI
from tests.support.botapi import User
from tests.support.running import running_bot

pytestmark = pytest.mark.e2e

SECRET = "s" * 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(port: int, payload: object, secret: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{PATH}",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", SECRET_HEADER: secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


MARIE = User(4242, "Marie", language_code="fr")


async def test_webhook_stores_then_answers_and_refuses_forgeries(tmp_path: Path) -> None:
    import asyncio

    port = free_port()
    settings = {
        "mode": "webhook",
        "webhook_url": "https://bot.example.org/telegram",
        "webhook_secret": SECRET,
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
    }
    async with running_bot(tmp_path, MINI, **settings) as bot:
        message = bot.api.user_says(MARIE, "/start")  # what Telegram would post to the webhook
        update = {"update_id": 7, "message": message}
        assert bot.api.webhook is not None and bot.api.webhook["url"] == "https://bot.example.org/telegram"
        assert await asyncio.to_thread(post, port, update, "wrong" * 8) == 403
        assert await asyncio.to_thread(post, port, {"not": "an update"}, SECRET) == 400
        assert await bot.core.store.inbox_offset() == 0  # nothing forged was stored
        assert await asyncio.to_thread(post, port, update, SECRET) == 200
        await bot.bot_says(4242, "À quelle étape en est votre projet ?")
        assert await asyncio.to_thread(post, port, update, SECRET) == 200  # Telegram retrying
        await asyncio.sleep(0.3)
        greetings = [m for m in bot.api.bot_messages(4242) if "À quelle étape" in m.get("text", "")]
        assert len(greetings) == 1  # the same update_id is handled once
