"""Warm referrals in the core (docs/referrals.md): "Put me in touch" only where a partner can be reached, the
consent specific to the organisation, the referral to the partner's chat or queued as an e-mail, the partner's
answer (button or `/referral TOKEN ...`) told to the entrepreneur, the follow-up, /forget, and bad input."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.catalog.loader import check_catalog
from bot.catalog.model import Catalog
from bot.core.buttons import parse
from bot.core.dialogue import Dialogue
from bot.core.referral_buttons import PartnerAnswer, PutInTouch, ReferralFollowUp
from bot.core.types import Inbound, Person
from bot.i18n import I18n
from bot.storage import Store
from tests.support.clock import Clock
from tests.support.driver import CoreDriver
from tests.support.personas import MINI

PARTNER_CHAT = -1002000000001
PARTNER = Person(9090, "Paula")


def with_partner(catalog: Catalog) -> Catalog:
    """mentor-01-tech gets a partner chat; fund-all keeps only its e-mail; advice-startup has no contact."""
    entries = tuple(
        e.model_copy(update={"partner_chat_id": PARTNER_CHAT}) if e.id == "mentor-01-tech" else e
        for e in catalog.entries
    )
    return replace(catalog, entries=entries)


def make(catalog: Catalog, store: Store, i18n: I18n, clock: Clock, *, email: bool) -> CoreDriver:
    dialogue = Dialogue(
        catalog=with_partner(catalog),
        store=store,
        i18n=i18n,
        retention_days=90,
        now=clock,
        email_referrals=email,
    )
    return CoreDriver(dialogue)


@pytest.fixture
def driver(mini_catalog: Catalog, store: Store, i18n: I18n, clock: Clock) -> CoreDriver:
    return make(mini_catalog, store, i18n, clock, email=True)


async def results(driver: CoreDriver) -> None:
    await driver.say("/start")
    for data in ("st:startup", "sc:tech", "rg:01", "nd:mentoring", "nd:financing", "nd:advice", "nd:*"):
        await driver.press(data)


def touch_buttons(driver: CoreDriver) -> list[str]:
    return [b for b in driver.last().buttons if isinstance(parse(b), PutInTouch)]


async def rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    async with store.engine.connect() as connection:
        return [tuple(r) for r in (await connection.execute(text(sql))).all()]


async def test_the_button_shows_only_for_entries_a_partner_can_be_reached_at(
    mini_catalog: Catalog, store: Store, i18n: I18n, clock: Clock
) -> None:
    with_email = make(mini_catalog, store, i18n, clock, email=True)
    await results(with_email)
    shown = {parse(b).entry_id for b in touch_buttons(with_email)}  # type: ignore[union-attr]
    assert shown == {"mentor-01-tech", "fund-all"}  # advice-startup has no contact at all
    without_email = make(mini_catalog, store, i18n, clock, email=False)
    await results(without_email)
    assert {parse(b).entry_id for b in touch_buttons(without_email)} == {"mentor-01-tech"}  # type: ignore[union-attr]


async def test_telegram_referral_consent_question_accept_and_follow_up(
    driver: CoreDriver, store: Store, clock: Clock
) -> None:
    await results(driver)
    await driver.press("pt:mentor-01-tech")
    consent = driver.last()
    assert "Pôle BSL" in consent.text and "prénom" in consent.text and "/forget" in consent.text
    assert consent.buttons == ["pc:mentor-01-tech:yes", "pc:mentor-01-tech:no"]
    assert await rows(store, "SELECT id FROM referral") == []  # nothing kept before the answer
    await driver.press("pc:mentor-01-tech:yes")
    assert "En un message" in driver.last().text
    await driver.say("Je cherche un mentor en IA. marie@example.org")
    sent = driver.last(PARTNER_CHAT)
    assert "Marie" in sent.text and "Je cherche un mentor en IA" in sent.text
    assert (
        "Démarrage · Technologies · Bas-Saint-Laurent" in sent.text and str(driver.person.id) not in sent.text
    )
    referral_id = parse(sent.buttons[0]).referral_id  # type: ignore[union-attr]
    assert "j'ai envoyé votre demande à" in driver.texts()[-1]
    # a stranger's press does nothing; the partner's counts once
    stranger = await driver.run(Inbound(-100555, PARTNER, button=f"pa:{referral_id}:y", private=False))
    assert stranger.notice and not stranger.replies
    await driver.run(
        Inbound(PARTNER_CHAT, PARTNER, button=f"pa:{referral_id}:y", button_message_id=1, private=False)
    )
    assert "a accepté" in driver.texts()[-1]
    again = await driver.run(Inbound(PARTNER_CHAT, PARTNER, button=f"pa:{referral_id}:n", private=False))
    assert again.notice and "déjà" in again.notice
    assert await rows(store, "SELECT status FROM referral") == [("accepted",)]
    # the follow-up, 7 days later (the network's default), once
    clock.advance(days=6)
    assert not (await driver.tick()).replies
    clock.advance(days=1, minutes=1)
    asked = await driver.tick()
    assert len(asked.replies) == 1 and "L'organisme vous a-t-il contacté" in driver.last().text
    assert not (await driver.tick()).replies
    await driver.press(f"pu:{referral_id}:h")
    assert await rows(store, "SELECT contacted, helped FROM referral") == [(1, 1)]
    assert driver.notices[-1] is None
    await driver.press(f"pu:{referral_id}:x")  # answered already: expired
    assert driver.notices[-1]


async def test_email_referral_is_queued_and_answered_with_its_token(driver: CoreDriver, store: Store) -> None:
    await results(driver)
    await driver.press("pt:fund-all")
    assert "info@example.org" in driver.last().text
    await driver.press("pc:fund-all:yes")
    await driver.press(driver.last().buttons[0])  # send without a question
    [(to, subject, body)] = await rows(store, "SELECT to_addr, subject, body FROM referral_email")
    assert to == "info@example.org" and "Fonds pour tous" in subject
    [(token,)] = await rows(store, "SELECT token FROM referral")
    assert f"/referral {token} accept" in body and "Marie" in body and str(driver.person.id) not in body
    assert len(token) == 16
    usage = await driver.run(Inbound(PARTNER.id, PARTNER, command="referral", args=(token,)))
    assert "/referral CODE accept" in usage.replies[0].text[0].text
    wrong = await driver.run(Inbound(PARTNER.id, PARTNER, command="referral", args=("nope", "accept")))
    assert "Aucune" in wrong.replies[0].text[0].text
    await driver.run(Inbound(PARTNER.id, PARTNER, command="referral", args=(token, "decline"), message_id=5))
    assert "a décliné" in driver.texts()[-1] and "adv" in driver.last().buttons
    assert await rows(store, "SELECT status, follow_up_at FROM referral") == [("declined", None)]


async def test_a_partner_without_any_contact_gets_a_clear_message_and_nothing_changes(
    driver: CoreDriver, store: Store
) -> None:
    await results(driver)
    await driver.press("pt:advice-startup")  # forged: the button is never shown for it
    assert "aucun moyen de le joindre" in driver.texts()[-1]
    await driver.press("pc:advice-startup:yes")
    assert "aucun moyen de le joindre" in driver.texts()[-1]
    await driver.press("pt:no-such-entry")
    assert driver.notices[-1]  # expired
    assert await rows(store, "SELECT id FROM referral") == []


async def test_forget_keeps_only_the_anonymous_codes(driver: CoreDriver, store: Store) -> None:
    await results(driver)
    await driver.press("pt:fund-all")
    await driver.press("pc:fund-all:yes")
    await driver.say("Ma question, mon téléphone 418 555 0199")
    await driver.say("/forget")
    await driver.press("fg:yes")
    assert await rows(
        store, "SELECT user_chat_id, first_name, question, profile, entry_id FROM referral"
    ) == [(None, "", "", "{}", "fund-all")]
    assert await rows(store, "SELECT id FROM referral_email") == []


def test_button_keys_fit_and_parse() -> None:
    assert parse("pa:12:y") == PartnerAnswer(12, True)
    assert isinstance(parse("pu:3:n"), ReferralFollowUp)
    assert parse("pu:3:z") is None and parse("pt") is None
    assert dt.timedelta(days=7)  # the default follow-up delay, network.yaml `referral_follow_up_days`


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-1001000000001", None),
        ("8181", None),  # a person who started the bot
        (
            "0",
            "partner_chat_id: 0 is not a Telegram chat id: a group's such as -1001234567899, or a person's",
        ),
        ("true", "partner_chat_id: 'true' is not a whole number"),
        (
            str(2**70),
            f"partner_chat_id: {2**70} is not a Telegram chat id: a group's such as -1001234567899, or a person's",
        ),
    ],
)
def test_partner_chat_id_is_checked_at_its_line(tmp_path: Path, value: str, expected: str | None) -> None:
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    path = folder / "services.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "  - id: fund-02\n", f"  - id: fund-02\n    partner_chat_id: {value}\n", 1
        ),
        encoding="utf-8",
    )
    at = next(n for n, t in enumerate(path.read_text().splitlines(), start=1) if "partner_chat_id" in t)
    problems = check_catalog(folder, today=dt.date(2026, 11, 23)).problems
    found = [str(p).replace(f"{folder}/", "") for p in problems if p.severity == "error"]
    assert found == ([] if expected is None else [f"services.yaml:{at}: {expected}"])


async def test_a_question_too_long_is_shared_cut_and_the_person_is_told(
    driver: CoreDriver, store: Store
) -> None:
    await results(driver)
    await driver.press("pt:mentor-01-tech")
    await driver.press("pc:mentor-01-tech:yes")
    await driver.say("Bonjour. " + "x" * 1500)
    [(question,)] = await rows(store, "SELECT question FROM referral")
    assert len(str(question)) == 1000
    assert (
        "Seuls les 1\u202f000 premiers caractères de votre question ont été transmis." in driver.texts()[-1]
    )


async def test_a_short_question_is_shared_whole_without_a_word_about_cutting(driver: CoreDriver) -> None:
    await results(driver)
    await driver.press("pt:mentor-01-tech")
    await driver.press("pc:mentor-01-tech:yes")
    await driver.say("Je cherche un mentor en IA.")
    assert "premiers caractères" not in driver.texts()[-1]
