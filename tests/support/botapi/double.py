"""``BotApiDouble``: the parts put together, with its lifecycle, its set-up methods, what tests read back
(calls, messages, topics, commands) and the waits of async tests."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import socket
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from tests.support.botapi.gestures import Gestures
from tests.support.botapi.methods import Methods, scope_key
from tests.support.botapi.transport import Handler, Server, Serving
from tests.support.botapi.values import TOKEN, ApiCall, JSONDict, User, json_copy

T = TypeVar("T")


class BotApiDouble(Serving, Gestures, Methods):
    """A fake Telegram Bot API server on ``127.0.0.1`` for end-to-end tests.

    Use it as a context manager, point PTB at ``base_url``, make users act with ``user_says``,
    ``user_presses``... and assert on ``calls`` and on the chats' messages (``bot_messages``, ``message``).
    Only ``token`` is accepted (any other answers 401), and the bot can only write to chats the double
    knows, as on Telegram: users who wrote, groups that were ``register_group``-ed or that added the bot.
    """

    def __init__(self, *, token: str = TOKEN) -> None:
        super().__init__(token=token)
        self._dispatch = self._methods()
        self._canonical = {name.lower(): name for name in self._dispatch}

    # ---- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> BotApiDouble:
        """Bind an ephemeral loopback port and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("BotApiDouble is already started (it cannot be restarted)")
        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.double = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="BotApiDouble",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release pending long polls and late answers, close client connections and the socket. Idempotent."""
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
    def server_errors(self) -> list[str]:
        """Tracebacks of bugs inside the double (each answered as HTTP 500). Should stay empty."""
        with self._lock:
            return list(self._server_errors)

    # ---- set-up --------------------------------------------------------------------------------------

    def register_user(self, user: User) -> None:
        """A person who talked to the bot before: their private chat exists (no update is queued)."""
        with self._lock:
            self._private_chat(user)

    def register_group(self, chat_id: int, title: str, is_forum: bool = False) -> None:
        """A supergroup the bot is already in (an administrator with every right); ``is_forum`` gives it
        topics."""
        with self._lock:
            self._group(chat_id, title, is_forum=is_forum)

    def set_bot_rights(self, chat_id: int, status: str = "administrator", **rights: Any) -> JSONDict:
        """Set the bot's membership in a known group, silently (no update): "administrator" has every right
        but those given as false (``can_manage_topics=False``), "member" none, "kicked" and "left" make sends
        there answer 403. Returns the ChatMember ``getChatMember(chat_id, BOT_ID)`` now answers."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None or chat.type == "private":
                raise ValueError(f"no group {chat_id}: register_group first")
            return self._set_bot_member(chat, status, rights)

    def set_chat_member(self, chat_id: int, user_id: int, status: str = "member", **fields: Any) -> None:
        """What ``getChatMember`` answers for this user in this group ("member", "left", "kicked"...)."""
        with self._lock:
            self._members[(chat_id, user_id)] = {"status": status, **fields}

    def restart_update_ids(self, at: int) -> None:
        """The next update gets id `at` and the following ones count up from there: what Telegram does after
        a week without updates ("the next update id is chosen at random"), here possibly an id already used."""
        with self._lock:
            self._next_update_id = at
            self._confirmed_below = 0

    def confirmed_below(self) -> int:
        """The highest ``offset`` a ``getUpdates`` was served with since the ids last started again (0 before
        any): every update with a lower id is confirmed and gone. Telegram starts ids again lower only after a
        quiet week, when everything is confirmed, so a test waits for this before `restart_update_ids` while
        the bot runs: restarting earlier lets the bot's pending confirmation drop the new updates."""
        with self._lock:
            return self._confirmed_below

    def inject_update(self, fields: JSONDict) -> JSONDict:
        """Queue a raw update as given (`fields` without `update_id`), whatever its shape: one written by a
        newer Bot API than the bot's library knows, say. Not filtered by ``allowed_updates``."""
        with self._cond:
            update = {"update_id": self._next_update_id, **copy.deepcopy(fields)}
            self._next_update_id += 1
            self._updates.append(update)
            self._cond.notify_all()
            return copy.deepcopy(update)

    # ---- what tests read back --------------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Every request received, in arrival order."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """The calls of one Bot API method (its name matched case-insensitively)."""
        wanted = self._canonical.get(method.lower(), method)
        with self._lock:
            return [call for call in self._calls if call.method == wanted]

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """One message as it is now (after edits), or ``None`` (unknown or deleted)."""
        with self._lock:
            chat = self._chats.get(chat_id)
            found = chat.messages.get(message_id) if chat else None
            return json_copy(found)

    def bot_messages(self, chat_id: int, thread_id: int | None = None) -> list[JSONDict]:
        """The live messages the bot sent to a chat (in the forum topic ``thread_id``, if given), oldest
        first, as they are now: what a person there sees. Topics' service messages are left out."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                return []
            return json_copy(
                [
                    message
                    for message_id, message in chat.messages.items()
                    if message.get("from", {}).get("id") == self._bot_id
                    and message_id not in chat.service_ids
                    and (thread_id is None or message.get("message_thread_id") == thread_id)
                ]
            )

    def last_bot_message(self, chat_id: int, thread_id: int | None = None) -> JSONDict | None:
        messages = self.bot_messages(chat_id, thread_id)
        return messages[-1] if messages else None

    def deleted_message_ids(self, chat_id: int) -> list[int]:
        """Ids the bot deleted with ``deleteMessage``, in order."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return list(chat.deleted_ids) if chat else []

    def topics(self, chat_id: int) -> dict[int, JSONDict]:
        """The forum topics of a chat by ``message_thread_id``: name, icon, ``is_closed``."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return copy.deepcopy(chat.topics) if chat else {}

    def my_commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The commands the bot set for a scope (the default one if ``None``) and a language."""
        with self._lock:
            return copy.deepcopy(self._commands.get((scope_key(scope), language_code), []))

    @property
    def webhook(self) -> JSONDict | None:
        """The webhook set by ``setWebhook`` (url and options), ``None`` when polling."""
        with self._lock:
            return copy.deepcopy(self._webhook)

    # ---- waiting, from async tests -------------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, *, description: str = "") -> T:  # noqa: ASYNC109
        """Check ``predicate`` whenever the double has answered a call, and every 10 ms (for what it does not
        see: the database, the bot's own state), until it returns a truthy value, which is returned.

        An exception from the predicate (an ``IndexError`` before a message exists) counts as "not yet". On
        timeout, raises ``AssertionError`` with the last exception and the last 10 calls, which usually
        explain the failure."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last_error: Exception | None = None
        answered = asyncio.Event()
        waiter = (loop, answered)
        with self._lock:
            self._waiters.add(waiter)
        try:
            while True:
                answered.clear()
                try:
                    value = predicate()
                except Exception as error:  # reported on timeout
                    last_error = error
                else:
                    last_error = None
                    if value:
                        return value
                if loop.time() >= deadline:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(answered.wait(), 0.01)
        finally:
            with self._lock:
                self._waiters.discard(waiter)
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
        """Wait until the bot has at least ``count`` live messages in the chat (in the topic ``thread_id``,
        if given; counting only those whose text or caption contains ``contains``); return the latest."""

        def matching() -> list[JSONDict] | None:
            found = [
                message
                for message in self.bot_messages(chat_id, thread_id)
                if contains is None or contains in (message.get("text") or message.get("caption") or "")
            ]
            return found if len(found) >= count else None

        where = f"chat {chat_id}" + (f" topic {thread_id}" if thread_id is not None else "")
        what = f"{count} bot message(s) in {where}" + (f" containing {contains!r}" if contains else "")
        return (await self.wait_for(matching, timeout, description=what))[-1]
