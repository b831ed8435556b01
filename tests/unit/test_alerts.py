"""Opportunity alerts in the core (docs/alerts.md): which opportunities fit a subscriber, what a reload
announces and to whom (once), the consent, /alerts, "remind me" and its bad input, the reminder sent once."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.catalog.model import Catalog
from bot.catalog.schema import Opportunity
from bot.core.announcements import fits, new_or_reopened, remind_at
from bot.core.dialogue import Dialogue
from bot.core.types import Person, Profile
from bot.storage import Store
from tests.support.clock import Clock
from tests.support.driver import CoreDriver

TODAY = dt.date(2026, 11, 24)
TODAY_AT = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
FINANCING_01 = Profile(stage="startup", sectors=("tech",), region="01", needs=("financing",))
MENTORING_01 = Profile(stage="startup", sectors=("tech",), region="01", needs=("mentoring",))


def opportunity(
    entry_id: str = "call-new", deadline: dt.date = dt.date(2027, 6, 30), **fields: object
) -> Opportunity:
    values: dict[str, object] = {
        "id": entry_id,
        "title": {"fr": "Nouvel appel", "en": "New call"},
        "organization": "MRC exemple",
        "summary": {"fr": "Un nouvel appel de projets.", "en": "A new call for projects."},
        "regions": ["01"],
        "needs": ["financing"],
        "deadline": deadline,
        **fields,
    }
    return Opportunity.model_validate(values)


def with_entries(catalog: Catalog, *entries: Opportunity) -> Catalog:
    kept = tuple(e for e in catalog.entries if e.id not in {n.id for n in entries})
    return replace(catalog, entries=kept + entries)


# -- the rules, plainly ---------------------------------------------------------------------------------------


def test_an_opportunity_fits_when_the_results_would_show_it_and_it_covers_a_stated_need() -> None:
    new = opportunity()
    assert fits(new, FINANCING_01, TODAY) is not None
    assert fits(new, MENTORING_01, TODAY) is None  # eligible, but not what they asked for: no alert
    assert fits(new, replace(FINANCING_01, region="02"), TODAY) is None  # another region
    assert fits(new, replace(FINANCING_01, needs=()), TODAY) is not None  # no need stated: eligible is enough
    assert fits(opportunity(deadline=dt.date(2026, 11, 23)), FINANCING_01, TODAY) is None  # closed
    why = fits(new, FINANCING_01, TODAY)
    assert why is not None and [r.dimension for r in why.reasons] == ["need", "region"]


def test_new_and_reopened_opportunities_are_those_absent_or_closed_at_the_last_comparison(
    mini_catalog: Catalog,
) -> None:
    catalog = with_entries(
        mini_catalog, opportunity(), opportunity("call-expired", dt.date(2027, 5, 1), regions=[])
    )
    known = {
        "call-expired": dt.date(2026, 1, 15),
        "call-01": dt.date(2027, 1, 1),
    }  # call-01 extended: no news
    assert sorted(e.id for e in new_or_reopened(catalog, known, TODAY)) == ["call-expired", "call-new"]
    assert new_or_reopened(mini_catalog, {"call-01": dt.date(2027, 3, 15)}, TODAY) == []


def test_the_reminder_is_7_days_before_the_deadline_at_nine_in_the_networks_time_zone(
    mini_catalog: Catalog,
) -> None:
    assert remind_at(mini_catalog, dt.date(2027, 3, 15)) == dt.datetime(2027, 3, 8, 14, 0, tzinfo=dt.UTC)


# -- the entrepreneur's side ----------------------------------------------------------------------------------


async def results(driver: CoreDriver, need: str = "financing") -> None:
    await driver.say("/start")
    for data in ("st:startup", "sc:tech", "rg:01", f"nd:{need}", "nd:*"):
        await driver.press(data)


async def test_subscribing_asks_consent_then_alerts_shows_and_stops(driver: CoreDriver, store: Store) -> None:
    await results(driver)
    assert "al" in driver.last().buttons and "rm:call-01" in driver.last().buttons
    await driver.press("al")
    consent = driver.last()
    assert "identifiant de votre conversation Telegram" in consent.text and "/forget" in consent.text
    assert consent.buttons == ["ay:yes", "ay:no"]
    assert await store.subscription(chat_id=driver.person.id) is None  # nothing kept before the answer
    await driver.press("ay:yes")
    assert "je vous alerterai des nouvelles occasions pour" in driver.texts()[-1]
    kept = await store.subscription(chat_id=driver.person.id)
    assert kept is not None and kept.profile.needs == ("financing",) and kept.lang == "fr"
    await driver.say("/alerts")
    shown = driver.last()
    assert (
        "Nouvelles occasions pour : Démarrage · Technologies · Bas-Saint-Laurent · Financement" in shown.text
    )
    assert shown.buttons == ["ax"]
    await driver.press("ax")
    assert "plus d'alertes" in driver.texts()[-1]
    assert await store.subscription(chat_id=driver.person.id) is None
    await driver.press("ax")
    assert driver.notices[-1] == "Ce bouton a expiré. Utilisez le message le plus récent."


async def test_no_subscription_without_answers(driver: CoreDriver, store: Store) -> None:
    await driver.say("/alerts")
    assert "Répondez d'abord à quelques questions (/start)" in driver.texts()[-1]
    assert driver.last().buttons == []
    await driver.press("ay:yes")  # forged
    assert await store.subscription(chat_id=driver.person.id) is None


async def test_remind_me_saves_one_reminder_and_explains_what_it_cannot_do(
    driver: CoreDriver, store: Store
) -> None:
    await results(driver)
    await driver.press("rm:call-01")
    assert "Je vous rappellerai Appel régional BSL le 8 mars 2027" in driver.texts()[-1]
    await driver.press("rm:call-01")
    assert "Vous avez déjà un rappel" in driver.texts()[-1]
    await driver.press("rm:fund-all")  # forged: a service has no deadline
    assert "n'a pas de date limite" in driver.texts()[-1]
    await driver.press("rm:call-expired")
    assert "est passée" in driver.texts()[-1]
    await driver.press("rm:nothing-here")
    assert driver.notices[-1] == "Ce bouton a expiré. Utilisez le message le plus récent."
    assert [r.entry_id for r in await store.reminders_of(chat_id=driver.person.id)] == ["call-01"]
    await driver.say("/alerts")
    assert "Appel régional BSL : rappel le 8 mars 2027 (date limite 15 mars 2027)" in driver.last().text
    assert driver.last().buttons == ["al", "rx:call-01"]
    await driver.press("rx:call-01")
    assert await store.reminders_of(chat_id=driver.person.id) == []


async def test_a_deadline_too_close_gets_no_reminder(driver: CoreDriver, store: Store, clock: Clock) -> None:
    await results(driver)
    clock.now = dt.datetime(2027, 3, 10, 15, 0, tzinfo=dt.UTC)
    await driver.press("rm:call-01")
    assert "dans moins de 7 jours" in driver.texts()[-1]
    assert await store.reminders_of(chat_id=driver.person.id) == []


# -- over time ------------------------------------------------------------------------------------------------


async def subscribe(dialogue: Dialogue, person: Person, need: str) -> CoreDriver:
    driver = CoreDriver(dialogue, person=person)
    await results(driver, need)
    await driver.press("al")
    await driver.press("ay:yes")
    return driver


async def test_a_reload_announces_a_fitting_opportunity_once_and_only_to_whom_it_fits(
    dialogue: Dialogue, store: Store
) -> None:
    assert (await dialogue.alerts_tick()).replies == ()  # the first comparison announces nothing
    marie = await subscribe(dialogue, Person(1, "Marie", language_code="fr"), "financing")
    lea = await subscribe(dialogue, Person(2, "Léa", language_code="fr"), "mentoring")
    sam = await subscribe(dialogue, Person(3, "Sam", language_code="en"), "financing")
    await store.subscribe(chat_id=4, lang="fr", profile=replace(FINANCING_01, region="02"), at=TODAY_AT)
    dialogue.catalog = with_entries(dialogue.catalog, opportunity())
    announced = (await dialogue.announce()).replies
    assert sorted(r.chat_id for r in announced) == [marie.person.id, sam.person.id]
    english = next(r for r in announced if r.chat_id == sam.person.id)
    text = "".join(span.text for span in english.text)
    assert text.startswith("🔔 A new opportunity fits your project\n\nNew call — MRC exemple")
    assert "Why: Financing · in Bas-Saint-Laurent" in text
    assert "Deadline: June 30, 2027" in text
    assert [b.data for row in english.buttons for b in row] == ["rm:call-new"]
    assert lea.person.id not in [r.chat_id for r in announced]
    assert (await dialogue.alerts_tick()).replies == ()  # the same catalog: nothing again
    dialogue.catalog = replace(dialogue.catalog)  # another reload of the same entries
    assert (await dialogue.announce()).replies == ()
    reopened = opportunity("call-expired", dt.date(2027, 5, 1), regions=[])
    dialogue.catalog = with_entries(dialogue.catalog, reopened)
    assert sorted(r.chat_id for r in (await dialogue.announce()).replies) == [1, 3, 4]


async def test_the_reminder_is_sent_once_when_due(dialogue: Dialogue, store: Store, clock: Clock) -> None:
    driver = CoreDriver(dialogue)
    await results(driver)
    await driver.press("rm:call-01")
    await dialogue.alerts_tick()
    clock.now = dt.datetime(2027, 3, 8, 13, 59, tzinfo=dt.UTC)
    assert (await dialogue.alerts_tick()).replies == ()
    clock.advance(minutes=2)
    sent = (await dialogue.alerts_tick()).replies
    assert len(sent) == 1 and sent[0].chat_id == driver.person.id
    assert "".join(s.text for s in sent[0].text).startswith("⏰ Rappel : il reste 7 jours")
    assert (await dialogue.alerts_tick()).replies == ()
    assert await store.reminders_of(chat_id=driver.person.id) == []


async def test_a_subscription_that_fits_nothing_is_told_so_and_gets_nothing(
    dialogue: Dialogue, store: Store
) -> None:
    await dialogue.alerts_tick()
    catalog = dialogue.catalog
    dialogue.catalog = replace(catalog, entries=())  # nothing fits anyone
    driver = await subscribe(dialogue, Person(1, "Marie", language_code="fr"), "financing")
    assert "Rien dans le catalogue ne correspond à ces réponses aujourd'hui" in driver.texts()[-1]
    await driver.say("/alerts")
    assert "Rien dans le catalogue ne correspond" in driver.last().text and driver.last().buttons == ["ax"]
    dialogue.catalog = with_entries(catalog, opportunity(regions=["02"]))  # new, but for another region
    assert (await dialogue.announce()).replies == ()
    assert await store.subscription(chat_id=1) is not None  # kept: something may fit later
