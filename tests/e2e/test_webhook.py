"""End to end in webhook mode: each update is stored before our webhook answers 200; forged posts get 403."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.telegram.webhook import PATH, SECRET_HEADER
from tests.support.botapi import BotApiDouble, User
from tests.support.personas import MARIE, MINI
from tests.support.running import running_bot

pytestmark = pytest.mark.e2e

SECRET = "s" * 40
HELP = "Je peux vous aider à trouver de l'accompagnement"  # the answer to /help


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


async def test_webhook_stores_then_answers_and_refuses_forgeries(tmp_path: Path, database_url: str) -> None:
    import asyncio

    port = free_port()
    settings = {
        "mode": "webhook",
        "webhook_url": "https://bot.example.org/telegram",
        "webhook_secret": SECRET,
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
    }
    async with running_bot(tmp_path, MINI, database_url=database_url, **settings) as bot:
        message = bot.api.user_says(MARIE, "/start")  # what Telegram would post to the webhook
        update = {"update_id": 7, "message": message}
        assert bot.api.webhook is not None and bot.api.webhook["url"] == "https://bot.example.org/telegram"
        assert await asyncio.to_thread(post, port, update, "wrong" * 8) == 403
        assert await asyncio.to_thread(post, port, {"not": "an update"}, SECRET) == 400
        assert await bot.core.store.inbox_pending() == []  # nothing forged was stored
        assert await asyncio.to_thread(post, port, update, SECRET) == 200
        await bot.bot_says(MARIE.id, "À quelle étape en est votre projet ?")
        assert await asyncio.to_thread(post, port, update, SECRET) == 200  # Telegram retrying
        later = {"update_id": 8, "message": bot.api.user_says(MARIE, "/help")}
        assert await asyncio.to_thread(post, port, later, SECRET) == 200
        await bot.bot_says(MARIE.id, HELP)  # her updates are handled in order: the retry's turn has passed
        assert greetings_before_help(bot.api, MARIE.id) == 1  # the same update_id is handled once


def greetings_before_help(api: BotApiDouble, chat_id: int) -> int:
    """How often the bot greeted this person before answering their /help (which asks the question again)."""
    texts = [m.get("text", "") for m in api.bot_messages(chat_id)]
    help_at = next((n for n, text in enumerate(texts) if HELP in text), len(texts))
    return sum("À quelle étape" in text for text in texts[:help_at])


def webhook_settings(port: int) -> dict[str, object]:
    return {
        "mode": "webhook",
        "webhook_url": "https://bot.example.org/telegram",
        "webhook_secret": SECRET,
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
    }


async def test_webhook_answers_new_updates_that_reuse_old_ids_and_logs_true_duplicates(
    tmp_path: Path, any_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 11, item 1 over webhook: after a quiet week Telegram's ids start again, here at ids already
    stored. Only the same update sent again (same id, same content) is a duplicate, and it is logged."""
    import asyncio
    import logging

    caplog.set_level(logging.INFO, logger="bot.telegram.pipeline")
    port = free_port()
    first = [User(6100 + n, f"Avant{n}", language_code="fr") for n in range(5)]
    later = [User(6200 + n, f"Apres{n}", language_code="fr") for n in range(5)]
    async with running_bot(tmp_path, MINI, database_url=any_database_url, **webhook_settings(port)) as bot:
        for n, user in enumerate(first):
            update = {"update_id": 40 + n, "message": bot.api.user_says(user, "/start")}
            assert await asyncio.to_thread(post, port, update, SECRET) == 200
            assert await asyncio.to_thread(post, port, update, SECRET) == 200  # Telegram retrying
        for n, user in enumerate(later):  # the same ids, new messages
            update = {"update_id": 40 + n, "message": bot.api.user_says(user, "/start")}
            assert await asyncio.to_thread(post, port, update, SECRET) == 200
        for user in first + later:
            await bot.bot_says(user.id, "À quelle étape en est votre projet ?")
        for n, user in enumerate(
            first
        ):  # each writes again: once that is answered, the retry's turn has passed
            update = {"update_id": 60 + n, "message": bot.api.user_says(user, "/help")}
            assert await asyncio.to_thread(post, port, update, SECRET) == 200
        for user in first:
            await bot.bot_says(user.id, HELP)
        counts = {u.id: greetings_before_help(bot.api, u.id) for u in first + later}
        assert set(counts.values()) == {1}, counts
    skipped = [r for r in caplog.records if "skipped as a duplicate" in r.getMessage()]
    assert len(skipped) == len(first)


def raw_post(port: int, headers: dict[str, str], body_sent: bytes, timeout: float = 3.0) -> str:
    """Send the headers and only part of the body, then read: the status line, or '' if none came."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        head = f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()
        )
        connection.sendall(head.encode() + b"\r\n" + body_sent)
        try:
            return connection.recv(200).decode(errors="replace").split("\r\n", 1)[0]
        except TimeoutError:
            return ""


async def test_webhook_refuses_a_forged_call_before_reading_its_body_and_caps_bodies(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 11, item 11: 500 unauthenticated 10 MB posts took the process to 5 GB because every body was
    read before the secret was checked. Now the answer comes after the headers alone."""
    import asyncio
    import logging

    caplog.set_level(logging.WARNING, logger="bot.telegram.webhook")
    port = free_port()
    big = {"Content-Type": "application/json", "Content-Length": str(10 * 1024 * 1024)}
    async with running_bot(tmp_path, MINI, database_url=database_url, **webhook_settings(port)):
        status = await asyncio.to_thread(raw_post, port, {**big, SECRET_HEADER: "wrong" * 8}, b"x" * 65536)
        assert status.startswith("HTTP/1.1 403"), status or "no answer before the body was sent"
        status = await asyncio.to_thread(raw_post, port, big, b"x" * 65536)  # no secret at all
        assert status.startswith("HTTP/1.1 403"), status
        status = await asyncio.to_thread(raw_post, port, {**big, SECRET_HEADER: SECRET}, b"{")
        assert status.startswith("HTTP/1.1 413"), status  # authenticated, but far over any update
        for _ in range(60):
            assert await asyncio.to_thread(post, port, {"update_id": 1}, "forged" * 6) == 403
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert 1 <= len(refusals) <= 2, [r.getMessage() for r in refusals]  # one line per 10 s, with a count
