"""Bot API methods about chats: getChat, getChatMember and forum topics (with the bot's rights)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.support.botapi.common import DEFAULT_TOPIC_COLOR, bad_request
from tests.support.botapi.state import Chat, DoubleState
from tests.support.botapi.values import JSONDict, UploadedFile


class ChatMethods(DoubleState):
    """getChat, getChatMember, create/edit/close/reopen/deleteForumTopic."""

    def _api_get_chat(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._lookup_chat(params.get("chat_id"))
        return {
            **chat.to_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _api_get_chat_member(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._lookup_chat(params.get("chat_id"))
        try:
            user_id = int(params.get("user_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise bad_request("invalid user_id specified") from exc
        return self._member_json(chat, user_id)

    def _forum_chat(self, params: Mapping[str, Any]) -> Chat:
        chat = self._writable_chat(params.get("chat_id"))
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        return chat

    def _topic(self, chat: Chat, params: Mapping[str, Any]) -> JSONDict:
        thread_id = params.get("message_thread_id")
        topic = chat.topics.get(int(thread_id)) if thread_id is not None else None
        if topic is None or topic["is_deleted"]:
            raise bad_request("message thread not found")
        return topic

    def _check_topic_rights(self, chat: Chat, topic: JSONDict | None = None) -> None:
        """Bot API: topics are created by an administrator with ``can_manage_topics``; edited,
        closed and reopened by one too, "unless it is the creator of the topic" (an
        administrator still)."""
        member = self._member_json(chat, self._bot_id)
        if member["status"] == "creator":
            return
        if member["status"] == "administrator":
            if member.get("can_manage_topics"):
                return
            if topic is not None and chat.topic_creators.get(topic["message_thread_id"]) == self._bot_id:
                return
        if topic is None:
            raise bad_request("not enough rights to create a topic")
        raise bad_request("not enough rights to manage topics")

    def _api_create_forum_topic(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._forum_chat(params)
        self._check_topic_rights(chat)
        name = str(params.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        icon: JSONDict = {"icon_color": int(params.get("icon_color") or DEFAULT_TOPIC_COLOR)}
        if params.get("icon_custom_emoji_id"):
            icon["icon_custom_emoji_id"] = str(params["icon_custom_emoji_id"])
        return self._new_topic(chat, self.bot_user, name, icon)

    def _topic_service_message(self, chat: Chat, topic: JSONDict, content: JSONDict) -> None:
        self._store_message(chat, self.bot_user, content, topic["message_thread_id"], None, service=True)

    def _managed_topic(self, params: Mapping[str, Any]) -> tuple[Chat, JSONDict]:
        chat = self._forum_chat(params)
        topic = self._topic(chat, params)
        self._check_topic_rights(chat, topic)
        return chat, topic

    def _api_edit_forum_topic(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat, topic = self._managed_topic(params)
        changes: JSONDict = {}
        if params.get("name") and params["name"] != topic["name"]:
            changes["name"] = str(params["name"])
        if "icon_custom_emoji_id" in params and params["icon_custom_emoji_id"] != topic.get(
            "icon_custom_emoji_id", ""
        ):
            changes["icon_custom_emoji_id"] = str(params["icon_custom_emoji_id"])
        if not changes:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.update(changes)
        self._topic_service_message(chat, topic, {"forum_topic_edited": changes})
        return True

    def _api_close_forum_topic(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat, topic = self._managed_topic(params)
        if topic["is_closed"]:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic["is_closed"] = True
        self._topic_service_message(chat, topic, {"forum_topic_closed": {}})
        return True

    def _api_reopen_forum_topic(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat, topic = self._managed_topic(params)
        if not topic["is_closed"]:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic["is_closed"] = False
        self._topic_service_message(chat, topic, {"forum_topic_reopened": {}})
        return True

    def _api_delete_forum_topic(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat = self._forum_chat(params)
        topic = self._topic(chat, params)
        topic["is_deleted"] = True
        thread_id = topic["message_thread_id"]
        for message_id in [
            mid for mid, msg in chat.messages.items() if msg.get("message_thread_id") == thread_id
        ]:
            del chat.messages[message_id]
            chat.deleted_ids.append(message_id)
        return True
