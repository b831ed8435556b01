"""Storage on a real SQLite file: a restart mid-intake or mid-handoff continues where it was."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.catalog.model import Catalog
from bot.core.dialogue import Dialogue
from bot.core.types import Profile
from bot.i18n import I18n
from bot.storage import Store, utcnow
from tests.support.clock import Clock
from tests.support.driver import CoreDriver
from tests.support.personas import ENTREPRENEUR, MINI_HUB_CHAT


@pytest.fixture
def database_url(any_database_url: str) -> str:
    """These tests run on SQLite and on PostgreSQL."""
    return any_database_url


async def restarted(database_url: str, catalog: Catalog, i18n: I18n) -> tuple[Store, CoreDriver]:
    """A new process: new engine, new dialogue, same database file."""
    store = await Store.open(database_url)
    return store, CoreDriver(Dialogue(catalog=catalog, store=store, i18n=i18n, retention_days=90))


async def test_restart_mid_intake_continues(database_url: str, mini_catalog: Catalog, i18n: I18n) -> None:
    store, driver = await restarted(database_url, mini_catalog, i18n)
    await driver.say("/start")
    await driver.press("st:startup")
    await store.close()

    store, driver = await restarted(database_url, mini_catalog, i18n)
    await driver.press("sc:tech")
    assert driver.texts()[-1] == "Dans quelle région est votre entreprise ?"
    conversation = await store.get_conversation(chat_id=ENTREPRENEUR.id)
    assert conversation is not None
    assert (conversation.profile.stage, conversation.profile.sector) == ("startup", "tech")
    await store.close()


async def test_restart_mid_handoff_keeps_relaying(
    database_url: str, mini_catalog: Catalog, i18n: I18n
) -> None:
    store, driver = await restarted(database_url, mini_catalog, i18n)
    await driver.say("/start hub-01")
    for data in ("st:idea", "sc:tech", "nd:*", "adv", "ok:yes"):
        await driver.press(data)
    await driver.say("Une question")
    card = driver.last(MINI_HUB_CHAT)
    await store.close()

    store, after = await restarted(database_url, mini_catalog, i18n)
    await after.advisor_says(MINI_HUB_CHAT, "Réponse après redémarrage", reply_to=card.message_id)
    copied = after.last().reply
    assert copied.copy_of is not None and copied.copy_of.chat_id == MINI_HUB_CHAT  # the advisor's message
    assert copied.chat_id == ENTREPRENEUR.id
    await after.say("Merci")
    relayed = after.last(MINI_HUB_CHAT)
    assert relayed.reply.copy_of is not None and relayed.reply.reply_to_message_id == card.message_id
    await store.close()


async def test_telegram_ids_beyond_32_bits(store: Store) -> None:
    big = 2**52 - 1
    handoff = await store.create_handoff(
        user_chat_id=big,
        hub_id="hub-01",
        hub_chat_id=-(10**13),
        lang="fr",
        question="q",
        first_name="A",
        username=None,
        profile=Profile(),
        matches=(),
        remind_at=None,
    )
    await store.link_message(hub_chat_id=-(10**13), message_id=2**40, handoff_id=handoff.id, card=True)
    found = await store.handoff_for_message(hub_chat_id=-(10**13), message_id=2**40)
    assert found is not None and found.user_chat_id == big and found.card_message_id == 2**40


async def test_purge_removes_old_closed_handoffs_and_idle_conversations(
    driver: CoreDriver, store: Store, clock: Clock
) -> None:
    await driver.say("/start hub-01")
    for data in ("st:idea", "sc:tech", "nd:*", "adv", "ok:yes"):
        await driver.press(data)
    await driver.say("Une question")
    assert await store.purge(older_than=utcnow() - dt.timedelta(days=1)) == 0
    await driver.say("/end")
    removed = await store.purge(older_than=max(clock(), utcnow()) + dt.timedelta(seconds=1))
    assert removed >= 3  # the handoff, its thread links, the conversation
    assert await store.get_conversation(chat_id=ENTREPRENEUR.id) is None
    assert await store.get_handoff(handoff_id=1) is None


def test_every_telegram_id_column_is_64_bit() -> None:
    """SQLite stores any integer in 64 bits; PostgreSQL does not: the declared type is what matters."""
    from sqlalchemy import BigInteger

    from bot.storage import ConversationRow, HandoffRow, InboxRow, OutboxRow, RelayLinkRow

    columns = [
        HandoffRow.__table__.c.advisor_id,
        HandoffRow.__table__.c.topic_id,
        OutboxRow.__table__.c.lane,
        OutboxRow.__table__.c.message_id,
        InboxRow.__table__.c.update_id,
        ConversationRow.__table__.c.chat_id,
        HandoffRow.__table__.c.user_chat_id,
        HandoffRow.__table__.c.hub_chat_id,
        HandoffRow.__table__.c.card_message_id,
        RelayLinkRow.__table__.c.hub_chat_id,
        RelayLinkRow.__table__.c.message_id,
    ]
    assert all(isinstance(column.type, BigInteger) for column in columns)


async def test_an_outbox_row_deleted_while_sent_never_marks_the_next_row(store: Store) -> None:
    """/forget deletes a row a worker is sending; the next row must get a new id, and the worker's "sent"
    for the old row must not touch it (issue 11, item 4: the confirmation after /forget was never sent)."""
    from sqlalchemy import delete

    from bot.core.text import Span
    from bot.core.types import Reply
    from bot.storage import OutboxRow

    def reply(text: str) -> Reply:
        return Reply(chat_id=ENTREPRENEUR.id, text=(Span(text),))

    async with store.unit_of_work():
        await store.enqueue([reply("old")])
    (held,) = await store.pending_outbox()
    async with store.engine.begin() as connection:  # /forget, while the worker holds `held`
        await connection.execute(delete(OutboxRow).where(OutboxRow.id == held.id))
    async with store.unit_of_work():
        await store.enqueue([reply("C'est fait")])
    (confirmation,) = await store.pending_outbox()
    assert confirmation.id != held.id, "an outbox id was given again while a worker may still hold it"
    async with store.unit_of_work():
        assert await store.outbox_sent(item_id=held.id, token=held.token, message_id=99) is False
    assert [item.id for item in await store.pending_outbox()] == [confirmation.id]
    async with store.unit_of_work():  # a stale token is refused even with the right id
        assert await store.outbox_sent(item_id=confirmation.id, token="stale", message_id=1) is False
        assert await store.outbox_sent(item_id=confirmation.id, token=confirmation.token, message_id=1)
