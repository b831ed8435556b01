"""What users do, as the test makes them: write, send media, press buttons, block the bot, add it
to groups and change its rights there, create forum topics. Each gesture queues the update
Telegram would deliver and returns its payload."""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import Any

from tests.support.botapi.common import DEFAULT_TOPIC_COLOR
from tests.support.botapi.formatting import command_entities
from tests.support.botapi.state import Chat, DoubleState
from tests.support.botapi.values import JSONDict, User


class GesturesMixin(DoubleState):
    """The ``user_*`` gestures of ``BotApiDouble``."""

    def user_says(
        self,
        user: User,
        text: str,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        chat_type: str | None = None,
    ) -> JSONDict:
        """The user sends a text message; the update is queued, the message returned.

        Defaults to the user's private chat. A negative ``chat_id`` is a supergroup (see
        ``register_group``; an unregistered one is created, as a forum if
        ``message_thread_id`` is given). A leading ``/command`` gets its ``bot_command`` entity.
        In a forum, a topic message without explicit reply carries the topic's creation
        message as ``reply_to_message``, exactly like Telegram does."""
        content: JSONDict = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        return self._user_message(user, content, chat_id, reply_to_message_id, message_thread_id, chat_type)

    def user_sends_photo(
        self,
        user: User,
        chat_id: int | None = None,
        caption: str | None = None,
        *,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        chat_type: str | None = None,
        content: bytes | None = None,
    ) -> JSONDict:
        """The user sends a photo (three fake sizes, each with a usable file_id)."""
        with self._lock:
            photo = self._new_media("photo", content, None, None)
        return self._user_message(
            user,
            self._with_caption({"photo": photo}, caption),
            chat_id,
            reply_to_message_id,
            message_thread_id,
            chat_type,
        )

    def user_sends_document(
        self,
        user: User,
        chat_id: int | None = None,
        caption: str | None = None,
        *,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        chat_type: str | None = None,
        content: bytes | None = None,
    ) -> JSONDict:
        """The user sends a document; its bytes are downloadable through ``getFile``."""
        with self._lock:
            document = self._new_media("document", content, file_name, mime_type)
        return self._user_message(
            user,
            self._with_caption({"document": document}, caption),
            chat_id,
            reply_to_message_id,
            message_thread_id,
            chat_type,
        )

    def user_sends_voice(
        self,
        user: User,
        chat_id: int | None = None,
        *,
        duration: int = 3,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        chat_type: str | None = None,
        content: bytes | None = None,
    ) -> JSONDict:
        """The user sends a voice note."""
        with self._lock:
            voice = self._new_media("voice", content, None, "audio/ogg", duration=duration)
        return self._user_message(
            user, {"voice": voice}, chat_id, reply_to_message_id, message_thread_id, chat_type
        )

    def user_presses(
        self, user: User, message: Mapping[str, Any], data: str, *, check_button: bool = True
    ) -> JSONDict:
        """The user presses an inline button of a bot message; returns the callback_query.

        ``message`` only needs ``chat.id`` and ``message_id``: the update carries the message
        as currently stored. With ``check_button`` the message must show a button with this
        ``callback_data`` (a real client cannot press a button that is not there)."""
        chat_id = int(message["chat"]["id"])
        message_id = int(message["message_id"])
        with self._cond:
            chat = self._chats.get(chat_id)
            current = chat.messages.get(message_id) if chat else None
            if current is None:
                raise ValueError(f"no live message {message_id} in chat {chat_id} to press a button on")
            if check_button:
                buttons = [
                    button.get("callback_data")
                    for row in current.get("reply_markup", {}).get("inline_keyboard", [])
                    for button in row
                ]
                if data not in buttons:
                    raise ValueError(
                        f"message {message_id} in chat {chat_id} has no button with callback_data "
                        f"{data!r}; its callback buttons are {buttons!r}"
                    )
            self._users[user.id] = user
            query_id = str(4_382_000_000_000_000_000 + next(self._callback_seq))
            query: JSONDict = {
                "id": query_id,
                "from": user.to_json(),
                "message": copy.deepcopy(current),
                "chat_instance": str((chat_id * 2_654_435_761) % 10**19),
                "data": data,
            }
            self._callback_queries[query_id] = None
            self._enqueue("callback_query", query)
            return copy.deepcopy(query)

    def user_blocks_bot(self, user: User) -> JSONDict:
        """The user blocks the bot: sends to their private chat answer 403 from now on, and a
        ``my_chat_member`` update (member -> kicked) is queued. Returns that ChatMemberUpdated."""
        with self._cond:
            chat = self._private_chat(user)
            self._blocked.add(user.id)
            return self._bot_status_change(user, chat, "member", "kicked")

    def user_unblocks_bot(self, user: User) -> JSONDict:
        """The user unblocks the bot (kicked -> member ``my_chat_member`` update)."""
        with self._cond:
            chat = self._private_chat(user)
            self._blocked.discard(user.id)
            return self._bot_status_change(user, chat, "kicked", "member")

    def user_adds_bot_to_group(
        self,
        user: User,
        chat_id: int,
        title: str,
        *,
        is_forum: bool | None = None,
        as_admin: bool = False,
        **rights: Any,
    ) -> JSONDict:
        """A group admin adds the bot: the group becomes known (a supergroup unless it already
        was something else; ``is_forum`` ``None`` keeps what it was, else not a forum) and a
        ``my_chat_member`` update (left -> member, or left -> administrator with
        ``as_admin``) is queued. Returns that ChatMemberUpdated.

        The bot then has these rights for ``getChatMember`` and the forum-topic methods: a
        plain member (who cannot create topics), or with ``as_admin`` an administrator with
        every right except those turned off in ``rights`` (``can_manage_topics=False``...)."""
        if rights and not as_admin:
            raise ValueError(f"rights {sorted(rights)} need as_admin=True")
        with self._cond:
            chat = self._group(chat_id, title, is_forum=is_forum, chat_type=None, username=None)
            old = self._member_payload(chat, self._bot_id, "left", {})
            new = self._set_bot_member(chat, "administrator" if as_admin else "member", rights)
            return self._my_chat_member(user, chat, old, new)

    def user_changes_bot_rights(
        self, user: User, chat_id: int, status: str = "administrator", **rights: Any
    ) -> JSONDict:
        """A group admin promotes or demotes the bot: its membership becomes ``status`` with
        ``rights`` (an administrator has every right not turned off), and a ``my_chat_member``
        update from the previous membership to the new one is queued. Returns that
        ChatMemberUpdated. ``status`` "kicked"/"left" also makes sends there answer 403."""
        with self._cond:
            chat = self._chats.get(chat_id)
            if chat is None or chat.type == "private":
                raise ValueError(f"no group {chat_id}: register_group or user_adds_bot_to_group first")
            old = self._member_json(chat, self._bot_id)
            new = self._set_bot_member(chat, status, rights)
            return self._my_chat_member(user, chat, old, new)

    def user_creates_topic(
        self, user: User, chat_id: int, name: str, *, icon_color: int = DEFAULT_TOPIC_COLOR
    ) -> JSONDict:
        """The user creates a topic in a forum supergroup: its ``forum_topic_created`` service
        message is stored and queued as a ``message`` update, and returned (its
        ``message_thread_id`` is the topic's). The bot did not create that topic, so without
        ``can_manage_topics`` it cannot edit, close or reopen it."""
        with self._cond:
            chat = self._chats.get(chat_id)
            if chat is None or not chat.is_forum:
                raise ValueError(f"chat {chat_id} is not a known forum: register_group(..., is_forum=True)")
            self._users[user.id] = user
            topic = self._new_topic(chat, user.to_json(), name, {"icon_color": icon_color})
            message = chat.messages[topic["message_thread_id"]]
            self._enqueue("message", message)
            return copy.deepcopy(message)

    def user_removes_member(
        self, admin: User, chat_id: int, user_id: int, status: str = "kicked"
    ) -> JSONDict | None:
        """A group admin removes (``kicked``) a member, or the member leaves (``left``): from now on
        ``getChatMember`` says so, and a ``chat_member`` update is queued, as Telegram does, only if
        the bot is an administrator there and asked for ``chat_member`` in ``allowed_updates``.
        Returns the queued update, or ``None``."""
        with self._cond:
            chat = self._chats.get(chat_id)
            if chat is None or chat.type == "private":
                raise ValueError(f"no group {chat_id}: register_group first")
            old = self._member_json(chat, user_id)
            self._members[(chat_id, user_id)] = {"status": status}
            new = self._member_json(chat, user_id)
            if self._member_json(chat, self._bot_id)["status"] not in ("administrator", "creator"):
                return None
            payload: JSONDict = {
                "chat": chat.to_json(),
                "from": admin.to_json(),
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": new,
            }
            return self._enqueue("chat_member", payload)

    def user_edits_message(self, user: User, chat_id: int, message_id: int, text: str) -> JSONDict:
        """The user edits the text (or the caption, for a media message) of a message of theirs:
        the stored message changes, gets an ``edit_date``, and an ``edited_message`` update is
        queued. Returns the edited message."""
        with self._cond:
            chat = self._chats.get(chat_id)
            message = chat.messages.get(message_id) if chat else None
            if message is None or message.get("from", {}).get("id") != user.id:
                raise ValueError(f"no message {message_id} of user {user.id} in chat {chat_id}")
            key = "caption" if "caption" in message or "text" not in message else "text"
            message[key] = text
            message.pop("entities" if key == "text" else "caption_entities", None)
            entities = command_entities(text)
            if entities:
                message["entities" if key == "text" else "caption_entities"] = entities
            message["edit_date"] = int(time.time())
            self._enqueue("edited_message", message)
            return copy.deepcopy(message)

    # ---- internals -----------------------------------------------------------------------------

    def _user_chat(
        self, user: User, chat_id: int | None, chat_type: str | None, thread_id: int | None
    ) -> Chat:
        if chat_id is None or chat_id == user.id:
            chat = self._private_chat(user)
            if user.id in self._blocked:
                # Writing to a blocked bot (the "Restart" button) unblocks it first.
                self._blocked.discard(user.id)
                self._bot_status_change(user, chat, "kicked", "member")
            return chat
        self._users[user.id] = user
        chat = self._chats.get(chat_id)
        if chat is None:
            kind = chat_type or ("private" if chat_id > 0 else "supergroup")
            chat = self._chats[chat_id] = Chat(
                id=chat_id,
                type=kind,
                title=None if kind == "private" else f"Group {chat_id}",
                first_name=f"User {chat_id}" if kind == "private" else None,
                is_forum=kind == "supergroup" and thread_id is not None,
            )
        elif chat_type is not None:
            chat.type = chat_type
        return chat

    def _with_caption(self, content: JSONDict, caption: str | None) -> JSONDict:
        if caption:
            content["caption"] = caption
            entities = command_entities(caption)
            if entities:
                content["caption_entities"] = entities
        return content

    def _user_message(
        self,
        user: User,
        content: JSONDict,
        chat_id: int | None,
        reply_to_message_id: int | None,
        message_thread_id: int | None,
        chat_type: str | None,
    ) -> JSONDict:
        with self._cond:
            chat = self._user_chat(user, chat_id, chat_type, message_thread_id)
            reply = None
            if reply_to_message_id is not None:
                reply = chat.messages.get(reply_to_message_id)
                if reply is None:
                    raise ValueError(f"no live message {reply_to_message_id} in chat {chat.id} to reply to")
            if message_thread_id is not None and chat.topics.get(message_thread_id, {}).get("is_deleted"):
                raise ValueError(f"topic {message_thread_id} of chat {chat.id} was deleted")
            message = self._store_message(chat, user.to_json(), content, message_thread_id, reply)
            self._enqueue("message", message)
            return copy.deepcopy(message)
