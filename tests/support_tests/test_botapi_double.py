"""The Bot API double (tests/support/botapi) checked against the real python-telegram-bot 22.8.

Everything goes through PTB's own HTTP client and JSON parsing over loopback, so a mistake in the double's
wire format or JSON shapes shows up as a PTB failure, not as a self-consistent fake. Unknown fields are
caught too: PTB files any field it does not know into ``api_kwargs``, which ``assert_known_fields``
requires to be empty. Only what the bot calls is served; anything else is a 404.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ForumTopic,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    ReplyParameters,
    TelegramObject,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.support.botapi import BOT_ID, BOT_USERNAME, TOKEN, BotApiDouble, User

ALICE = User(id=4242, first_name="Alice", language_code="fr", username="alice")
BOB = User(id=5151, first_name="Bob")
GROUP_ID = -1001234567890
FORUM_ID = -1009876543210


@pytest.fixture
def double() -> Iterator[BotApiDouble]:
    with BotApiDouble() as api:
        yield api
        assert api.server_errors == []


@pytest.fixture
async def bot(double: BotApiDouble) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=double.base_url) as client:
        yield client


def assert_known_fields(obj: object, path: str = "") -> None:
    """Every field the double produced must be one PTB knows (no typos, no wrong nesting)."""
    if isinstance(obj, tuple | list):
        for index, item in enumerate(obj):
            assert_known_fields(item, f"{path}[{index}]")
        return
    if not isinstance(obj, TelegramObject):
        return
    assert dict(obj.api_kwargs) == {}, f"{path or type(obj).__name__}: unknown fields {dict(obj.api_kwargs)}"
    for name, value in obj._get_attrs(recursive=False).items():
        if name != "api_kwargs":
            assert_known_fields(value, f"{path}.{name}")


def parsed(data: dict[str, Any] | None, bot: Bot) -> Message:
    assert data is not None
    message = Message.de_json(data, bot)
    assert_known_fields(message)
    return message


async def test_send_edit_and_copy_as_telegram_stores_them(double: BotApiDouble, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (BOT_ID, BOT_USERNAME, "Aiguilleur", True)
    assert_known_fields(me)

    question = double.user_says(ALICE, "/start@aiguilleur_test_bot ref42")
    assert question["entities"] == [{"offset": 0, "length": 26, "type": "bot_command"}]
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="yes")]])
    sent = await bot.send_message(
        ALICE.id,
        '  <b>Bonjour</b> &amp; <a href="https://exemple.org/?a=1&amp;b=2">bienvenue</a>  ',
        parse_mode="HTML",
        reply_markup=keyboard,
        reply_parameters=ReplyParameters(question["message_id"]),
    )
    assert_known_fields(sent)
    call = double.calls_to("sendMessage")[-1]
    assert (call.params["chat_id"], call.params["parse_mode"]) == (ALICE.id, "HTML")
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "Oui", "callback_data": "yes"}]]}
    # Stored as Telegram would: markup parsed into entities, trimmed, keyboard kept, ids per chat.
    assert sent.text == "Bonjour & bienvenue"
    assert sent.entities == (
        MessageEntity(MessageEntity.BOLD, 0, 7),
        MessageEntity(MessageEntity.TEXT_LINK, 10, 9, url="https://exemple.org/?a=1&b=2"),
    )
    assert (sent.message_id, sent.from_user.id, sent.reply_markup) == (2, BOT_ID, keyboard)
    assert sent.reply_to_message.text == question["text"]
    user_reply = double.user_says(ALICE, "merci", reply_to_message_id=sent.message_id)
    assert user_reply["reply_to_message"]["text"] == "Bonjour & bienvenue"
    assert "reply_to_message" not in user_reply["reply_to_message"]  # one level only, like Telegram

    edited = await bot.edit_message_text("Modifié", chat_id=ALICE.id, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.edit_date is not None
    stored = double.message(ALICE.id, sent.message_id)
    assert stored is not None and stored["text"] == "Modifié"
    assert "reply_markup" not in stored and "entities" not in stored  # an edit without them drops them
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Modifié", chat_id=ALICE.id, message_id=sent.message_id)

    double.register_group(GROUP_ID, "Gare centrale")
    copied = await bot.copy_message(
        chat_id=GROUP_ID, from_chat_id=ALICE.id, message_id=question["message_id"]
    )
    assert copied.message_id == 1  # the group's first message
    (in_group,) = double.bot_messages(GROUP_ID)
    assert in_group["text"] == question["text"] and in_group["entities"] == question["entities"]
    assert in_group["chat"] == {"id": GROUP_ID, "type": "supergroup", "title": "Gare centrale"}
    photo = double.user_sends_photo(ALICE, caption="mon plan")
    copied = await bot.copy_message(GROUP_ID, ALICE.id, photo["message_id"])
    copy_stored = double.message(GROUP_ID, copied.message_id)
    assert copy_stored is not None
    assert (copy_stored["photo"], copy_stored["caption"]) == (photo["photo"], "mon plan")
    double.user_sends_voice(BOB, GROUP_ID)

    assert await bot.delete_message(GROUP_ID, 1)
    assert double.deleted_message_ids(GROUP_ID) == [1]
    assert double.message(GROUP_ID, 1) is None
    for chat_id in (ALICE.id, GROUP_ID):
        for data in double.bot_messages(chat_id):
            parsed(data, bot)
    updates = await bot.get_updates()
    assert_known_fields(updates)
    assert [u.message.voice is not None for u in updates] == [False, False, False, True]


async def test_what_the_server_refuses_is_refused(double: BotApiDouble, bot: Bot) -> None:
    double.user_says(ALICE, "salut")
    for markup, error in (
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("<u>souligné</u>", 'unsupported start tag "u"'),  # not a tag the bot writes
        ("<b>gras</i>", 'expected "</b>", found "</i>"'),
        ("<b>gras", 'can\'t find end tag corresponding to start tag "b"'),
    ):
        with pytest.raises(BadRequest, match=f"(?i)can't parse entities: .*{re.escape(error)}"):
            await bot.send_message(ALICE.id, markup, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
        await bot.send_message(ALICE.id, "*gras*", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE.id, "é" * 4097)
    assert (await bot.send_message(ALICE.id, "é" * 4096)).text == "é" * 4096
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALICE.id, "   ")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            ALICE.id,
            "x",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]]),
        )
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(777, "inconnu")
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(ALICE.id, "réponse", reply_parameters=ReplyParameters(999))
    answer = await bot.send_message(
        ALICE.id, "réponse", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert answer.reply_to_message is None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=ALICE.id, message_id=999)
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", chat_id=ALICE.id, message_id=1)  # hers
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALICE.id, 999)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("123")

    await bot.set_my_commands([("start", "Commencer"), ("aide", "Obtenir de l'aide")], language_code="fr")
    assert double.my_commands(language_code="fr") == [
        {"command": "start", "description": "Commencer"},
        {"command": "aide", "description": "Obtenir de l'aide"},
    ]
    assert double.my_commands() == []
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Start", "majuscule")])


async def test_forum_topics_and_the_bots_rights(double: BotApiDouble, bot: Bot) -> None:
    double.register_group(FORUM_ID, "Réseau", is_forum=True)
    chat = await bot.get_chat(FORUM_ID)
    assert (chat.is_forum, chat.title) == (True, "Réseau")
    assert_known_fields(chat)
    double.user_says(ALICE, "x")
    private = await bot.get_chat(ALICE.id)
    assert (private.type, private.first_name, private.username) == ("private", "Alice", "alice")
    assert_known_fields(private)
    admin = await bot.get_chat_member(FORUM_ID, BOT_ID)
    assert isinstance(admin, ChatMemberAdministrator) and admin.can_manage_topics  # by default
    assert_known_fields(admin)

    topic = await bot.create_forum_topic(FORUM_ID, "Dossier Alice")
    assert isinstance(topic, ForumTopic)
    assert_known_fields(topic)
    in_topic = await bot.send_message(FORUM_ID, "Bienvenue", message_thread_id=topic.message_thread_id)
    assert (in_topic.message_thread_id, in_topic.is_topic_message) == (topic.message_thread_id, True)
    assert in_topic.reply_to_message.forum_topic_created.name == "Dossier Alice"
    said = double.user_says(ALICE, "bonjour", chat_id=FORUM_ID, message_thread_id=topic.message_thread_id)
    assert said["reply_to_message"]["message_id"] == topic.message_thread_id
    await bot.send_message(FORUM_ID, "dans General")
    with pytest.raises(BadRequest, match=r"(?i)^message thread not found$"):
        await bot.send_message(FORUM_ID, "nulle part", message_thread_id=999)

    assert await bot.edit_forum_topic(FORUM_ID, topic.message_thread_id, name="Dossier Alice (fermé)")
    assert await bot.close_forum_topic(FORUM_ID, topic.message_thread_id)
    with pytest.raises(BadRequest, match=r"(?i)TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(FORUM_ID, topic.message_thread_id)
    assert double.topics(FORUM_ID)[topic.message_thread_id]["is_closed"] is True
    assert await bot.reopen_forum_topic(FORUM_ID, topic.message_thread_id)
    assert double.topics(FORUM_ID)[topic.message_thread_id]["name"] == "Dossier Alice (fermé)"
    # Service messages (created, edited, closed, reopened) are not what people read.
    assert [m["text"] for m in double.bot_messages(FORUM_ID)] == ["Bienvenue", "dans General"]
    assert [m["text"] for m in double.bot_messages(FORUM_ID, topic.message_thread_id)] == ["Bienvenue"]
    for message_id in range(1, 8):
        if (data := double.message(FORUM_ID, message_id)) is not None:
            parsed(data, bot)

    limited = double.set_bot_rights(FORUM_ID, can_manage_topics=False)
    assert (limited["status"], limited["can_manage_topics"], limited["can_pin_messages"]) == (
        "administrator",
        False,
        True,
    )
    with pytest.raises(BadRequest, match=r"(?i)^not enough rights to create a topic$"):
        await bot.create_forum_topic(FORUM_ID, "Refusé")
    assert await bot.close_forum_topic(FORUM_ID, topic.message_thread_id)  # its own topic: still allowed
    double.set_bot_rights(FORUM_ID, "member")
    assert isinstance(await bot.get_chat_member(FORUM_ID, BOT_ID), ChatMemberMember)
    with pytest.raises(BadRequest, match=r"(?i)^not enough rights to manage topics$"):
        await bot.reopen_forum_topic(FORUM_ID, topic.message_thread_id)
    assert await bot.send_message(FORUM_ID, "un simple membre peut écrire")
    double.set_bot_rights(FORUM_ID, "kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(FORUM_ID, "encore là ?")

    with pytest.raises(ValueError, match="can_manage_topic"):
        double.set_bot_rights(FORUM_ID, can_manage_topic=True)  # a typo
    with pytest.raises(ValueError, match="register_group"):
        double.set_bot_rights(-100999, "member")


async def test_members_blocked_users_and_the_updates_they_make(double: BotApiDouble, bot: Bot) -> None:
    added = double.user_adds_bot_to_group(
        ALICE, GROUP_ID, "Gare centrale", as_admin=True, can_manage_topics=False
    )
    assert (added["old_chat_member"]["status"], added["new_chat_member"]["status"]) == (
        "left",
        "administrator",
    )
    double.user_says(BOB, "coucou", chat_id=GROUP_ID)
    member = await bot.get_chat_member(GROUP_ID, BOB.id)
    assert (member.status, member.user.first_name) == ("member", "Bob")
    for status in ("administrator", "creator", "left", "kicked"):
        double.set_chat_member(GROUP_ID, BOB.id, status)
        configured = await bot.get_chat_member(GROUP_ID, BOB.id)
        assert configured.status == status
        assert_known_fields(configured)
    double.set_chat_member(GROUP_ID, BOB.id, "member")
    assert double.user_removes_member(ALICE, GROUP_ID, BOB.id) is None  # chat_member was not asked for

    double.user_blocks_bot(ALICE)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(ALICE.id, "tu es là ?")
    updates = await bot.get_updates(allowed_updates=["message", "my_chat_member", "chat_member"])
    assert_known_fields(updates)
    changes = [u.my_chat_member for u in updates if u.my_chat_member]
    assert [(type(c.old_chat_member), type(c.new_chat_member)) for c in changes] == [
        (ChatMemberLeft, ChatMemberAdministrator),
        (ChatMemberMember, ChatMemberBanned),
    ]
    assert changes[0].new_chat_member.can_manage_topics is False
    removed = double.user_removes_member(ALICE, GROUP_ID, BOB.id, "left")  # now chat_member is asked for
    assert removed is not None and removed["chat_member"]["new_chat_member"]["status"] == "left"
    assert (await bot.get_chat_member(GROUP_ID, BOB.id)).status == "left"

    double.user_says(ALICE, "/start")  # writing again unblocks, like the Restart button
    assert (await bot.send_message(ALICE.id, "re-bonjour")).text == "re-bonjour"
    with pytest.raises(ValueError, match="as_admin"):
        double.user_adds_bot_to_group(ALICE, GROUP_ID, "Gare", can_manage_topics=True)


async def test_a_real_application_long_polls_it(double: BotApiDouble) -> None:
    handler_errors: list[object] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Continuer", callback_data="next")]])
        assert update.effective_message is not None and update.effective_user is not None
        await update.effective_message.reply_text(
            f"hello {update.effective_user.first_name}", reply_markup=keyboard
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("noté")
        await query.edit_message_text(f"pressed {query.data}")

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        handler_errors.append(context.error)

    app: Application = ApplicationBuilder().token(TOKEN).base_url(double.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_error_handler(on_error)

    began = time.monotonic()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=["message", "callback_query"]
        )
        double.user_says(ALICE, "/start")
        greeting = await double.wait_for_bot_message(ALICE.id, contains="hello Alice")
        query = double.user_presses(ALICE, greeting, "next")
        (answer,) = await double.wait_for(lambda: double.calls_to("answerCallbackQuery"))
        assert answer.params == {"callback_query_id": query["id"], "text": "noté"}
        edited = await double.wait_for(
            lambda: (
                (m := double.message(ALICE.id, greeting["message_id"])) and m["text"] == "pressed next" and m
            )
        )
        assert "reply_markup" not in edited
        with pytest.raises(ValueError, match="no button 'gone'"):
            double.user_presses(ALICE, edited, "gone")
        double.user_blocks_bot(ALICE)  # excluded by allowed_updates: the server does not even queue it
        await app.updater.stop()
        await app.stop()
    assert time.monotonic() - began < 4

    assert handler_errors == []
    polls = double.calls_to("getUpdates")
    assert len(polls) >= 2 and all(
        p.params["allowed_updates"] == ["message", "callback_query"] for p in polls
    )
    assert [c.method for c in double.calls[:2]] == ["getMe", "deleteWebhook"]
    async with Bot(TOKEN, base_url=double.base_url) as bot:
        assert await bot.get_updates() == ()  # the updater's last poll confirmed everything


async def test_long_polls_wake_conflict_and_end_with_the_double(double: BotApiDouble, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await double.wait_for(lambda: double.calls_to("getUpdates"))
    began = time.monotonic()
    double.user_says(BOB, "réveil")
    updates = await poll
    assert time.monotonic() - began < 0.5
    assert [u.message.text for u in updates if u.message] == ["réveil"]
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()  # confirmed, gone

    first = asyncio.create_task(bot.get_updates(timeout=5))
    await double.wait_for(lambda: len(double.calls_to("getUpdates")) == 3)
    async with Bot(TOKEN, base_url=double.base_url) as another:  # a second instance of the bot
        assert await another.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first

    assert await bot.set_webhook("https://example.invalid/hook", secret_token="s" * 20)
    assert double.webhook == {"url": "https://example.invalid/hook", "secret_token": "s" * 20}
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert double.webhook is None

    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await double.wait_for(lambda: len(double.calls_to("getUpdates")) == 6)
    began = time.monotonic()
    double.stop()
    assert time.monotonic() - began < 1
    async with asyncio.timeout(1):
        (outcome,) = await asyncio.gather(poll, return_exceptions=True)
    # An empty answer, or the connection closed before it reached the client: both release the poll.
    assert outcome == () or isinstance(outcome, NetworkError)


async def test_injected_faults_are_answered_and_recorded(double: BotApiDouble, bot: Bot) -> None:
    double.user_says(ALICE, "salut")
    double.fail_next("sendMessage", error_code=429, retry_after=1)
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(ALICE.id, "trop vite")
    assert retry.value.retry_after == dtm.timedelta(seconds=1)
    assert double.bot_messages(ALICE.id) == []  # nothing executed
    double.fail_next("SENDMESSAGE", error_code=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError) as server_error:
            await bot.send_message(ALICE.id, "panne")
        assert type(server_error.value) is NetworkError
    assert (await bot.send_message(ALICE.id, "ensuite ça passe")).text == "ensuite ça passe"
    assert [(c.fault, c.executed, c.status) for c in double.calls_to("sendMessage")] == [
        (429, False, 429),
        (500, False, 500),
        (500, False, 500),
        (None, True, 200),
    ]
    assert "(injected fault)" in double.calls_to("sendMessage")[0].describe()

    async def pattern(seed: int) -> list[int | None]:
        before = len(double.calls_to("copyMessage"))
        double.fail_randomly(["copyMessage"], 0.5, codes=(429, 502), retry_after=3, seed=seed)
        for _ in range(12):
            with contextlib.suppress(RetryAfter, NetworkError):
                await bot.copy_message(ALICE.id, ALICE.id, 1)
        return [call.fault for call in double.calls_to("copyMessage")[before:]]

    first = await pattern(42)
    assert None in first and len(set(first)) > 1  # some refused, some executed
    assert await pattern(42) == first  # same seed, same draws
    double.fail_randomly(["copyMessage"], 0)
    assert (await bot.copy_message(ALICE.id, ALICE.id, 1)).message_id > 0

    double.time_out_randomly(["sendMessage"], 0.5, 1.0, seed=5)
    texts = [f"peut-être lent {index}" for index in range(10)]
    outcomes = await asyncio.gather(
        *(bot.send_message(ALICE.id, text, read_timeout=0.3) for text in texts), return_exceptions=True
    )
    calls = {call.params["text"]: call for call in double.calls_to("sendMessage")}
    for text, outcome in zip(texts, outcomes, strict=True):
        assert (calls[text].executed, calls[text].fault, calls[text].status) == (True, None, 200)
        assert isinstance(outcome, TimedOut) is calls[text].late, text
    assert 0 < sum(calls[text].late for text in texts) < len(texts)
    received = {m["text"] for m in double.bot_messages(ALICE.id)}
    assert set(texts) <= received  # every message exists, those the client believes lost included
    with pytest.raises(TypeError):
        double.fail_randomly("sendMessage", 0.5)


async def test_a_wrong_token_or_an_unknown_method(double: BotApiDouble) -> None:
    wrong = Bot("123456789:wrong-token", base_url=double.base_url)
    with pytest.raises(InvalidToken, match="was rejected by the server"):
        async with wrong:  # initialize() calls getMe to check the token
            pytest.fail("the wrong token was accepted")
    assert [(c.method, c.status) for c in double.calls] == [("getMe", 401)]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{double.port}") as client:
        unknown = await client.post(f"/bot{TOKEN}/sendTelepathy")
        assert (unknown.status_code, unknown.json()) == (
            404,
            {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
        )
        not_served = await client.post(f"/bot{TOKEN}/sendSticker")  # a method the bot never calls
        assert not_served.status_code == 404
