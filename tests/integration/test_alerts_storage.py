"""The alerts' storage on SQLite and PostgreSQL: subscriptions, reminders due and marked once, announcements
recorded once per subscriber, the opportunities last compared, /forget and a blocked chat."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.types import DeadlineReminder, Profile
from bot.storage import Store

AT = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
PROFILE = Profile(stage="startup", sectors=("tech",), region="01", needs=("financing",))


@pytest.fixture
def database_url(any_database_url: str) -> str:
    return any_database_url


def reminder(
    chat_id: int, entry_id: str = "call-01", deadline: dt.date = dt.date(2027, 3, 15)
) -> DeadlineReminder:
    return DeadlineReminder(chat_id, entry_id, deadline, "fr", dt.datetime(2027, 3, 8, 14, 0, tzinfo=dt.UTC))


async def test_subscriptions_reminders_and_announcements(store: Store) -> None:
    assert await store.subscribe(chat_id=1, lang="fr", profile=PROFILE, at=AT)
    assert not await store.subscribe(chat_id=1, lang="en", profile=Profile(region="02"), at=AT)  # follows
    kept = await store.subscription(chat_id=1)
    assert kept is not None and kept.lang == "en" and kept.profile == Profile(region="02")
    assert await store.save_reminder(reminder(1), at=AT)
    assert not await store.save_reminder(reminder(1), at=AT)  # the same one again
    assert await store.due_deadline_reminders(now=AT) == []
    due = await store.due_deadline_reminders(now=dt.datetime(2027, 3, 8, 14, 0, tzinfo=dt.UTC))
    assert [r.entry_id for r in due] == ["call-01"]
    await store.reminder_sent(chat_id=1, entry_id="call-01", at=AT)
    assert await store.due_deadline_reminders(now=dt.datetime(2027, 4, 1, tzinfo=dt.UTC)) == []
    assert await store.reminders_of(chat_id=1) == []
    deadline = dt.date(2027, 6, 30)
    assert await store.record_announced(entry_id="call-new", deadline=deadline, chat_ids=[1, 2], at=AT) == [
        1,
        2,
    ]
    assert await store.record_announced(
        entry_id="call-new", deadline=deadline, chat_ids=[1, 2, 3], at=AT
    ) == [3]
    later = dt.date(2027, 9, 30)  # reopened with a new deadline: news again
    assert await store.record_announced(entry_id="call-new", deadline=later, chat_ids=[1], at=AT) == [1]


async def test_the_opportunities_last_compared(store: Store) -> None:
    assert await store.known_opportunities() is None
    await store.remember_opportunities({})
    assert await store.known_opportunities() == {}
    await store.remember_opportunities({"call-01": dt.date(2027, 3, 15)})
    assert await store.known_opportunities() == {"call-01": dt.date(2027, 3, 15)}


async def test_forget_and_a_blocked_chat_delete_the_alerts(store: Store) -> None:
    for chat_id in (1, 2):
        await store.subscribe(chat_id=chat_id, lang="fr", profile=PROFILE, at=AT)
        await store.save_reminder(reminder(chat_id), at=AT)
        await store.record_announced(
            entry_id="call-new", deadline=dt.date(2027, 6, 30), chat_ids=[chat_id], at=AT
        )
    assert await store.forget_user(chat_id=1) == 3
    assert await store.subscription(chat_id=1) is None and await store.reminders_of(chat_id=1) == []
    await store.drop_subscriber(chat_id=2)
    assert await store.subscription(chat_id=2) is None and await store.reminders_of(chat_id=2) == []


async def test_the_purge_keeps_subscriptions_and_drops_spent_bookkeeping(store: Store) -> None:
    await store.subscribe(chat_id=1, lang="fr", profile=PROFILE, at=AT)
    await store.save_reminder(reminder(1), at=AT)
    await store.reminder_sent(chat_id=1, entry_id="call-01", at=AT)  # sent long ago
    await store.save_reminder(reminder(1, "call-new", dt.date(2027, 6, 30)), at=AT)  # still to send
    await store.record_announced(entry_id="old", deadline=dt.date(2026, 1, 15), chat_ids=[1], at=AT)
    await store.record_announced(entry_id="call-new", deadline=dt.date(2027, 6, 30), chat_ids=[1], at=AT)
    await store.purge(older_than=AT - dt.timedelta(days=180))
    assert await store.subscription(chat_id=1) is not None
    assert [r.entry_id for r in await store.reminders_of(chat_id=1)] == ["call-new"]
    assert (
        await store.record_announced(entry_id="call-new", deadline=dt.date(2027, 6, 30), chat_ids=[1], at=AT)
        == []
    )
    assert (
        await store.forget_user(chat_id=1) == 3
    )  # the subscription, the reminder left, the announcement left
