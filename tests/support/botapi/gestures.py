"""What users do, as the test makes them: write, send a photo or a voice note, edit, press buttons, block
the bot, add it to a group, leave a group. Each gesture queues the update Telegram would deliver."""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import Any

from tests.support.botapi.formatting import command_entities
from tests.support.botapi.state import Chat, DoubleState
from tests.support.botapi.values import JSONDict, User


class Gestures(DoubleState):
    """The ``user_*`` gestures of ``BotApiDouble``."""

    def user_says(
        self,
        user: User,
        text: str,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
    ) -> JSONDict:
        """The user sends a text message (in their private chat unless ``chat_id`` names a group); returns
        it. A leading ``/command`` gets its ``bot_command`` entity. In a forum topic, a message without an
        explicit reply carries the topic's creation message as ``reply_to_message``, as Telegram does."""
        content: JSONDict = {"text": text}
        if entities := command_entities(text):
            content["entities"] = entities
        return self._user_message(user, content, chat_id, reply_to_message_id, message_thread_id)

    def user_sends_photo(
        self, user: User, chat_id: int | None = None, caption: str | None = None
    ) -> JSONDict:
        """The user sends a photo (three fake sizes), with a caption if given."""
        with self._lock:
            content: JSONDict = {"photo": self._new_media("photo")}
        if caption:
            content["caption"] = caption
        return self._user_message(user, content, chat_id, None, None)

    def user_sends_voice(
        self, user: User, chat_id: int | None = None, *, message_thread_id: int | None = None
    ) -> JSONDict:
        """The user sends a voice note."""
        with self._lock:
            voice = self._new_media("voice")
        return self._user_message(user, {"voice": voice}, chat_id, None, message_thread_id)

    def user_edits_message(self, user: User, chat_id: int, message_id: int, text: str) -> JSONDict:
        """The user edits the text of a message of theirs: it changes, gets an ``edit_date``, and an
        ``edited_message`` update is queued. Returns the edited message."""
        with self._cond:
            chat = self._chats.get(chat_id)
            message = chat.messages.get(message_id) if chat else None
            if message is None or message.get("from", {}).get("id") != user.id or "text" not in message:
                raise ValueError(f"no text message {message_id} of user {user.id} in chat {chat_id}")
            message["text"] = text
            message.pop("entities", None)
            if entities := command_entities(text):
                message["entities"] = entities
            message["edit_date"] = int(time.time())
            self._enqueue("edited_message", message)
            return copy.deepcopy(message)

    def user_presses(
        self, user: User, message: Mapping[str, Any], data: str, *, check_button: bool = True
    ) -> JSONDict:
        """The user presses an inline button of a bot message; returns the callback_query.

        ``message`` only needs ``chat.id`` and ``message_id``: the update carries the message as stored now.
        With ``check_button`` the message must show a button with this ``callback_data`` (a client cannot
        press a button that is not there); without it, this is a press on a keyboard since replaced."""
        chat_id, message_id = int(message["chat"]["id"]), int(message["message_id"])
        with self._cond:
            chat = self._chats.get(chat_id)
            current = chat.messages.get(message_id) if chat else None
            if current is None:
                raise ValueError(f"no live message {message_id} in chat {chat_id} to press a button on")
            buttons = [
                button.get("callback_data")
                for row in current.get("reply_markup", {}).get("inline_keyboard", [])
                for button in row
            ]
            if check_button and data not in buttons:
                raise ValueError(
                    f"message {message_id} in chat {chat_id} has no button {data!r}: {buttons!r}"
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
        """The user blocks the bot: sends to them answer 403 from now on, and a ``my_chat_member`` update
        (member -> kicked) is queued. Writing to the bot again unblocks it."""
        with self._cond:
            chat = self._private_chat(user)
            self._blocked.add(user.id)
            return self._my_chat_member(
                user,
                chat,
                self._member_payload(self._bot_id, "member", {}),
                self._member_payload(self._bot_id, "kicked", {}),
            )

    def user_adds_bot_to_group(
        self, user: User, chat_id: int, title: str, *, as_admin: bool = False, **rights: Any
    ) -> JSONDict:
        """A group admin adds the bot: the supergroup becomes known and a ``my_chat_member`` update (left ->
        member, or administrator with ``as_admin``: every right but those turned off in ``rights``, such as
        ``can_manage_topics=False``) is queued. Returns that ChatMemberUpdated."""
        if rights and not as_admin:
            raise ValueError(f"rights {sorted(rights)} need as_admin=True")
        with self._cond:
            chat = self._group(chat_id, title)
            old = self._member_payload(self._bot_id, "left", {})
            new = self._set_bot_member(chat, "administrator" if as_admin else "member", rights)
            return self._my_chat_member(user, chat, old, new)

    def user_removes_member(
        self, admin: User, chat_id: int, user_id: int, status: str = "kicked"
    ) -> JSONDict | None:
        """A group admin removes a member (``kicked``), or the member leaves (``left``): ``getChatMember``
        says so from now on, and a ``chat_member`` update is queued, as Telegram does, only if the bot is an
        administrator there and asked for ``chat_member`` in ``allowed_updates``. Returns that update."""
        with self._cond:
            chat = self._chats.get(chat_id)
            if chat is None or chat.type == "private":
                raise ValueError(f"no group {chat_id}: register_group first")
            old = self._member_json(chat, user_id)
            self._members[(chat_id, user_id)] = {"status": status}
            if self._member_json(chat, self._bot_id)["status"] not in ("administrator", "creator"):
                return None
            payload: JSONDict = {
                "chat": chat.to_json(),
                "from": admin.to_json(),
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": self._member_json(chat, user_id),
            }
            return self._enqueue("chat_member", payload)

    # ---- internals -----------------------------------------------------------------------------

    def _user_chat(self, user: User, chat_id: int | None, thread_id: int | None) -> Chat:
        if chat_id is None or chat_id == user.id:
            chat = self._private_chat(user)
            if user.id in self._blocked:  # writing to a blocked bot (the "Restart" button) unblocks it
                self._blocked.discard(user.id)
                self._my_chat_member(
                    user,
                    chat,
                    self._member_payload(self._bot_id, "kicked", {}),
                    self._member_payload(self._bot_id, "member", {}),
                )
            return chat
        self._users[user.id] = user
        chat = self._chats.get(chat_id)
        if chat is None:  # an unregistered group: a forum if the message is in a topic
            chat = self._group(chat_id, f"Group {chat_id}", is_forum=thread_id is not None)
        return chat

    def _user_message(
        self,
        user: User,
        content: JSONDict,
        chat_id: int | None,
        reply_to_message_id: int | None,
        message_thread_id: int | None,
    ) -> JSONDict:
        with self._cond:
            chat = self._user_chat(user, chat_id, message_thread_id)
            reply = None
            if reply_to_message_id is not None:
                reply = chat.messages.get(reply_to_message_id)
                if reply is None:
                    raise ValueError(f"no live message {reply_to_message_id} in chat {chat.id} to reply to")
            message = self._store_message(chat, user.to_json(), content, message_thread_id, reply)
            self._enqueue("message", message)
            return copy.deepcopy(message)
