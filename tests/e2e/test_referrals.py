"""End to end: warm referrals to partners through the real Application and the Bot API double
(docs/referrals.md). A referral to a partner's Telegram chat accepted with its button, the entrepreneur told,
the follow-up days later; a referral by e-mail received by a local SMTP server (127.0.0.1), then declined
with `/referral TOKEN decline`; a partner the bot cannot reach; a partner without any contact; /forget; the
report's counts; a flow in Arabic on the Algerian catalog.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.reporting.command import Request, make_report
from bot.reporting.view import sections
from bot.storage.reports import Period
from tests.support.botapi import BOT_USERNAME, User
from tests.support.personas import MARIE, MINI, MINI_HUB_CHAT, ROOT
from tests.support.running import Running, running_bot
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.e2e

PARTNER = User(8181, "Paula", language_code="fr")  # the partner's own Telegram account (started the bot)
AMINE = User(6363, "Amine", language_code="ar")


def copy_catalog(source: Path, tmp_path: Path, entry_id: str, chat_id: int) -> Path:
    """A copy of a catalog whose `entry_id` names a partner chat."""
    folder = tmp_path / "catalog"
    shutil.copytree(source, folder)
    for name in ("services.yaml", "opportunities.yaml"):
        path = folder / name
        found = path.read_text(encoding="utf-8")
        marker = f"  - id: {entry_id}\n"
        if marker in found:
            path.write_text(
                found.replace(marker, f"{marker}    partner_chat_id: {chat_id}\n"), encoding="utf-8"
            )
            return folder
    raise AssertionError(entry_id)


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    async with SmtpServer() as server:
        yield server


@pytest.fixture
async def running(tmp_path: Path, database_url: str, smtp: SmtpServer) -> AsyncIterator[Running]:
    catalog = copy_catalog(MINI, tmp_path, "mentor-01-tech", PARTNER.id)
    async with running_bot(
        tmp_path,
        catalog,
        database_url=database_url,
        groups={MINI_HUB_CHAT: "Pôle BSL"},
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_sender="aiguilleur@example.org",
        smtp_starttls=False,
    ) as bot:
        bot.api.register_user(PARTNER)
        yield bot


async def results(bot: Running, person: User, start: str = "/start hub-01", *presses: str) -> dict[str, Any]:
    await bot.say(person, start)
    for data in presses or ("st:startup", "sc:tech", "nd:mentoring", "nd:financing", "nd:advice", "nd:*"):
        await bot.press(person, data)
    return await bot.api.wait_for(lambda: _with_button(bot, person, "al"), description="the results")


def _with_button(bot: Running, person: User, data: str) -> dict[str, Any] | None:
    last = bot.api.last_bot_message(person.id) or {}
    buttons = [
        b.get("callback_data") for row in last.get("reply_markup", {}).get("inline_keyboard", []) for b in row
    ]
    return last if data in buttons else None


def _skip(bot: Running, person: User) -> str | None:
    last = bot.api.last_bot_message(person.id) or {}
    found = [
        b.get("callback_data") for row in last.get("reply_markup", {}).get("inline_keyboard", []) for b in row
    ]
    return next((d for d in found if d and d.startswith("sk:")), None)


async def rows(bot: Running, sql: str) -> list[tuple[Any, ...]]:
    async with bot.core.store.engine.connect() as connection:
        return [tuple(r) for r in (await connection.execute(text(sql))).all()]


async def test_telegram_referral_accepted_with_a_button_then_followed_up(running: Running) -> None:
    page = await results(running, MARIE)
    assert _with_button(running, MARIE, "pt:mentor-01-tech") and _with_button(running, MARIE, "pt:fund-all")
    assert "pt:advice-startup" not in str(page)  # no contact at all: no button
    await running.press(MARIE, "pt:mentor-01-tech", expect="Vous mettre en relation avec Pôle BSL ?")
    consent = running.api.last_bot_message(MARIE.id)["text"]
    assert "votre prénom" in consent and "/forget" in consent and "par Telegram" in consent
    await running.press(MARIE, "pc:mentor-01-tech:yes", expect="En un message")
    await running.say(MARIE, "Je cherche un mentor en IA; marie@example.org")
    await running.bot_says(MARIE.id, "j'ai envoyé votre demande à")
    referral = await running.bot_says(PARTNER.id, "Mise en relation no 1")
    assert "Marie" in referral["text"] and "Je cherche un mentor en IA" in referral["text"]
    assert "Démarrage · Technologies · Bas-Saint-Laurent" in referral["text"]
    assert str(MARIE.id) not in referral["text"]
    await running.press(PARTNER, "pa:1:y", expect="acceptée")
    await running.bot_says(MARIE.id, "Bonne nouvelle : Pôle BSL a accepté la mise en relation")
    assert await rows(running, "SELECT status, channel FROM referral") == [("accepted", "telegram")]
    # 7 days later (the network's default), the follow-up, once; its answer recorded
    running.clock.advance(days=7, minutes=1)
    await running.tick()
    await running.bot_says(MARIE.id, "L'organisme vous a-t-il contacté·e ?")
    await running.tick()
    assert sum("L'organisme vous a-t-il contacté" in t for t in running.texts(MARIE.id)) == 1
    await running.press(MARIE, "pu:1:h", expect="Bonne chance")
    assert await rows(running, "SELECT contacted, helped FROM referral") == [(1, 1)]
    report = await make_report(
        running.core.store,
        running.core.dialogue.catalog,
        Request(Period("mini", None, running.clock.now), None, running.clock.now.date()),
    )
    counts = next(s for s in sections(report) if s.name == "referrals")
    assert counts.rows == ((("mentor-01-tech",), ("<5", "<5", "<5")),)


async def emailed_referral(running: Running, smtp: SmtpServer) -> Any:
    """Marie asks to be put in touch with a partner reached by e-mail; the e-mail as the SMTP server got it."""
    await results(running, MARIE)
    await running.press(MARIE, "pt:fund-all", expect="par courriel, à info@example.org")
    await running.press(MARIE, "pc:fund-all:yes", expect="En un message")
    await running.press(MARIE, "pq:1:y", expect="j'ai envoyé votre demande à")
    return await running.api.wait_for(
        lambda: smtp.received[0] if smtp.received else None, description="the e-mail"
    )


async def test_email_referral_reaches_the_smtp_server_then_is_declined_by_command(
    running: Running, smtp: SmtpServer
) -> None:
    mail = await emailed_referral(running, smtp)
    assert mail.recipients == ["info@example.org"] and mail.sender == "aiguilleur@example.org"
    assert "Mise en relation no 1" in mail.message["Subject"] and "Fonds pour tous" in mail.message["Subject"]
    body = mail.body
    assert "Marie" in body and "Démarrage · Technologies · Bas-Saint-Laurent" in body
    assert str(MARIE.id) not in body
    token = re.search(r"/referral (\S+) decline", body)
    assert token is not None
    for _ in range(100):  # marked sent just after the server answered
        if await rows(running, "SELECT status, attempts FROM referral_email") == [("sent", 1)]:
            break
        await asyncio.sleep(0.05)
    assert await rows(running, "SELECT status, attempts FROM referral_email") == [("sent", 1)]
    await running.say(PARTNER, f"/referral {token.group(1)} decline")
    await running.bot_says(PARTNER.id, "déclinée")
    await running.bot_says(MARIE.id, "Banque exemple a décliné la mise en relation")
    assert await rows(running, "SELECT status FROM referral") == [("declined",)]
    await running.say(PARTNER, f"/referral {token.group(1)} accept")
    await running.bot_says(PARTNER.id, "a déjà reçu une réponse")
    assert len(smtp.received) == 1  # sent once


async def test_email_referral_accepted_through_its_reply_link(running: Running, smtp: SmtpServer) -> None:
    """The e-mail's "Accept" link opens the bot with `/start rf-TOKEN-a`, which is the partner's answer."""
    mail = await emailed_referral(running, smtp)
    link = re.search(rf"https://t\.me/{BOT_USERNAME}\?start=(rf-\S+-a)\b", mail.body)
    assert link is not None, mail.body
    await running.say(PARTNER, f"/start {link.group(1)}")  # what Telegram sends when the link is opened
    await running.bot_says(MARIE.id, "a accepté la mise en relation")
    assert await rows(running, "SELECT status FROM referral") == [("accepted",)]
    assert not any("Bonjour" in t for t in running.texts(PARTNER.id))  # no intake for the partner


async def test_a_partner_without_contact_or_unreachable_changes_nothing_or_is_said(running: Running) -> None:
    page = await results(running, MARIE)
    running.api.user_presses(
        MARIE, page, "pt:advice-startup", check_button=False
    )  # forged: never shown for it
    await running.bot_says(MARIE.id, "aucun moyen de le joindre")
    assert await rows(running, "SELECT id FROM referral") == []
    # a partner chat the bot cannot write to: the referral fails and the entrepreneur is told
    await running.say(PARTNER, "/start")
    running.api.user_blocks_bot(PARTNER)
    await running.press(MARIE, "pt:mentor-01-tech")
    await running.press(MARIE, "pc:mentor-01-tech:yes")
    await running.press(MARIE, "pq:1:y")
    await running.bot_says(MARIE.id, "Je n'ai pas pu joindre Pôle BSL")
    assert await rows(running, "SELECT status FROM referral") == [("failed",)]


async def test_forget_empties_the_referrals_personal_content(running: Running) -> None:
    await results(running, MARIE)
    await running.press(MARIE, "pt:fund-all")
    await running.press(MARIE, "pc:fund-all:yes")
    await running.say(MARIE, "Mon téléphone : 418 555 0199")
    await running.bot_says(MARIE.id, "j'ai envoyé votre demande à")
    await running.say(MARIE, "/forget")
    await running.press(MARIE, "fg:yes")
    found = await rows(
        running, "SELECT user_chat_id, first_name, question, profile, entry_id, status FROM referral"
    )
    assert found == [(None, "", "", "{}", "fund-all", "sent")]
    assert await rows(running, "SELECT id FROM referral_email") == []


async def test_arabic_referral_on_the_algerian_catalog(tmp_path: Path, database_url: str) -> None:
    catalog = copy_catalog(ROOT / "catalog" / "algerie", tmp_path, "asf-capital-risque", PARTNER.id)
    async with running_bot(tmp_path, catalog, database_url=database_url) as bot:
        bot.api.register_user(PARTNER)
        await bot.say(AMINE, "/start anpt-sidi-abdellah")
        for data in ("st:startup", "sc:tech", "rg:DZ-16", "nd:financing", "nd:*"):
            await bot.press(AMINE, data)
        for _ in range(5):  # the optional eligibility questions the first page depends on: skipped
            await bot.api.wait_for(lambda: _skip(bot, AMINE) or _with_button(bot, AMINE, "al"))
            if (skip := _skip(bot, AMINE)) is None:
                break
            await bot.press(AMINE, skip)
        page = await bot.api.wait_for(lambda: _with_button(bot, AMINE, "al"), description="the results")
        if _with_button(bot, AMINE, "pt:asf-capital-risque"):
            await bot.press(AMINE, "pt:asf-capital-risque")
        else:  # further down the results: the same press from the page
            bot.api.user_presses(AMINE, page, "pt:asf-capital-risque", check_button=False)
        consent = await bot.bot_says(AMINE.id, "هل تريد أن أربطك")
        assert "اسمك الأول" in consent["text"] and "/forget" in consent["text"]
        await bot.press(AMINE, "pc:asf-capital-risque:yes", expect="في رسالة واحدة")
        await bot.say(AMINE, "أبحث عن تمويل لمشروعي")
        await bot.bot_says(AMINE.id, "أرسلت طلبك")
        referral = await bot.bot_says(PARTNER.id, "Mise en relation no 1")  # the network's language: French
        assert "Amine" in referral["text"] and "أبحث عن تمويل لمشروعي" in referral["text"]
        await bot.press(PARTNER, "pa:1:n", expect="déclinée")
        await bot.bot_says(AMINE.id, "رفضت")
        bot.clock.advance(days=8)
        await bot.tick()
        assert not any("هل تواصلوا معك" in t for t in bot.texts(AMINE.id))  # declined: no follow-up
