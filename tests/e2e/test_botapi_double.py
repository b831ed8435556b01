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
import datetime as dtm
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
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
