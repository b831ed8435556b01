"""``BotApiDouble``: the mixins put together, with its lifecycle, its set-up methods, what tests
read back (calls, messages, topics, bot settings) and the waits of async tests."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any

from tests.support.botapi.common import MEDIA_KINDS, T
from tests.support.botapi.gestures import GesturesMixin
from tests.support.botapi.methods_bot import BotMethods
from tests.support.botapi.methods_chats import ChatMethods
from tests.support.botapi.methods_messages import MessageMethods
from tests.support.botapi.transport import Handler, Server, ServingMixin
from tests.support.botapi.values import TOKEN, ApiCall, JSONDict, User


class BotApiDouble(ServingMixin, GesturesMixin, MessageMethods, ChatMethods, BotMethods):
    """A fake Telegram Bot API server on ``127.0.0.1`` for end-to-end tests.

    Use it as a context manager (or ``start()``/``stop()``), point PTB at ``base_url`` and
    ``base_file_url``, make users act with ``user_says``/``user_presses``/... and assert on
    ``calls`` and on the chats' messages (``messages_in``, ``bot_messages``).

    Args:
        token: the only token accepted; any other one answers ``401 Unauthorized``.
        strict_chats: when true (default, like Telegram) the bot can only write to chats the
            double knows: users who wrote (``user_says`` & co.) or were ``register_user``-ed,
            groups that were ``register_group``-ed. Otherwise unknown chats are created on use.
    """

    def __init__(self, *, token: str = TOKEN, strict_chats: bool = True) -> None:
        super().__init__(token=token, strict_chats=strict_chats)
        self._dispatch = {
            "getMe": self._api_get_me,
            "logOut": self._api_true,
            "close": self._api_true,
            "getUpdates": self._api_get_updates,
            "setWebhook": self._api_set_webhook,
            "deleteWebhook": self._api_delete_webhook,
            "getWebhookInfo": self._api_get_webhook_info,
            "sendMessage": self._api_send_message,
            "forwardMessage": self._api_forward_message,
            "copyMessage": self._api_copy_message,
            "sendChatAction": self._api_send_chat_action,
            "getFile": self._api_get_file,
            "editMessageText": self._api_edit_message_text,
            "editMessageCaption": self._api_edit_message_caption,
            "editMessageReplyMarkup": self._api_edit_message_reply_markup,
            "deleteMessage": self._api_delete_message,
            "deleteMessages": self._api_delete_messages,
            "answerCallbackQuery": self._api_answer_callback_query,
            "setMyCommands": self._api_set_my_commands,
            "getMyCommands": self._api_get_my_commands,
            "deleteMyCommands": self._api_delete_my_commands,
            "setMyDescription": self._api_set_my_description,
            "getMyDescription": self._api_get_my_description,
            "setMyShortDescription": self._api_set_my_short_description,
            "getMyShortDescription": self._api_get_my_short_description,
            "setMyName": self._api_set_my_name,
            "getMyName": self._api_get_my_name,
            "getChat": self._api_get_chat,
            "getChatMember": self._api_get_chat_member,
            "createForumTopic": self._api_create_forum_topic,
            "editForumTopic": self._api_edit_forum_topic,
            "closeForumTopic": self._api_close_forum_topic,
            "reopenForumTopic": self._api_reopen_forum_topic,
            "deleteForumTopic": self._api_delete_forum_topic,
        }
        for kind in MEDIA_KINDS:
            self._dispatch["send" + kind.capitalize()] = self._media_sender(kind)
        self._canonical = {name.lower(): name for name in self._dispatch}

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> BotApiDouble:
        """Bind an ephemeral loopback port and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("BotApiDouble is already started (it cannot be restarted)")
        server = Server(("127.0.0.1", 0), Handler)
        server.double = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="BotApiDouble", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release pending long polls, close client connections and the socket (well under 1 s).

        Idempotent. Pending ``getUpdates`` answer an empty list if their connection is still
        open; delayed responses are cut short."""
        with self._cond:
            server = self._server
            if server is None or self._stopping:
                return
            self._stopping = True
            self._cond.notify_all()
        self._stop_event.set()
        server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    def __enter__(self) -> BotApiDouble:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("BotApiDouble is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends the token and the method."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``: PTB appends the token and file path."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def token(self) -> str:
        return self._token

    @property
    def server_errors(self) -> list[str]:
        """Tracebacks of bugs inside the double (each answered as HTTP 500). Should stay empty."""
        with self._lock:
            return list(self._server_errors)

    # ---- recorded calls ----------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Snapshot of every request received, in arrival order."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls of one Bot API method (name matched case-insensitively)."""
        wanted = self._canonical.get(method.lower(), method)
        with self._lock:
            return [call for call in self._calls if call.method == wanted]

    def clear_calls(self) -> None:
        """Forget recorded calls, e.g. after a test's set-up phase."""
        with self._lock:
            self._calls.clear()

    # ---- chats, messages and bot state -------------------------------------------------------

    def register_user(self, user: User) -> None:
        """Make the user's private chat known, as if they had started the bot earlier."""
        with self._lock:
            self._private_chat(user)

    def register_group(
        self,
        chat_id: int,
        title: str,
        is_forum: bool = False,
        *,
        chat_type: str = "supergroup",
        username: str | None = None,
        bot_rights: Mapping[str, Any] | None = None,
    ) -> None:
        """Declare a group the bot is a member of (``chat_type`` "supergroup", "group" or
        "channel"); ``is_forum`` enables topics (``createForumTopic``, ``is_topic_message``).

        ``bot_rights`` sets the bot's membership, as for ``set_bot_rights``: an optional
        ``"status"`` (default "administrator") and ChatMember fields, e.g.
        ``{"can_manage_topics": False}`` or ``{"status": "member"}``. Without it the bot keeps
        what it had, by default an administrator with every right."""
        with self._lock:
            chat = self._group(chat_id, title, is_forum=is_forum, chat_type=chat_type, username=None)
            chat.username = username
            if bot_rights is not None:
                rights = dict(bot_rights)
                self._set_bot_member(chat, str(rights.pop("status", "administrator")), rights)

    def set_bot_rights(self, chat_id: int, status: str = "administrator", **rights: Any) -> JSONDict:
        """Set the bot's own membership in a known group, silently (no update; see
        ``user_changes_bot_rights`` for the gesture). "administrator" has every right but those
        given as false (``can_manage_topics=False``...); "member" has none; "kicked"/"left"
        make sends there answer 403. Unknown fields raise ``ValueError``. Returns the
        ChatMember ``getChatMember(chat_id, BOT_ID)`` now answers."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                raise ValueError(f"no group {chat_id}: register_group first")
            return self._set_bot_member(chat, status, rights)

    def bot_member(self, chat_id: int) -> JSONDict:
        """The bot's ChatMember in a known chat, as ``getChatMember(chat_id, BOT_ID)`` answers."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                raise ValueError(f"unknown chat {chat_id}")
            return copy.deepcopy(self._member_json(chat, self._bot_id))

    def set_chat_member(self, chat_id: int, user_id: int, status: str = "member", **fields: Any) -> None:
        """Configure what ``getChatMember`` answers (status "creator", "administrator",
        "member", "restricted", "left" or "kicked"; missing required fields get defaults).
        Setting the bot itself to "kicked"/"left" in a group makes sends there answer 403."""
        with self._lock:
            self._members[(chat_id, user_id)] = {"status": status, **fields}

    def messages_in(self, chat_id: int) -> list[JSONDict]:
        """All live messages of a chat (users', bot's, service ones), oldest first, as they are
        now (after edits, without deleted ones)."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return copy.deepcopy(list(chat.messages.values())) if chat else []

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """One stored message in its current state, or ``None`` (unknown or deleted)."""
        with self._lock:
            chat = self._chats.get(chat_id)
            found = chat.messages.get(message_id) if chat else None
            return copy.deepcopy(found) if found else None

    def bot_messages(self, chat_id: int, thread_id: int | None = None) -> list[JSONDict]:
        """Messages the bot sent to a chat (sent, copied, forwarded; not topic service
        messages), oldest first, with their current text/caption and reply_markup: what a
        user received in their private chat. With ``thread_id``, only those in that forum
        topic (``message_thread_id``)."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                return []
            return copy.deepcopy(
                [
                    msg
                    for msg_id, msg in chat.messages.items()
                    if msg.get("from", {}).get("id") == self._bot_id
                    and msg_id not in chat.service_ids
                    and (thread_id is None or msg.get("message_thread_id") == thread_id)
                ]
            )

    def last_bot_message(self, chat_id: int, thread_id: int | None = None) -> JSONDict | None:
        """The bot's most recent live message in a chat (in a topic, with ``thread_id``), or
        ``None``."""
        messages = self.bot_messages(chat_id, thread_id)
        return messages[-1] if messages else None

    def deleted_message_ids(self, chat_id: int) -> list[int]:
        """Ids deleted via ``deleteMessage(s)``/``deleteForumTopic``, in deletion order."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return list(chat.deleted_ids) if chat else []

    def reply_keyboard(self, chat_id: int) -> JSONDict | None:
        """The custom (reply) keyboard currently shown in a chat: the last ``ReplyKeyboardMarkup``
        sent there, ``None`` after a ``ReplyKeyboardRemove``. Telegram does not return such
        keyboards inside Message objects, so this is where tests can see them."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return copy.deepcopy(chat.reply_keyboard) if chat else None

    def topics(self, chat_id: int) -> dict[int, JSONDict]:
        """Forum topics of a chat by message_thread_id, with name, icon, is_closed, is_deleted."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return copy.deepcopy(chat.topics) if chat else {}

    def my_commands(self, scope: Mapping[str, Any] | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands set by the bot for a scope (default scope if ``None``) and language."""
        with self._lock:
            return copy.deepcopy(self._commands.get((self._scope_key(scope), language_code), []))

    def my_description(self, language_code: str = "") -> str:
        with self._lock:
            return self._descriptions.get(language_code, "")

    def my_short_description(self, language_code: str = "") -> str:
        with self._lock:
            return self._short_descriptions.get(language_code, "")

    @property
    def webhook(self) -> JSONDict | None:
        """The webhook set by ``setWebhook`` (url and options), ``None`` when polling."""
        with self._lock:
            return copy.deepcopy(self._webhook)

    @property
    def allowed_updates(self) -> list[str] | None:
        """The update types the bot last asked for (``None``: never set, default set)."""
        with self._lock:
            return list(self._allowed_updates) if self._allowed_updates is not None else None

    def restart_update_ids(self, at: int) -> None:
        """The next update gets id `at` and the following ones count up from there: what Telegram does after
        a week without updates ("the next update id is chosen at random"), here possibly an id already used."""
        with self._lock:
            self._next_update_id = at

    def inject_update(self, fields: JSONDict) -> JSONDict:
        """Queue a raw update as given (`fields` without `update_id`), whatever its shape: one written by a
        newer Bot API than the bot's library knows, say. Not filtered by ``allowed_updates``."""
        with self._cond:
            update = {"update_id": self._next_update_id, **copy.deepcopy(fields)}
            self._next_update_id += 1
            self._updates.append(update)
            self._cond.notify_all()
            return copy.deepcopy(update)

    def pending_updates(self) -> int:
        """Number of queued updates the bot has not confirmed (via ``offset``) yet."""
        with self._lock:
            return len(self._updates)

    def is_blocked_by(self, user: User) -> bool:
        with self._lock:
            return user.id in self._blocked

    # ---- waiting from async tests --------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, *, description: str = "") -> T:  # noqa: ASYNC109
        """Poll ``predicate`` every 10 ms until it returns a truthy value, which is returned.

        Exceptions from the predicate (e.g. ``IndexError`` before a message exists) count as
        "not yet". On timeout, raises ``AssertionError`` naming the last exception and the
        last 10 recorded calls, which is usually what explains the failure."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last_error: Exception | None = None
        for _attempt in itertools.count():
            try:
                value = predicate()
            except Exception as exc:  # reported on timeout
                last_error = exc
            else:
                last_error = None
                if value:
                    return value
            if loop.time() >= deadline:
                break
            await asyncio.sleep(0.01)
        lines = [f"condition not met within {timeout:g} s" + (f": {description}" if description else "")]
        if last_error is not None:
            lines.append(f"predicate last raised {last_error!r}")
        recent = self.calls[-10:]
        lines.append(f"last {len(recent)} Bot API calls (of {len(self.calls)}):")
        lines.extend(f"  {call.describe()}" for call in recent)
        if self.server_errors:
            lines.append("errors inside the double:")
            lines.extend(self.server_errors[-3:])
        raise AssertionError("\n".join(lines))

    async def wait_for_bot_message(
        self,
        chat_id: int,
        *,
        count: int = 1,
        contains: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
        thread_id: int | None = None,
    ) -> JSONDict:
        """Wait until the bot has at least ``count`` live messages in the chat (in the topic
        ``thread_id``, if given; counting only those whose text or caption contains
        ``contains``, if given); return the latest one."""

        def matching() -> list[JSONDict] | None:
            found = [
                msg
                for msg in self.bot_messages(chat_id, thread_id)
                if contains is None or contains in (msg.get("text") or msg.get("caption") or "")
            ]
            return found if len(found) >= count else None

        where = f"chat {chat_id}" + (f" topic {thread_id}" if thread_id is not None else "")
        what = f"{count} bot message(s) in {where}" + (f" containing {contains!r}" if contains else "")
        found = await self.wait_for(matching, timeout, description=what)
        return found[-1]

    async def wait_for_call(self, method: str, *, count: int = 1, timeout: float = 5.0) -> ApiCall:  # noqa: ASYNC109
        """Wait until ``method`` was called at least ``count`` times; return the latest call."""
        calls = await self.wait_for(
            lambda: (found := self.calls_to(method)) and len(found) >= count and found,
            timeout,
            description=f"{count} call(s) to {method}",
        )
        return calls[-1]
