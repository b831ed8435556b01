"""The double's state: chats and their messages, forum topics, memberships, queued updates, and the
errors the server answers. Everything here is called with ``self._lock`` held."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.support.botapi.values import BOT_FIRST_NAME, BOT_USERNAME, TOKEN, ApiCall, JSONDict, User

if TYPE_CHECKING:
    from tests.support.botapi.transport import RandomRule, Server

# Telegram's default set when allowed_updates is unset or empty: everything but these three.
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# What getChatMember fills in for a status when the test says nothing more (PTB needs the required fields).
MEMBER_DEFAULTS: dict[str, JSONDict] = {
    "administrator": {
        "can_be_edited": False,
        "is_anonymous": False,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": True,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": True,
        "can_invite_users": True,
        "can_post_stories": False,
        "can_edit_stories": False,
        "can_delete_stories": False,
        "can_pin_messages": True,
        "can_manage_topics": True,
    },
    "creator": {"is_anonymous": False},
    "member": {},
    "left": {},
    "kicked": {"until_date": 0},
}


class ApiError(Exception):
    """An error answer of the Bot API, raised by the methods."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        data: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def u16len(text: str) -> int:
    """Length in UTF-16 code units: the unit of Telegram entity offsets and length limits."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Chat:
    id: int
    type: str  # "private" or "supergroup"
    title: str | None = None
    first_name: str | None = None
    username: str | None = None
    is_forum: bool = False
    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)
    service_ids: set[int] = field(default_factory=set)
    deleted_ids: list[int] = field(default_factory=list)
    topics: dict[int, JSONDict] = field(default_factory=dict)

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def to_json(self) -> JSONDict:
        if self.type == "private":
            data: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name or ""}
            if self.username:
                data["username"] = self.username
            return data
        data = {"id": self.id, "type": self.type, "title": self.title or ""}
        if self.is_forum:
            data["is_forum"] = True
        return data


class DoubleState:
    """State and helpers shared by the parts of ``BotApiDouble``."""

    def __init__(self, *, token: str = TOKEN) -> None:
        self._token = token
        self._bot_id = int(token.split(":", 1)[0])
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stop_event = threading.Event()
        self._stopping = False
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._server_errors: list[str] = []
        # `wait_for` in async tests: woken as soon as a call has been answered, not at its next poll
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

        self._calls: list[ApiCall] = []
        self._faults: list[
            tuple[str, int, str, int | None, list[int]]
        ] = []  # method, code, text, retry, left
        self._random_faults: dict[str, RandomRule] = {}
        self._random_timeouts: dict[str, RandomRule] = {}

        self._chats: dict[int, Chat] = {}
        self._users: dict[int, User] = {}
        self._blocked: set[int] = set()
        self._members: dict[tuple[int, int], JSONDict] = {}
        self._file_seq = itertools.count(1)
        self._callback_seq = itertools.count(1)
        self._callback_queries: dict[str, JSONDict | None] = {}

        self._updates: list[JSONDict] = []
        self._next_update_id = 100_000_001
        self._confirmed_below = 0  # the highest getUpdates offset served since the ids last started again
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._webhook: JSONDict | None = None
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}

        self._dispatch: dict[str, Callable[[dict[str, Any]], Any]] = {}
        self._canonical: dict[str, str] = {}

    def _wake_waiters(self) -> None:
        """Wake every `wait_for` under way (from the server's thread, the lock not held: it takes it itself, only
        to copy the set): a call has just been answered."""
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # its loop has closed meanwhile
                loop.call_soon_threadsafe(event.set)

    @property
    def bot_user(self) -> JSONDict:
        """The bot as the ``from`` of its own messages."""
        return {"id": self._bot_id, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME}

    def _enqueue(self, kind: str, payload: JSONDict) -> JSONDict | None:
        """Queue an update unless the bot's ``allowed_updates`` excludes it (the server does not even store
        those)."""
        allowed = self._allowed_updates
        if (allowed and kind not in allowed) or (not allowed and kind in NOT_DELIVERED_BY_DEFAULT):
            return None
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        self._updates.append(update)
        self._cond.notify_all()
        return update

    # ---- chats ---------------------------------------------------------------------------------

    def _private_chat(self, user: User) -> Chat:
        self._users[user.id] = user
        chat = self._chats.get(user.id)
        if chat is None:
            chat = self._chats[user.id] = Chat(id=user.id, type="private")
        chat.first_name, chat.username = user.first_name, user.username
        return chat

    def _group(self, chat_id: int, title: str, *, is_forum: bool | None = None) -> Chat:
        """Create or update a supergroup; ``is_forum`` ``None`` keeps what it was (a new one: no forum)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = Chat(id=chat_id, type="supergroup")
        chat.title = title
        if is_forum is not None:
            chat.is_forum = is_forum
        return chat

    def _lookup_chat(self, chat_id: object) -> Chat:
        """A chat the double knows (a user who wrote, a registered group), or Telegram's 400."""
        try:
            chat = self._chats.get(int(str(chat_id)))
        except ValueError:
            chat = None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _writable_chat(self, chat_id: object) -> Chat:
        """The chat the bot acts in, or the 403 Telegram gives when it may not write there."""
        chat = self._lookup_chat(chat_id)
        if chat.type == "private" and chat.id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.type != "private":
            status = self._members.get((chat.id, self._bot_id), {}).get("status")
            if status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
            if status == "left":
                raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        return chat

    # ---- memberships ---------------------------------------------------------------------------

    def _member_user(self, user_id: int) -> JSONDict:
        if user_id == self._bot_id:
            return self.bot_user
        if user_id in self._users:
            return self._users[user_id].to_json()
        return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}

    def _member_payload(self, user_id: int, status: str, fields: Mapping[str, Any]) -> JSONDict:
        """A ChatMember object: the status's required fields (defaults) overridden by ``fields``."""
        if status not in MEMBER_DEFAULTS:
            raise ValueError(f"unknown chat member status {status!r}; one of {sorted(MEMBER_DEFAULTS)}")
        return {"user": self._member_user(user_id), "status": status, **MEMBER_DEFAULTS[status], **fields}

    def _member_json(self, chat: Chat, user_id: int) -> JSONDict:
        """What ``getChatMember`` answers: the configured membership, else "member" (the bot in a group: an
        administrator with every right)."""
        configured = dict(self._members.get((chat.id, user_id), {}))
        if not configured:
            bot_in_group = user_id == self._bot_id and chat.type != "private"
            configured = {"status": "administrator" if bot_in_group else "member"}
        status = str(configured.pop("status"))
        return self._member_payload(user_id, status, configured)

    def _set_bot_member(self, chat: Chat, status: str, rights: Mapping[str, Any]) -> JSONDict:
        """Store the bot's membership in a group; return its new ChatMember."""
        unknown = sorted(set(rights) - set(MEMBER_DEFAULTS.get(status, {})))
        if unknown:
            raise ValueError(f"a ChatMember with status {status!r} has no field(s) {unknown}")
        self._members[(chat.id, self._bot_id)] = {"status": status, **rights}
        return self._member_json(chat, self._bot_id)

    def _my_chat_member(self, user: User, chat: Chat, old: JSONDict, new: JSONDict) -> JSONDict:
        """Queue a ``my_chat_member`` update (old and new ChatMember of the bot); return its payload."""
        payload: JSONDict = {
            "chat": chat.to_json(),
            "from": user.to_json(),
            "date": int(time.time()),
            "old_chat_member": copy.deepcopy(old),
            "new_chat_member": copy.deepcopy(new),
        }
        self._enqueue("my_chat_member", payload)
        return copy.deepcopy(payload)

    # ---- messages ------------------------------------------------------------------------------

    def _store_message(
        self,
        chat: Chat,
        sender: JSONDict,
        content: JSONDict,
        thread_id: int | None,
        reply: Mapping[str, Any] | None,
        *,
        message_id: int | None = None,
        service: bool = False,
    ) -> JSONDict:
        message_id = message_id if message_id is not None else chat.allocate_message_id()
        message: JSONDict = {"message_id": message_id}
        if thread_id is not None:
            message["message_thread_id"] = thread_id
        message.update({"from": sender, "chat": chat.to_json(), "date": int(time.time())})
        if thread_id is not None and chat.is_forum:
            message["is_topic_message"] = True
        if reply is None and thread_id is not None and chat.is_forum and not service:
            reply = chat.messages.get(thread_id)  # in a topic, a message replies to the topic's creation
        if reply is not None:
            nested = copy.deepcopy(dict(reply))
            nested.pop("reply_to_message", None)  # Telegram embeds one level only
            message["reply_to_message"] = nested
        message.update(copy.deepcopy(content))
        chat.messages[message_id] = message
        if service:
            chat.service_ids.add(message_id)
        return message

    def _new_topic(self, chat: Chat, name: str) -> JSONDict:
        """Store a topic the bot created, with its ``forum_topic_created`` service message."""
        thread_id = chat.allocate_message_id()
        topic: JSONDict = {"message_thread_id": thread_id, "name": name, "icon_color": 0x6FB9F0}
        created = {"name": name, "icon_color": topic["icon_color"]}
        self._store_message(
            chat,
            self.bot_user,
            {"forum_topic_created": created},
            thread_id,
            None,
            message_id=thread_id,
            service=True,
        )
        chat.topics[thread_id] = {**topic, "is_closed": False}
        return topic

    def _new_media(self, kind: str, **extra: Any) -> Any:
        """Fake media JSON for a user's photo (three sizes) or voice note: the bot only copies them."""
        seq = next(self._file_seq)

        def media(n: int, **fields: Any) -> JSONDict:
            return {
                "file_id": f"{kind}-{seq}-{n}-DoubleFile",
                "file_unique_id": f"AQAD{seq:06d}{n}",
                **fields,
            }

        if kind == "photo":
            return [
                media(n, width=w, height=h, file_size=w * h // 10)
                for n, (w, h) in enumerate(((90, 68), (320, 240), (800, 600)))
            ]
        return media(0, duration=int(extra.get("duration", 3)), mime_type="audio/ogg", file_size=4096)
