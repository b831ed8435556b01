"""The double's state: chats and their messages, stored files, queued updates, memberships.

``DoubleState`` holds every attribute the mixins of ``BotApiDouble`` share, and the helpers
they all need. Everything here must be called with ``self._lock`` held.
"""

from __future__ import annotations

import copy
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.support.botapi.common import (
    ADMIN_RIGHTS,
    CHANNEL_ADMIN_RIGHTS,
    GROUP_ADMIN_RIGHTS,
    MEMBER_DEFAULTS,
    MEMBER_FIELDS,
    NOT_DELIVERED_BY_DEFAULT,
    ApiError,
    bad_request,
    strip_nested_reply,
)
from tests.support.botapi.values import BOT_FIRST_NAME, BOT_USERNAME, TOKEN, ApiCall, JSONDict, User

if TYPE_CHECKING:
    from tests.support.botapi.faults import Delay, Fault, RandomRule
    from tests.support.botapi.transport import Server
    from tests.support.botapi.values import UploadedFile

    ApiMethod = Callable[[dict[str, Any], dict[str, UploadedFile]], Any]


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    file_size: int
    file_path: str
    content: bytes
    media: Any  # the JSON media object to reuse when the file is sent again by file_id


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    is_forum: bool = False
    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)
    service_ids: set[int] = field(default_factory=set)
    deleted_ids: list[int] = field(default_factory=list)
    topics: dict[int, JSONDict] = field(default_factory=dict)
    topic_creators: dict[int, int] = field(default_factory=dict)
    reply_keyboard: JSONDict | None = None

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def to_json(self) -> JSONDict:
        if self.type == "private":
            data: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name or ""}
            if self.last_name:
                data["last_name"] = self.last_name
        else:
            data = {"id": self.id, "type": self.type, "title": self.title or ""}
        if self.username:
            data["username"] = self.username
        if self.is_forum:
            data["is_forum"] = True
        return data


class DoubleState:
    """Shared state and helpers of ``BotApiDouble`` (see there for the arguments)."""

    def __init__(self, *, token: str = TOKEN, strict_chats: bool = True) -> None:
        self._token = token
        self._strict_chats = strict_chats
        self._bot_id = int(token.split(":", 1)[0])
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stop_event = threading.Event()
        self._stopping = False
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._server_errors: list[str] = []

        self._calls: list[ApiCall] = []
        self._faults: list[Fault] = []
        self._delays: list[Delay] = []
        self._random_faults: dict[str, RandomRule] = {}
        self._random_timeouts: dict[str, RandomRule] = {}

        self._chats: dict[int, Chat] = {}
        self._users: dict[int, User] = {}
        self._blocked: set[int] = set()
        self._members: dict[tuple[int, int], JSONDict] = {}
        self._files: dict[str, StoredFile] = {}
        self._file_seq = itertools.count(1)
        self._callback_seq = itertools.count(1)
        self._callback_queries: dict[str, JSONDict | None] = {}

        self._updates: list[JSONDict] = []
        self._next_update_id = 100_000_001
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._webhook: JSONDict | None = None

        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._descriptions: dict[str, str] = {}
        self._short_descriptions: dict[str, str] = {}
        self._names: dict[str, str] = {}

        self._dispatch: dict[str, ApiMethod] = {}
        self._canonical: dict[str, str] = {}

    @property
    def bot_user(self) -> JSONDict:
        """The bot as the ``from`` of its own messages."""
        return {"id": self._bot_id, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME}

    # ---- bookkeeping ---------------------------------------------------------------------------

    def _record_server_error(self, text: str) -> None:
        with self._lock:
            self._server_errors.append(text)

    def _track_connection(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _enqueue(self, kind: str, payload: JSONDict) -> JSONDict | None:
        """Queue an update unless the bot's ``allowed_updates`` excludes it (the server does not
        even store those). Must be called with the lock held."""
        allowed = self._allowed_updates
        if (allowed and kind not in allowed) or (not allowed and kind in NOT_DELIVERED_BY_DEFAULT):
            return None
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        self._updates.append(update)
        self._cond.notify_all()
        return update

    @staticmethod
    def _scope_key(scope: object) -> str:
        return json.dumps(scope if isinstance(scope, Mapping) else {"type": "default"}, sort_keys=True)

    # ---- chats ---------------------------------------------------------------------------------

    def _private_chat(self, user: User) -> Chat:
        self._users[user.id] = user
        chat = self._chats.get(user.id)
        if chat is None:
            chat = self._chats[user.id] = Chat(id=user.id, type="private")
        chat.first_name, chat.last_name, chat.username = user.first_name, user.last_name, user.username
        return chat

    def _lookup_chat(self, chat_id: object) -> Chat:
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.username and chat.username.lower() == chat_id[1:].lower():
                    return chat
            raise bad_request("chat not found")
        try:
            numeric = int(chat_id)  # type: ignore[call-overload]
        except (TypeError, ValueError) as exc:
            raise bad_request("chat not found") from exc
        chat = self._chats.get(numeric)
        if chat is None:
            if self._strict_chats:
                raise bad_request("chat not found")
            kind = "private" if numeric > 0 else "supergroup"
            chat = self._chats[numeric] = Chat(
                id=numeric,
                type=kind,
                first_name=f"User {numeric}" if kind == "private" else None,
                title=None if kind == "private" else f"Group {numeric}",
            )
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

    def _bot_admin_defaults(self, chat: Chat) -> JSONDict:
        """The bot as an administrator with every right of this kind of chat."""
        rights = ADMIN_RIGHTS + (CHANNEL_ADMIN_RIGHTS if chat.type == "channel" else GROUP_ADMIN_RIGHTS)
        return {"can_be_edited": False, "is_anonymous": False, **dict.fromkeys(rights, True)}

    def _member_payload(self, chat: Chat, user_id: int, status: str, fields: Mapping[str, Any]) -> JSONDict:
        """A ChatMember object: the status's required fields (defaults) overridden by ``fields``."""
        if status == "administrator" and user_id == self._bot_id:
            defaults = self._bot_admin_defaults(chat)
        else:
            defaults = MEMBER_DEFAULTS.get(status, {})
        return {"user": self._member_user(user_id), "status": status, **defaults, **fields}

    def _member_json(self, chat: Chat, user_id: int) -> JSONDict:
        """What ``getChatMember`` answers: the configured membership, else "member" (the bot in
        a group: an administrator with every right)."""
        configured = self._members.get((chat.id, user_id))
        if configured is None:
            bot_in_group = user_id == self._bot_id and chat.type != "private"
            configured = {"status": "administrator" if bot_in_group else "member"}
        fields = dict(configured)
        status = str(fields.pop("status"))
        return self._member_payload(chat, user_id, status, fields)

    def _set_bot_member(self, chat: Chat, status: str, rights: Mapping[str, Any]) -> JSONDict:
        """Store the bot's membership in a group (validated); return its new ChatMember."""
        if chat.type == "private":
            raise ValueError(f"chat {chat.id} is a private chat: the bot has no rights to set there")
        if status not in MEMBER_FIELDS:
            raise ValueError(f"unknown chat member status {status!r}; one of {sorted(MEMBER_FIELDS)}")
        unknown = sorted(set(rights) - MEMBER_FIELDS[status])
        if unknown:
            raise ValueError(f"a ChatMember with status {status!r} has no field(s) {unknown}")
        self._members[(chat.id, self._bot_id)] = {"status": status, **rights}
        return self._member_json(chat, self._bot_id)

    def _group(
        self,
        chat_id: int,
        title: str,
        *,
        is_forum: bool | None,
        chat_type: str | None,
        username: str | None,
    ) -> Chat:
        """Create or update a group chat; ``None`` keeps the current value (default for a new
        chat: a supergroup, not a forum)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = Chat(id=chat_id, type=chat_type or "supergroup")
        if chat_type is not None:
            chat.type = chat_type
        chat.title = title
        if is_forum is not None:
            chat.is_forum = is_forum
        if username is not None:
            chat.username = username
        return chat

    def _my_chat_member(self, user: User, chat: Chat, old: JSONDict, new: JSONDict) -> JSONDict:
        """Queue a ``my_chat_member`` update (old/new ChatMember of the bot); return its payload."""
        payload: JSONDict = {
            "chat": chat.to_json(),
            "from": user.to_json(),
            "date": int(time.time()),
            "old_chat_member": copy.deepcopy(old),
            "new_chat_member": copy.deepcopy(new),
        }
        self._enqueue("my_chat_member", payload)
        return copy.deepcopy(payload)

    def _bot_status_change(self, user: User, chat: Chat, old: str, new: str) -> JSONDict:
        """A ``my_chat_member`` update between two plain statuses (member, kicked, left)."""
        return self._my_chat_member(
            user,
            chat,
            self._member_payload(chat, self._bot_id, old, {}),
            self._member_payload(chat, self._bot_id, new, {}),
        )

    # ---- messages and files --------------------------------------------------------------------

    def _store_message(
        self,
        chat: Chat,
        sender: JSONDict,
        content: JSONDict,
        thread_id: int | None,
        reply: Mapping[str, Any] | None,
        *,
        external_reply: JSONDict | None = None,
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
        if reply is not None:
            message["reply_to_message"] = strip_nested_reply(reply)
        elif thread_id is not None and chat.is_forum and not service and thread_id in chat.messages:
            message["reply_to_message"] = strip_nested_reply(chat.messages[thread_id])
        if external_reply is not None:
            message["external_reply"] = external_reply
        message.update(copy.deepcopy(content))
        chat.messages[message_id] = message
        if service:
            chat.service_ids.add(message_id)
        return message

    def _new_topic(self, chat: Chat, creator: JSONDict, name: str, icon: JSONDict) -> JSONDict:
        """Store a topic and its ``forum_topic_created`` service message; return the ForumTopic."""
        thread_id = chat.allocate_message_id()
        topic: JSONDict = {"message_thread_id": thread_id, "name": name, **icon}
        created = {k: v for k, v in topic.items() if k != "message_thread_id"}
        self._store_message(
            chat,
            creator,
            {"forum_topic_created": created},
            thread_id,
            None,
            message_id=thread_id,
            service=True,
        )
        chat.topics[thread_id] = {**topic, "is_closed": False, "is_deleted": False}
        chat.topic_creators[thread_id] = int(creator["id"])
        return topic

    def _new_media(
        self,
        kind: str,
        content: bytes | None,
        file_name: str | None,
        mime_type: str | None,
        *,
        file_id: str | None = None,
        **extra: Any,
    ) -> Any:
        """Register fake file(s) and return the media JSON (a list of sizes for photos).

        ``file_id`` forces the id of the file (the largest size of a photo)."""
        prefixes = {
            "photo": "AgACAgQAAxkBAAI",
            "document": "BQACAgQAAxkBAAI",
            "voice": "AwACAgQAAxkBAAI",
            "audio": "CQACAgQAAxkBAAI",
            "video": "BAACAgQAAxkBAAI",
            "animation": "CgACAgQAAxkBAAI",
        }
        folders = {"photo": "photos", "voice": "voice", "audio": "music", "animation": "animations"}
        extensions = {"photo": "jpg", "voice": "oga", "audio": "mp3", "video": "mp4", "animation": "mp4"}

        def register(media_extra: JSONDict, forced_id: str | None = None) -> tuple[StoredFile, JSONDict]:
            seq = next(self._file_seq)
            file_id = forced_id or f"{prefixes[kind]}{seq:06d}DoubleFile"
            data = content if content is not None else f"double-file:{file_id}".encode()
            suffix = (file_name or "").rpartition(".")[2] if file_name and "." in file_name else None
            extension = suffix or extensions.get(kind, "bin")
            stored = StoredFile(
                file_id=file_id,
                file_unique_id=f"AQAD{seq:06d}",
                kind=kind,
                file_size=len(data),
                file_path=f"{folders.get(kind, kind + 's')}/file_{seq}.{extension}",
                content=data,
                media=None,
            )
            self._files[file_id] = stored
            return stored, {
                "file_id": file_id,
                "file_unique_id": stored.file_unique_id,
                **media_extra,
                "file_size": stored.file_size,
            }

        if kind == "photo":
            dimensions = ((90, 68), (320, 240), (800, 600))
            sizes = [
                register({"width": w, "height": h}, file_id if index == len(dimensions) - 1 else None)
                for index, (w, h) in enumerate(dimensions)
            ]
            media: Any = [json_obj for _stored, json_obj in sizes]
            for stored, _json_obj in sizes:
                stored.media = media
            return copy.deepcopy(media)
        media_extra: JSONDict = {}
        if kind in ("video", "animation"):
            media_extra.update({"width": extra.get("width", 640), "height": extra.get("height", 360)})
        if kind in ("voice", "audio", "video", "animation"):
            media_extra["duration"] = int(extra.get("duration") or 3)
        if file_name and kind in ("document", "audio", "video", "animation"):
            media_extra["file_name"] = file_name
        if mime_type:
            media_extra["mime_type"] = mime_type
        stored, media = register(media_extra, file_id)
        stored.media = media
        return copy.deepcopy(media)
