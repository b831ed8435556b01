"""The referral e-mails' durable queue (bot/telegram/mailer.py) against a local SMTP server on 127.0.0.1: a
failure is retried later (backoff), a success is marked sent once, the password never reaches a log line."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import text

from bot.core.types import Profile
from bot.settings import load_settings
from bot.storage import Store
from bot.telegram.mailer import FIRST_RETRY, Mailer
from tests.support.smtp import SmtpServer

PASSWORD = "s3cret-smtp-password"


async def queue_one(store: Store) -> None:
    now = dt.datetime.now(dt.UTC)
    referral = await store.create_referral(
        user_chat_id=4242,
        network="mini",
        entry_id="fund-all",
        channel="email",
        partner_chat_id=None,
        lang="fr",
        first_name="Marie",
        profile=Profile(stage="startup"),
        at=now,
    )
    assert await store.send_referral(
        referral_id=referral.id, question="", token="tok", follow_up_at=None, at=now
    )
    await store.queue_referral_email(
        referral_id=referral.id, to="info@example.org", subject="S", body="B", at=now
    )


async def state(store: Store) -> list[tuple[object, ...]]:
    async with store.engine.connect() as connection:
        result = await connection.execute(text("SELECT status, attempts, next_at FROM referral_email"))
        return [tuple(r) for r in result.all()]


@pytest.mark.parametrize("user", [None, "bot"])
async def test_a_failure_is_retried_later_and_a_success_marked_once(
    store: Store, user: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    async with SmtpServer(fail_next=1) as server:
        settings = load_settings(
            smtp_host="127.0.0.1",
            smtp_port=server.port,
            smtp_sender="aiguilleur@example.org",
            smtp_starttls=False,
            smtp_user=user,
            smtp_password=PASSWORD if user else None,
        )
        mailer = Mailer(store, settings)
        await queue_one(store)
        with caplog.at_level(logging.DEBUG):
            assert await mailer.send_due() == 0  # 451 (or no AUTH on this server): retried later
        [(status, attempts, _next_at)] = await state(store)
        assert (status, attempts) == ("pending", 1)
        assert PASSWORD not in caplog.text and "info@example.org" not in caplog.text
        assert await mailer.send_due() == 0  # not due yet: the backoff holds it
        assert server.received == []
        if user:  # this server offers no login: the password is never sent nor logged, the e-mail waits
            return
        async with store.engine.begin() as connection:
            await connection.execute(
                text("UPDATE referral_email SET next_at = :t"), {"t": dt.datetime(2020, 1, 1)}
            )
        assert await mailer.send_due() == 1
        assert await mailer.send_due() == 0
        assert [r.recipients for r in server.received] == [["info@example.org"]]
        assert [row[:2] for row in await state(store)] == [("sent", 2)]
    assert FIRST_RETRY >= 1


async def test_an_address_the_server_refuses_is_given_up_at_once(store: Store) -> None:
    """A 550 on the recipient will be a 550 tomorrow too: no day of retries, the e-mail is given up."""
    async with SmtpServer(refused=("info@example.org",)) as server:
        settings = load_settings(
            smtp_host="127.0.0.1",
            smtp_port=server.port,
            smtp_sender="aiguilleur@example.org",
            smtp_starttls=False,
        )
        await queue_one(store)
        assert await Mailer(store, settings).send_due() == 0
        [(status, attempts, _next_at)] = await state(store)
        assert status != "pending" and attempts == 1
        assert server.received == []
