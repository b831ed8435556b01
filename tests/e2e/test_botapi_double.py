"""The Bot API double checked against the real python-telegram-bot 22.8.

Everything here goes through PTB's own HTTP client and JSON parsing over loopback, so a
mistake in the double's wire format or JSON shapes shows up as a PTB failure, not as a
self-consistent fake. Unknown fields are caught too: PTB files any field it does not know
into ``api_kwargs``, which ``assert_known_fields`` requires to be empty.
"""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "true")

import asyncio
import contextlib
import datetime as dtm
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    ForumTopic,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyParameters,
    TelegramObject,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.support.botapi import BOT_ID, BOT_USERNAME, TOKEN, BotApiDouble, User

pytestmark = pytest.mark.e2e

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
    async with Bot(TOKEN, base_url=double.base_url, base_file_url=double.base_file_url) as client:
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


def parse_message(data: dict[str, Any], bot: Bot) -> Message:
    message = Message.de_json(data, bot)
    assert_known_fields(message)
    return message


async def test_core_methods_through_ptb_bot(double: BotApiDouble, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (BOT_ID, BOT_USERNAME, "Aiguilleur", True)
    assert_known_fields(me)

    double.user_says(ALICE, "salut")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="yes")]])
    sent = await bot.send_message(
        ALICE.id, "<b>Bonjour</b> &amp; bienvenue", parse_mode="HTML", reply_markup=keyboard
    )
    assert_known_fields(sent)

    call = double.calls_to("sendMessage")[-1]
    assert call.transport == "form"
    assert call.params["chat_id"] == ALICE.id
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "Oui", "callback_data": "yes"}]]}
    # Stored as Telegram would: markup parsed into entities, keyboard kept, ids per chat.
    assert sent.text == "Bonjour & bienvenue"
    assert sent.entities == (MessageEntity(MessageEntity.BOLD, 0, 7),)
    assert sent.message_id == 2
    assert sent.from_user.id == BOT_ID
    assert sent.reply_markup == keyboard
    assert double.last_bot_message(ALICE.id)["reply_markup"] == keyboard.to_dict()

    edited = await bot.edit_message_text("Modifié", chat_id=ALICE.id, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.edit_date is not None
    stored = double.last_bot_message(ALICE.id)
    assert stored["text"] == "Modifié"
    assert "reply_markup" not in stored  # an edit without reply_markup drops the keyboard
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Modifié", chat_id=ALICE.id, message_id=sent.message_id)

    double.register_group(GROUP_ID, "Gare centrale")
    original = double.user_says(ALICE, "à copier, avec /start au milieu")
    copied = await bot.copy_message(
        chat_id=GROUP_ID, from_chat_id=ALICE.id, message_id=original["message_id"]
    )
    assert copied.message_id == 1  # first message of the group
    group_messages = double.messages_in(GROUP_ID)
    assert [m["text"] for m in group_messages] == ["à copier, avec /start au milieu"]
    assert group_messages[0]["from"]["id"] == BOT_ID
    assert group_messages[0]["chat"] == {"id": GROUP_ID, "type": "supergroup", "title": "Gare centrale"}
    assert "forward_origin" not in group_messages[0]

    forwarded = await bot.forward_message(GROUP_ID, from_chat_id=ALICE.id, message_id=original["message_id"])
    assert forwarded.forward_origin.sender_user.id == ALICE.id
    assert_known_fields(forwarded)

    for chat_id in (ALICE.id, GROUP_ID):
        for data in double.messages_in(chat_id):
            parse_message(data, bot)


async def test_formatting_errors_and_limits_like_telegram(double: BotApiDouble, bot: Bot) -> None:
    double.register_user(ALICE)
    with pytest.raises(
        BadRequest, match=r"(?i)can't parse entities: unsupported start tag \"\" at byte offset 2"
    ):
        await bot.send_message(ALICE.id, "1 < 2", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)character '\.' is reserved"):
        await bot.send_message(ALICE.id, "Fin.", parse_mode="MarkdownV2")
    sent = await bot.send_message(ALICE.id, r"*gras* et _italique_ \!", parse_mode="MarkdownV2")
    assert sent.text == "gras et italique !"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 4), ("italic", 8, 8)]
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE.id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALICE.id, "   ")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            ALICE.id,
            "trop long",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]]),
        )
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(777, "inconnu")
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(ALICE.id, "réponse", reply_parameters=ReplyParameters(999))
    keyboard = ReplyKeyboardMarkup([["Oui", "Non"]], one_time_keyboard=True)
    await bot.send_message(ALICE.id, "Choisissez", reply_markup=keyboard)
    assert double.reply_keyboard(ALICE.id) == keyboard.to_dict()
    assert "reply_markup" not in double.last_bot_message(ALICE.id)


async def test_replies_topics_and_files_through_ptb_bot(double: BotApiDouble, bot: Bot) -> None:
    question = double.user_says(ALICE, "/start@aiguilleur_test_bot ref42")
    assert question["entities"] == [{"offset": 0, "length": 26, "type": "bot_command"}]
    answer = await bot.send_message(
        ALICE.id, "Réponse", reply_parameters=ReplyParameters(question["message_id"])
    )
    assert answer.reply_to_message.text == question["text"]
    legacy = await bot.send_message(
        ALICE.id, "Ancienne API", api_kwargs={"reply_to_message_id": answer.message_id}
    )
    assert legacy.reply_to_message.message_id == answer.message_id
    user_reply = double.user_says(ALICE, "merci", reply_to_message_id=answer.message_id)
    assert user_reply["reply_to_message"]["text"] == "Réponse"
    assert "reply_to_message" not in user_reply["reply_to_message"]  # one level only, like Telegram

    double.register_group(FORUM_ID, "Réseau", is_forum=True)
    topic = await bot.create_forum_topic(FORUM_ID, "Dossier Alice")
    assert isinstance(topic, ForumTopic)
    assert_known_fields(topic)
    in_topic = await bot.send_message(FORUM_ID, "Bienvenue", message_thread_id=topic.message_thread_id)
    assert in_topic.message_thread_id == topic.message_thread_id
    assert in_topic.is_topic_message is True
    assert in_topic.reply_to_message.forum_topic_created.name == "Dossier Alice"
    said = double.user_says(ALICE, "bonjour", chat_id=FORUM_ID, message_thread_id=topic.message_thread_id)
    assert said["is_topic_message"] is True
    assert said["message_thread_id"] == topic.message_thread_id
    assert await bot.edit_forum_topic(FORUM_ID, topic.message_thread_id, name="Dossier Alice (fermé)")
    assert await bot.close_forum_topic(FORUM_ID, topic.message_thread_id)
    with pytest.raises(BadRequest, match=r"(?i)TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(FORUM_ID, topic.message_thread_id)
    assert await bot.reopen_forum_topic(FORUM_ID, topic.message_thread_id)
    assert double.topics(FORUM_ID)[topic.message_thread_id]["name"] == "Dossier Alice (fermé)"
    assert double.bot_messages(FORUM_ID)[-1]["text"] == "Bienvenue"  # service messages are not "bot messages"
    assert await bot.delete_forum_topic(FORUM_ID, topic.message_thread_id)
    assert double.messages_in(FORUM_ID) == []
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(FORUM_ID, "trop tard", message_thread_id=topic.message_thread_id)

    photo_message = double.user_sends_photo(ALICE, caption="mon plan")
    document_message = double.user_sends_document(ALICE, file_name="plan.pdf", content=b"%PDF-1.4 plan")
    double.user_sends_voice(BOB, duration=4)
    largest = photo_message["photo"][-1]["file_id"]
    resent = await bot.send_photo(ALICE.id, largest, caption="<i>reçu</i>", parse_mode="HTML")
    assert resent.photo[-1].file_id == largest
    assert resent.caption == "reçu"
    uploaded = await bot.send_document(ALICE.id, InputFile(b"contenu binaire", filename="fiche.txt"))
    upload_call = double.calls_to("sendDocument")[-1]
    assert upload_call.transport == "multipart"
    assert upload_call.files["document"].content == b"contenu binaire"
    assert uploaded.document.file_name == "fiche.txt"
    voice = await bot.send_voice(ALICE.id, InputFile(b"OggS", filename="note.ogg"), duration=2)
    assert voice.voice.duration == dtm.timedelta(seconds=2)
    downloaded = await (await bot.get_file(document_message["document"]["file_id"])).download_as_bytearray()
    assert bytes(downloaded) == b"%PDF-1.4 plan"
    copied = await bot.copy_message(ALICE.id, ALICE.id, photo_message["message_id"], caption="copie")
    copy_stored = double.message(ALICE.id, copied.message_id)
    assert copy_stored["photo"] == photo_message["photo"]
    assert copy_stored["caption"] == "copie"
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type photo as document"):
        await bot.send_document(ALICE.id, largest)
    # An id issued in an earlier session is accepted, and then known.
    logo = await bot.send_photo(ALICE.id, "AgACAgQAAxkBAAIlogo")
    assert logo.photo[-1].file_id == "AgACAgQAAxkBAAIlogo"
    assert (await bot.get_file("AgACAgQAAxkBAAIlogo")).file_size > 0

    updates = await bot.get_updates()
    assert len(updates) == double.pending_updates() > 0
    assert_known_fields(updates)
    for chat_id in (ALICE.id, BOB.id, FORUM_ID):
        for data in double.messages_in(chat_id):
            parse_message(data, bot)


async def test_bot_settings_chat_info_and_deletion(double: BotApiDouble, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Commencer"), ("aide", "Obtenir de l'aide")], language_code="fr")
    assert double.my_commands(language_code="fr") == [
        {"command": "start", "description": "Commencer"},
        {"command": "aide", "description": "Obtenir de l'aide"},
    ]
    assert [c.command for c in await bot.get_my_commands(language_code="fr")] == ["start", "aide"]
    assert await bot.get_my_commands() == ()
    assert await bot.delete_my_commands(language_code="fr")
    assert double.my_commands(language_code="fr") == []
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Start", "majuscule")])
    assert await bot.set_my_description("Je vous oriente.")
    assert await bot.set_my_short_description("Orientation", language_code="fr")
    assert (await bot.get_my_description()).description == "Je vous oriente."
    assert double.my_short_description("fr") == "Orientation"

    double.register_group(GROUP_ID, "Gare centrale")
    double.user_says(BOB, "coucou", chat_id=GROUP_ID)
    chat = await bot.get_chat(GROUP_ID)
    assert_known_fields(chat)
    assert (chat.id, chat.type, chat.title) == (GROUP_ID, "supergroup", "Gare centrale")
    member = await bot.get_chat_member(GROUP_ID, BOB.id)
    assert (member.status, member.user.first_name) == ("member", "Bob")
    for status in ("administrator", "creator", "restricted", "left", "kicked"):
        double.set_chat_member(GROUP_ID, BOB.id, status)
        configured = await bot.get_chat_member(GROUP_ID, BOB.id)
        assert configured.status == status
        assert_known_fields(configured)
    assert await bot.send_chat_action(GROUP_ID, "typing")
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(GROUP_ID, "dancing")

    sent = await bot.send_message(GROUP_ID, "éphémère")
    assert await bot.delete_message(GROUP_ID, sent.message_id)
    assert double.deleted_message_ids(GROUP_ID) == [sent.message_id]
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(GROUP_ID, sent.message_id)
    double.set_chat_member(GROUP_ID, BOT_ID, "kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(GROUP_ID, "encore là ?")

    assert await bot.set_webhook("https://example.invalid/hook", allowed_updates=["message"])
    info = await bot.get_webhook_info()
    assert info.url == "https://example.invalid/hook"
    assert_known_fields(info)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert double.pending_updates() == 0
    assert (await bot.get_webhook_info()).url == ""


async def test_real_application_long_polling(double: BotApiDouble) -> None:
    handler_errors: list[object] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Continuer", callback_data="next")]])
        await update.effective_message.reply_text(
            f"hello {update.effective_user.first_name}", reply_markup=keyboard
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("noté")
        await query.edit_message_text(f"pressed {query.data}")

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        handler_errors.append(context.error)

    app: Application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(double.base_url)
        .base_file_url(double.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_error_handler(on_error)

    began = time.monotonic()
    async with app:
        await app.start()
        await app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=["message", "callback_query"]
        )
        double.user_says(ALICE, "/start")
        greeting = await double.wait_for_bot_message(ALICE.id, contains="hello Alice")
        assert greeting["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "next"

        query = double.user_presses(ALICE, greeting, "next")
        answer = await double.wait_for_call("answerCallbackQuery")
        assert answer.params == {"callback_query_id": query["id"], "text": "noté"}
        edited = await double.wait_for(
            lambda: (
                (m := double.message(ALICE.id, greeting["message_id"])) and m["text"] == "pressed next" and m
            )
        )
        assert "reply_markup" not in edited
        # Excluded by allowed_updates: the server does not even queue it.
        double.user_blocks_bot(ALICE)

        await app.updater.stop()
        await app.stop()
    assert time.monotonic() - began < 4

    assert handler_errors == []
    assert double.pending_updates() == 0  # the updater's final getUpdates confirmed everything
    polls = double.calls_to("getUpdates")
    assert len(polls) >= 2
    assert all(p.params["allowed_updates"] == ["message", "callback_query"] for p in polls)
    assert all(p.params["timeout"] == 1 for p in polls[:-1])  # the last one is the 0-timeout cleanup
    assert double.allowed_updates == ["message", "callback_query"]
    assert [c.method for c in double.calls[:2]] == ["getMe", "deleteWebhook"]


async def test_fault_injection(double: BotApiDouble, bot: Bot) -> None:
    double.register_user(ALICE)
    double.register_group(GROUP_ID, "Gare centrale")

    double.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 1", retry_after=1
    )
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(ALICE.id, "trop vite")
    assert retry.value.retry_after == dtm.timedelta(seconds=1)
    assert double.bot_messages(ALICE.id) == []
    assert (await bot.send_message(ALICE.id, "ensuite ça passe")).text == "ensuite ça passe"

    double.fail_next("sendMessage", error_code=500, description="Internal Server Error")
    with pytest.raises(NetworkError) as server_error:
        await bot.send_message(ALICE.id, "panne")
    assert type(server_error.value) is NetworkError

    double.fail_next(
        "SENDMESSAGE", error_code=400, description="Bad Request: chat not found", chat_id=GROUP_ID
    )
    await bot.send_message(ALICE.id, "pas concerné")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(GROUP_ID, "concerné")

    double.delay_next("sendMessage", 1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(ALICE.id, "lent mais accepté", read_timeout=0.2)
    assert double.last_bot_message(ALICE.id)["text"] == "lent mais accepté"

    double.delay_next("sendMessage", 0.5, then_accept=False)
    with pytest.raises(TimedOut):
        await bot.send_message(ALICE.id, "perdu en route", read_timeout=0.2)
    assert double.last_bot_message(ALICE.id)["text"] == "lent mais accepté"

    blocked = double.user_blocks_bot(ALICE)
    assert blocked["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ALICE.id, "tu es là ?")
    updates = await bot.get_updates()
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"
    assert_known_fields(updates)
    double.user_says(ALICE, "/start")  # writing again unblocks, like the Restart button
    assert (await bot.send_message(ALICE.id, "re-bonjour")).text == "re-bonjour"


async def test_wrong_token_and_unknown_method(double: BotApiDouble) -> None:
    wrong = Bot("123456789:wrong-token", base_url=double.base_url, base_file_url=double.base_file_url)
    # Bot.initialize() calls get_me() to validate the token; the context manager cleans up.
    with pytest.raises(InvalidToken, match="was rejected by the server"):
        async with wrong:
            pytest.fail("the wrong token was accepted")
    assert [(c.method, c.status) for c in double.calls] == [("getMe", 401)]

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{double.port}") as client:
        unauthorized = await client.post("/bot123456789:wrong-token/getMe")
        assert (unauthorized.status_code, unauthorized.json()) == (
            401,
            {"ok": False, "error_code": 401, "description": "Unauthorized"},
        )
        unknown = await client.post(f"/bot{TOKEN}/sendTelepathy")
        assert (unknown.status_code, unknown.json()) == (
            404,
            {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
        )
        # Other clients send JSON bodies or query strings, with any method-name case.
        double.register_user(BOB)
        as_json = await client.post(f"/bot{TOKEN}/SENDMESSAGE", json={"chat_id": str(BOB.id), "text": "42"})
        assert as_json.json()["result"]["text"] == "42"
        as_query = await client.get(f"/bot{TOKEN}/getchat", params={"chat_id": BOB.id})
        assert as_query.json()["result"]["first_name"] == "Bob"
    json_call, query_call = double.calls[-2:]
    assert (json_call.method, json_call.transport, json_call.params) == (
        "sendMessage",
        "json",
        {"chat_id": BOB.id, "text": "42"},
    )
    assert (query_call.method, query_call.transport) == ("getChat", "query")


async def test_stop_releases_pending_long_poll(double: BotApiDouble, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await double.wait_for_call("getUpdates")
    began = time.monotonic()
    double.stop()
    assert time.monotonic() - began < 1
    async with asyncio.timeout(1):
        (outcome,) = await asyncio.gather(poll, return_exceptions=True)
    # An empty answer, or the connection closed before it reached the client: both release the poll.
    assert outcome == () or isinstance(outcome, NetworkError)


async def test_long_poll_wakes_on_injected_update(double: BotApiDouble, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await double.wait_for_call("getUpdates")
    began = time.monotonic()
    double.user_says(BOB, "réveil")
    updates = await poll
    assert time.monotonic() - began < 0.5
    assert [u.message.text for u in updates] == ["réveil"]
    await bot.get_updates(offset=updates[-1].update_id + 1)
    assert double.pending_updates() == 0


async def test_random_faults_are_recorded_and_reproducible(double: BotApiDouble, bot: Bot) -> None:
    double.register_user(ALICE)
    double.fail_randomly(["sendMessage"], 0.5, seed=3)
    texts = [f"envoi {index}" for index in range(30)]
    outcomes = await asyncio.gather(
        *(bot.send_message(ALICE.id, text) for text in texts), return_exceptions=True
    )
    calls = {call.params["text"]: call for call in double.calls_to("sendMessage")}
    stored = {message["text"] for message in double.bot_messages(ALICE.id)}
    for text, outcome in zip(texts, outcomes, strict=True):
        call = calls[text]
        assert call.executed is (call.fault is None)
        assert call.late is False
        if call.fault is None:
            assert isinstance(outcome, Message)
            assert text in stored
            continue
        assert call.fault in (429, 500, 502)
        assert call.status == call.fault
        assert text not in stored  # nothing executed
        if call.fault == 429:
            assert isinstance(outcome, RetryAfter)
            assert outcome.retry_after == dtm.timedelta(seconds=1)
        else:
            assert type(outcome) is NetworkError
    faulted = [call for call in calls.values() if call.fault is not None]
    assert 0 < len(faulted) < len(texts)
    assert "(injected fault)" in faulted[0].describe()
    assert len(stored) == len(texts) - len(faulted)

    async def pattern() -> list[int | None]:
        double.clear_calls()
        double.fail_randomly(["sendMessage", "copyMessage"], 0.5, codes=(429,), retry_after=3, seed=42)
        for index in range(12):
            with contextlib.suppress(RetryAfter):
                await bot.send_message(ALICE.id, f"série {index}")
        return [call.fault for call in double.calls_to("sendMessage")]

    first = await pattern()
    assert set(first) == {None, 429}
    assert await pattern() == first  # same seed, same draws

    double.fail_randomly(["sendMessage"], 1, codes=(429,), retry_after=3)
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(ALICE.id, "toujours refusé")
    assert retry.value.retry_after == dtm.timedelta(seconds=3)
    source_id = double.bot_messages(ALICE.id)[0]["message_id"]
    for _ in range(12):  # copyMessage keeps the rule set for it with sendMessage
        with contextlib.suppress(RetryAfter):
            await bot.copy_message(ALICE.id, ALICE.id, source_id)
    assert {call.fault for call in double.calls_to("copyMessage")} == {None, 429}
    double.fail_randomly(["sendMessage"], 0)
    assert (await bot.send_message(ALICE.id, "rétabli")).text == "rétabli"
    double.fail_next("sendMessage", error_code=500)
    double.stop_failing()  # also forgets pending one-off faults
    assert (await bot.send_message(ALICE.id, "toujours rétabli")).text == "toujours rétabli"
    double.clear_calls()
    for _ in range(12):
        await bot.copy_message(ALICE.id, ALICE.id, source_id)
    assert {call.fault for call in double.calls_to("copyMessage")} == {None}
    with pytest.raises(ValueError, match="rate"):
        double.fail_randomly(["sendMessage"], 1.5)
    with pytest.raises(TypeError):
        double.fail_randomly("sendMessage", 0.5)


async def test_random_timeouts_execute_the_call_but_answer_late(double: BotApiDouble, bot: Bot) -> None:
    double.register_user(ALICE)
    double.time_out_randomly(["sendMessage"], 0.5, 1.0, seed=5)
    texts = [f"peut-être lent {index}" for index in range(12)]
    outcomes = await asyncio.gather(
        *(bot.send_message(ALICE.id, text, read_timeout=0.3) for text in texts), return_exceptions=True
    )
    calls = {call.params["text"]: call for call in double.calls_to("sendMessage")}
    for text, outcome in zip(texts, outcomes, strict=True):
        call = calls[text]
        assert (call.executed, call.fault, call.status) == (True, None, 200)
        assert isinstance(outcome, TimedOut) is call.late, text
    late = [call for call in calls.values() if call.late]
    assert 0 < len(late) < len(texts)
    assert "(answered late)" in late[0].describe()
    # Every message exists, including those the client believes failed.
    assert sorted(m["text"] for m in double.bot_messages(ALICE.id)) == sorted(texts)

    double.time_out_randomly(["sendMessage"], 0, 0)
    assert (await bot.send_message(ALICE.id, "vite", read_timeout=0.3)).text == "vite"
    assert double.calls_to("sendMessage")[-1].late is False

    # An injected fault is answered at once and never counts as late.
    double.time_out_randomly(["sendMessage"], 1, 1.0)
    double.fail_randomly(["sendMessage"], 1, codes=(502,))
    with pytest.raises(NetworkError):
        await bot.send_message(ALICE.id, "en panne", read_timeout=0.3)
    assert (double.calls[-1].fault, double.calls[-1].late, double.calls[-1].executed) == (502, False, False)
    double.stop_failing()
    assert (await bot.send_message(ALICE.id, "fin", read_timeout=0.3)).text == "fin"


async def test_bot_rights_in_groups_and_forum_topics(double: BotApiDouble, bot: Bot) -> None:
    double.register_group(GROUP_ID, "Gare centrale")
    default = await bot.get_chat_member(GROUP_ID, BOT_ID)
    assert isinstance(default, ChatMemberAdministrator)  # a group registered without rights
    assert (default.can_manage_topics, default.can_delete_messages, default.can_promote_members) == (
        True,
        True,
        True,
    )
    assert_known_fields(default)
    assert (await bot.get_chat(GROUP_ID)).is_forum is None  # absent unless true, like Telegram
    double.register_group(-1001112223334, "Annonces", chat_type="channel")
    channel_admin = await bot.get_chat_member(-1001112223334, BOT_ID)
    assert channel_admin.can_post_messages is True
    assert channel_admin.can_manage_topics is None
    assert_known_fields(channel_admin)

    double.register_group(FORUM_ID, "Réseau", is_forum=True, bot_rights={"status": "member"})
    forum = await bot.get_chat(FORUM_ID)
    assert forum.is_forum is True
    assert_known_fields(forum)
    member = await bot.get_chat_member(FORUM_ID, BOT_ID)
    assert isinstance(member, ChatMemberMember)
    assert member.user.id == BOT_ID
    assert_known_fields(member)
    with pytest.raises(BadRequest, match=r"(?i)^not enough rights to create a topic$"):
        await bot.create_forum_topic(FORUM_ID, "Refusé")
    assert double.topics(FORUM_ID) == {}
    assert await bot.send_message(FORUM_ID, "un simple membre peut écrire")

    limited = double.set_bot_rights(FORUM_ID, can_manage_topics=False)
    assert (limited["status"], limited["can_manage_topics"], limited["can_pin_messages"]) == (
        "administrator",
        False,
        True,
    )
    assert double.bot_member(FORUM_ID) == limited
    admin = await bot.get_chat_member(FORUM_ID, BOT_ID)
    assert isinstance(admin, ChatMemberAdministrator)
    assert (admin.can_manage_topics, admin.can_delete_messages) == (False, True)
    assert_known_fields(admin)
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to create a topic"):
        await bot.create_forum_topic(FORUM_ID, "Refusé")

    double.set_bot_rights(FORUM_ID)
    own = await bot.create_forum_topic(FORUM_ID, "Dossier du robot")
    created = double.user_creates_topic(ALICE, FORUM_ID, "Question d'Alice")
    theirs = created["message_thread_id"]
    assert parse_message(created, bot).forum_topic_created.name == "Question d'Alice"
    said = double.user_says(ALICE, "ma question", chat_id=FORUM_ID, message_thread_id=theirs)
    assert said["reply_to_message"]["message_id"] == theirs

    # Without can_manage_topics an administrator still manages the topics it created.
    double.set_bot_rights(FORUM_ID, can_manage_topics=False)
    assert await bot.close_forum_topic(FORUM_ID, own.message_thread_id)
    assert await bot.reopen_forum_topic(FORUM_ID, own.message_thread_id)
    assert await bot.edit_forum_topic(FORUM_ID, own.message_thread_id, name="Dossier renommé")
    for attempt in (
        lambda: bot.close_forum_topic(FORUM_ID, theirs),
        lambda: bot.edit_forum_topic(FORUM_ID, theirs, name="Pris"),
    ):
        with pytest.raises(BadRequest, match=r"(?i)^not enough rights to manage topics$"):
            await attempt()
    # A plain member manages none.
    double.set_bot_rights(FORUM_ID, "member")
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to manage topics"):
        await bot.close_forum_topic(FORUM_ID, own.message_thread_id)
    double.set_bot_rights(FORUM_ID, can_manage_topics=True)
    assert await bot.close_forum_topic(FORUM_ID, theirs)
    double.set_bot_rights(FORUM_ID, "member")
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to manage topics"):
        await bot.reopen_forum_topic(FORUM_ID, theirs)
    assert double.topics(FORUM_ID)[theirs]["is_closed"] is True

    with pytest.raises(ValueError, match="can_manage_topic"):
        double.set_bot_rights(FORUM_ID, can_manage_topic=True)  # a typo
    with pytest.raises(ValueError, match="no field"):
        double.set_bot_rights(FORUM_ID, "member", can_manage_topics=True)
    with pytest.raises(ValueError, match="register_group"):
        double.set_bot_rights(-100999, "member")
    for data in double.messages_in(FORUM_ID):
        parse_message(data, bot)


async def test_my_chat_member_updates_carry_the_bot_rights(double: BotApiDouble, bot: Bot) -> None:
    added = double.user_adds_bot_to_group(ALICE, FORUM_ID, "Réseau", is_forum=True)
    assert (added["old_chat_member"]["status"], added["new_chat_member"]["status"]) == ("left", "member")
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to create a topic"):
        await bot.create_forum_topic(FORUM_ID, "Trop tôt")

    promoted = double.user_changes_bot_rights(
        ALICE, FORUM_ID, can_manage_topics=True, can_delete_messages=False
    )
    assert promoted["old_chat_member"] == added["new_chat_member"]
    assert promoted["new_chat_member"]["can_delete_messages"] is False
    assert await bot.create_forum_topic(FORUM_ID, "Enfin")

    double.user_adds_bot_to_group(BOB, GROUP_ID, "Gare centrale", as_admin=True, can_manage_topics=False)
    demoted = double.user_changes_bot_rights(BOB, GROUP_ID, "member")
    assert demoted["old_chat_member"]["can_manage_topics"] is False

    updates = await bot.get_updates()
    assert_known_fields(updates)
    changes = [u.my_chat_member for u in updates]
    assert [type(c.new_chat_member) for c in changes] == [
        ChatMemberMember,
        ChatMemberAdministrator,
        ChatMemberAdministrator,
        ChatMemberMember,
    ]
    assert [type(c.old_chat_member) for c in changes] == [
        ChatMemberLeft,
        ChatMemberMember,
        ChatMemberLeft,
        ChatMemberAdministrator,
    ]
    assert changes[0].chat.is_forum is True
    assert changes[1].new_chat_member.can_manage_topics is True
    assert changes[1].new_chat_member.can_delete_messages is False
    assert changes[2].new_chat_member.can_manage_topics is False
    assert changes[2].new_chat_member.can_pin_messages is True
    assert changes[3].from_user.id == BOB.id
    assert (await bot.get_chat_member(GROUP_ID, BOT_ID)).status == "member"

    # Being added again keeps what the group was, unless told otherwise.
    double.user_adds_bot_to_group(ALICE, FORUM_ID, "Réseau renommé", as_admin=True)
    assert (await bot.get_chat(FORUM_ID)).title == "Réseau renommé"
    assert (await bot.get_chat(FORUM_ID)).is_forum is True
    with pytest.raises(ValueError, match="as_admin"):
        double.user_adds_bot_to_group(ALICE, GROUP_ID, "Gare", can_manage_topics=True)
    with pytest.raises(ValueError, match="no group"):
        double.user_changes_bot_rights(ALICE, -100999)


async def test_topics_copies_blocked_users_and_what_each_chat_received(
    double: BotApiDouble, bot: Bot
) -> None:
    double.register_group(FORUM_ID, "Réseau", is_forum=True)
    first = await bot.create_forum_topic(FORUM_ID, "Dossier Alice")
    second = await bot.create_forum_topic(FORUM_ID, "Dossier Bob")
    original = double.user_says(ALICE, "ma demande")
    copied = await bot.copy_message(
        FORUM_ID, ALICE.id, original["message_id"], message_thread_id=first.message_thread_id
    )
    copy_stored = double.message(FORUM_ID, copied.message_id)
    assert copy_stored["message_thread_id"] == first.message_thread_id
    assert copy_stored["is_topic_message"] is True
    assert copy_stored["text"] == "ma demande"
    parsed = parse_message(copy_stored, bot)
    assert parsed.reply_to_message.forum_topic_created.name == "Dossier Alice"
    await bot.send_message(FORUM_ID, "dans le dossier de Bob", message_thread_id=second.message_thread_id)
    await bot.send_message(FORUM_ID, "suite pour Alice", message_thread_id=first.message_thread_id)
    await bot.send_message(FORUM_ID, "dans General")

    assert [m["text"] for m in double.bot_messages(FORUM_ID, first.message_thread_id)] == [
        "ma demande",
        "suite pour Alice",
    ]
    assert [m["text"] for m in double.bot_messages(FORUM_ID, thread_id=second.message_thread_id)] == [
        "dans le dossier de Bob"
    ]
    assert len(double.bot_messages(FORUM_ID)) == 4
    assert double.last_bot_message(FORUM_ID, first.message_thread_id)["text"] == "suite pour Alice"
    found = await double.wait_for_bot_message(
        FORUM_ID, thread_id=second.message_thread_id, contains="Bob", timeout=0.5
    )
    assert found["message_thread_id"] == second.message_thread_id
    with pytest.raises(AssertionError, match=f"topic {first.message_thread_id}"):
        await double.wait_for_bot_message(FORUM_ID, thread_id=first.message_thread_id, count=3, timeout=0.05)

    await bot.send_message(ALICE.id, "premier")
    await bot.send_message(ALICE.id, "second")
    assert [m["text"] for m in double.bot_messages(ALICE.id)] == ["premier", "second"]

    assert await bot.delete_forum_topic(FORUM_ID, first.message_thread_id)
    with pytest.raises(BadRequest, match=r"(?i)^message thread not found$"):
        await bot.send_message(FORUM_ID, "trop tard", message_thread_id=first.message_thread_id)
    with pytest.raises(BadRequest, match=r"(?i)^message thread not found$"):
        await bot.copy_message(
            FORUM_ID, ALICE.id, original["message_id"], message_thread_id=first.message_thread_id
        )
    assert double.bot_messages(FORUM_ID, first.message_thread_id) == []

    double.user_blocks_bot(ALICE)
    for attempt in (
        lambda: bot.send_message(ALICE.id, "tu es là ?"),
        lambda: bot.copy_message(ALICE.id, FORUM_ID, found["message_id"]),
        lambda: bot.forward_message(ALICE.id, FORUM_ID, found["message_id"]),
    ):
        with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
            await attempt()
    assert [c.status for c in double.calls[-3:]] == [403, 403, 403]
    assert [m["text"] for m in double.bot_messages(ALICE.id)] == ["premier", "second"]
