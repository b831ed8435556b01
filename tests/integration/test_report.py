"""The report's numbers, end to end: the core records each funnel step as an anonymous event, /forget cuts the
link to the request, and the report counts the steps and the waits in office hours."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from bot.catalog.model import Catalog
from bot.core.funnel import FunnelEvent, Kind
from bot.reporting.command import check, make_report
from bot.reporting.view import sections
from bot.storage import Store
from tests.support.clock import Clock
from tests.support.driver import CoreDriver
from tests.support.personas import MINI_HUB_CHAT, OTHER_HUB_CHAT

TODAY = dt.date(2026, 12, 31)


@pytest.fixture
def database_url(any_database_url: str) -> str:
    """The report's queries run on SQLite and on PostgreSQL."""
    return any_database_url


async def intake(driver: CoreDriver) -> None:
    await driver.say("/start")
    for data in ("st:startup", "sc:tech", "rg:01", "nd:mentoring", "nd:financing", "nd:*"):
        await driver.press(data)


async def ask(driver: CoreDriver, question: str = "Ma question") -> None:
    await driver.press("adv")
    await driver.press("ok:yes")
    await driver.say(question)


async def events(store: Store) -> list[tuple[object, ...]]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT kind, hub_id, region, stage, need, value, handoff_id FROM funnel_event ORDER BY id")
        )
        return [tuple(row) for row in rows]


async def test_each_step_is_recorded_as_an_anonymous_event(
    driver: CoreDriver, store: Store, clock: Clock
) -> None:
    await intake(driver)
    await ask(driver)
    clock.advance(minutes=20)
    await driver.advisor_presses(MINI_HUB_CHAT, "hc:1")
    clock.advance(minutes=10)
    await driver.advisor_says(MINI_HUB_CHAT, "Bonjour !", reply_to=driver.card(MINI_HUB_CHAT).message_id)
    await driver.advisor_says(MINI_HUB_CHAT, "Encore", reply_to=driver.card(MINI_HUB_CHAT).message_id)
    await driver.say("/end")
    await driver.press("rt:1:4")
    await driver.say("Très utile, merci Luc")
    assert await events(store) == [
        ("started", None, None, None, None, None, None),
        ("profile_completed", "hub-01", "01", "startup", None, None, None),
        ("need", "hub-01", "01", "startup", "mentoring", None, None),
        ("need", "hub-01", "01", "startup", "financing", None, None),
        ("results_shown", "hub-01", "01", "startup", None, None, None),
        ("requested", "hub-01", "01", "startup", None, None, 1),
        ("claimed", "hub-01", "01", "startup", None, None, 1),
        ("answered", "hub-01", "01", "startup", None, None, 1),  # the first answer only
        ("closed", "hub-01", "01", "startup", None, None, 1),
        ("rated", "hub-01", "01", "startup", None, 4, 1),
        ("commented", "hub-01", "01", "startup", None, None, 1),
    ]
    from bot.storage.reports import FunnelEventRow

    columns = set(FunnelEventRow.__table__.columns.keys())  # type: ignore[attr-defined]
    assert not {"chat_id", "user_chat_id", "text", "comment", "name"} & columns


async def test_showing_the_results_again_completes_no_new_profile(driver: CoreDriver, store: Store) -> None:
    await intake(driver)
    await driver.say("/profile")
    await driver.press("pf:results")
    await driver.press("ed")  # Change my answers
    await driver.press("pf:stage")
    await driver.press("st:idea")
    kinds = [kind for kind, *_rest in await events(store)]
    assert kinds.count("profile_completed") == 1 and kinds.count("started") == 1


async def test_forget_cuts_the_link_between_a_person_and_their_requests_events(
    driver: CoreDriver, store: Store
) -> None:
    await intake(driver)
    await ask(driver)
    await driver.advisor_presses(MINI_HUB_CHAT, "hc:1")
    before = await events(store)
    assert [e[-1] for e in before if e[0] in ("requested", "claimed")] == [1, 1]
    await driver.say("/forget")
    await driver.press("fg:yes")
    after = await events(store)
    assert [e[-1] for e in after] == [None] * len(after), "no event leads back to the forgotten request"
    assert [e[0] for e in after] == [e[0] for e in before] + ["closed"], "the counts stay"


async def test_a_transfer_counts_out_and_in_and_the_new_hub_waits_from_its_arrival(
    driver: CoreDriver, store: Store, clock: Clock, mini_catalog: Catalog
) -> None:
    await intake(driver)
    await ask(driver)
    await driver.advisor_presses(MINI_HUB_CHAT, "hc:1")
    await driver.advisor_says(MINI_HUB_CHAT, "Je regarde", reply_to=driver.card(MINI_HUB_CHAT).message_id)
    clock.advance(minutes=30)
    await driver.advisor_presses(MINI_HUB_CHAT, "ht:1")
    await driver.advisor_presses(MINI_HUB_CHAT, "hx:1:hub-03")
    clock.advance(minutes=45)
    await driver.advisor_says(
        OTHER_HUB_CHAT, "Bonjour de Québec", reply_to=driver.card(OTHER_HUB_CHAT).message_id
    )
    kinds = [(e[0], e[1]) for e in await events(store) if e[-1] == 1]
    assert kinds == [
        ("requested", "hub-01"),
        ("claimed", "hub-01"),
        ("answered", "hub-01"),
        ("transfer_out", "hub-01"),
        ("transfer_in", "hub-03"),
        ("claimed", "hub-03"),  # an advisor's message claims a waiting request
        ("answered", "hub-03"),  # the new hub's first answer counts anew
    ]
    request = check(mini_catalog, first=None, last=None, hub=None, region=None, today=TODAY)
    report = await make_report(store, mini_catalog, request)
    hubs = {g.key: g for g in report.hubs}
    assert (hubs["hub-01"].transfers_out, hubs["hub-03"].transfers_in) == (1, 1)
    assert hubs["hub-03"].times.answer_median == 45.0  # from its arrival there, not from the first request


async def record(store: Store, at: dt.datetime, *events: FunnelEvent) -> None:
    await store.record_events(network="mini", events=events, at=at)


async def test_waits_are_counted_in_office_hours_and_small_cells_are_hidden(
    store: Store, mini_catalog: Catalog
) -> None:
    """Six requests sent on Friday at 18:00 (Québec) and claimed on Monday at 9:30 waited 30 minutes each,
    not the weekend; five answered at 10:00 (1 hour). One claimed and closed without an answer."""
    friday = dt.datetime(2026, 11, 27, 23, 0, tzinfo=dt.UTC)  # 18:00 in Montréal
    monday = dt.datetime(2026, 11, 30, 14, 30, tzinfo=dt.UTC)  # 9:30
    for n in range(1, 7):
        base = FunnelEvent(Kind.REQUESTED, "hub-01", "01", "idea", handoff_id=n)
        await record(store, friday, base)
        await record(store, monday, FunnelEvent(Kind.CLAIMED, "hub-01", "01", "idea", handoff_id=n))
        if n < 6:
            answer = FunnelEvent(Kind.ANSWERED, "hub-01", "01", "idea", handoff_id=n)
            await record(store, monday + dt.timedelta(minutes=30), answer)
        await record(
            store,
            monday + dt.timedelta(hours=2),
            FunnelEvent(Kind.CLOSED, "hub-01", "01", "idea", handoff_id=n),
        )
    await record(store, monday, FunnelEvent(Kind.RATED, "hub-01", "01", "idea", value=5, handoff_id=1))
    await record(
        store,
        monday,
        FunnelEvent(Kind.REQUESTED, "hub-01", "01", "idea", handoff_id=99),
        FunnelEvent(Kind.REQUESTED, "hub-01", "01", "idea", handoff_id=98),
    )
    await store.record_events(network="other", events=[FunnelEvent(Kind.REQUESTED, "hub-01")], at=monday)
    request = check(mini_catalog, first="2026-11-01", last="2026-11-30", hub=None, region=None, today=TODAY)
    report = await make_report(store, mini_catalog, request)
    times = report.total.times
    assert (times.claims, times.claim_median, times.claim_p90) == (6, 30.0, 30.0)
    assert (times.answers, times.answer_median, times.unanswered) == (5, 60.0, 1)
    assert report.total.funnel["requested"] == 8, "another network's requests are not counted"
    by_name = {s.name: s for s in sections(report)}
    funnel = {keys[0]: values[0] for keys, values in by_name["funnel"].rows}
    assert (funnel["requested"], funnel["claimed"], funnel["answered"], funnel["rated"]) == (8, 6, 5, "<5")
    total = by_name["hub_times"].rows[-1]
    columns = dict(zip(by_name["hub_times"].columns, total[1], strict=True))
    assert columns["claim_median_min"] == 30.0 and columns["mean_rating"] == "<5"
    assert columns["claimed_unanswered"] == "<5" and columns["transfers_in"] == 0

    earlier = check(mini_catalog, first="2026-10-01", last="2026-10-31", hub=None, region=None, today=TODAY)
    empty = await make_report(store, mini_catalog, earlier)
    assert empty.total.funnel["requested"] == 0 and empty.total.times.claims == 0


async def test_the_retention_purge_cuts_the_link_too(store: Store) -> None:
    from bot.core.types import Profile

    long_ago = dt.datetime(2025, 1, 6, 15, 0, tzinfo=dt.UTC)
    handoff = await store.create_handoff(
        user_chat_id=42,
        hub_id="hub-01",
        hub_chat_id=-1001000000001,
        lang="fr",
        question="?",
        first_name="",
        username=None,
        profile=Profile(),
        matches=(),
        remind_at=None,
        at=long_ago,
    )
    await record(store, long_ago, FunnelEvent(Kind.REQUESTED, "hub-01", handoff_id=handoff.id))
    await store.close_handoff(handoff_id=handoff.id, at=long_ago)
    await store.purge(older_than=long_ago + dt.timedelta(days=1))
    assert await events(store) == [("requested", "hub-01", None, None, None, None, None)]


async def test_the_text_and_html_reports_speak_the_language_asked_for(
    store: Store, mini_catalog: Catalog
) -> None:
    from bot.reporting.command import render

    request = check(mini_catalog, first="2026-11-01", last="2026-11-30", hub=None, region=None, today=TODAY)
    report = await make_report(store, mini_catalog, request)
    french = render(mini_catalog, report, "text", "fr")
    assert "\nEntonnoir\n" in french and "conversations commencées" in french
    assert "Funnel" not in french
    arabic = render(mini_catalog, report, "text", "ar")
    assert "\nمسار التحويل\n" in arabic and "محادثات بدأت" in arabic
    page = render(mini_catalog, report, "html", "ar")
    assert '<html lang="ar" dir="rtl">' in page and "<h2>مسار التحويل</h2>" in page
    assert 'dir="rtl"' not in render(mini_catalog, report, "html", "en")
    for form in ("csv", "json"):  # a contract for scripts: English machine keys in every language
        assert render(mini_catalog, report, form, "ar") == render(mini_catalog, report, form, "en")
