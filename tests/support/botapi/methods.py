"""The Bot API methods the bot calls (grep ``bot/telegram`` for ``bot.``), with the server's rules that bots
trip over: HTML parsing and the length limit, ``message is not modified``, an edit without ``reply_markup``
removing the keyboard, 64-byte ``callback_data``, a callback query answered once, ``chat not found``, a
blocked user's 403, forum topics needing ``can_manage_topics``, long polling with ``409 Conflict``."""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Mapping
from typing import Any

from tests.support.botapi.formatting import format_text
from tests.support.botapi.state import ApiError, Chat, DoubleState, bad_request, u16len
from tests.support.botapi.values import JSONDict, Upload

COMMAND = re.compile(r"[a-z0-9_]{1,32}")


class Methods(DoubleState):
    """getMe, getUpdates, set/deleteWebhook, setMyCommands, sendMessage, sendPhoto, sendDocument, copyMessage,
    editMessageText,
    deleteMessage, answerCallbackQuery, getChat, getChatMember, create/edit/close/reopenForumTopic."""

    def _methods(self) -> dict[str, Any]:
        return {
            "getMe": self._api_get_me,
            "getUpdates": self._api_get_updates,
            "setWebhook": self._api_set_webhook,
            "deleteWebhook": self._api_delete_webhook,
            "setMyCommands": self._api_set_my_commands,
            "sendMessage": self._api_send_message,
            "sendPhoto": self._api_send_photo,
            "sendDocument": self._api_send_document,
            "copyMessage": self._api_copy_message,
            "editMessageText": self._api_edit_message_text,
            "deleteMessage": self._api_delete_message,
            "answerCallbackQuery": self._api_answer_callback_query,
            "getChat": self._api_get_chat,
            "getChatMember": self._api_get_chat_member,
            "createForumTopic": self._api_create_forum_topic,
            "editForumTopic": self._api_edit_forum_topic,
            "closeForumTopic": self._api_close_forum_topic,
            "reopenForumTopic": self._api_reopen_forum_topic,
        }

    # ---- the bot itself --------------------------------------------------------------------------

    def _api_get_me(self, _params: dict[str, Any]) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_get_updates(self, params: dict[str, Any]) -> list[JSONDict]:
        """Long polling: ``offset`` confirms (drops) earlier updates; the call waits up to ``timeout``
        seconds for one; a newer concurrent call ends this one with 409, as a webhook does."""
        if self._webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = [str(kind) for kind in params["allowed_updates"]]
        offset = int(params.get("offset") or 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._confirmed_below = max(self._confirmed_below, offset)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + min(max(float(params.get("timeout") or 0), 0.0), 60.0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()  # wakes an older pending poll, which then answers 409
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot "
                    "instance is running",
                )
            if self._webhook is not None:
                raise ApiError(409, "Conflict: terminated by setWebhook request")
            remaining = deadline - time.monotonic()
            if self._updates or self._stopping or remaining <= 0:
                return copy.deepcopy(self._updates[:limit])
            self._cond.wait(remaining)

    def _api_set_webhook(self, params: dict[str, Any]) -> bool:
        if not str(params.get("url") or "").startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = {
            key: params[key] for key in ("url", "allowed_updates", "secret_token") if key in params
        }
        self._cond.notify_all()  # a pending getUpdates now fails, as on the server
        return True

    def _api_delete_webhook(self, params: dict[str, Any]) -> bool:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not COMMAND.fullmatch(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    # ---- messages --------------------------------------------------------------------------------

    def _reply_to(self, chat: Chat, params: Mapping[str, Any]) -> JSONDict | None:
        """``reply_parameters`` (what PTB 22 sends): the replied-to message of this chat, if it still exists."""
        wanted = params.get("reply_parameters")
        if not isinstance(wanted, Mapping):
            return None
        found = chat.messages.get(int(wanted["message_id"]))
        if found is None and not wanted.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        return found

    def _markup(self, params: Mapping[str, Any]) -> JSONDict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        rows = markup.get("inline_keyboard") if isinstance(markup, Mapping) else None
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for button in (button for row in rows for button in row):
            if not button.get("text") or not ("callback_data" in button or "url" in button):
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
        return copy.deepcopy(dict(markup))

    def _text(self, params: Mapping[str, Any]) -> JSONDict:
        text, entities = format_text(str(params.get("text") or ""), params.get("parse_mode"))
        if not text:
            raise bad_request("message text is empty")
        if u16len(text) > 4096:
            raise bad_request("message is too long")
        return {"text": text, "entities": entities} if entities else {"text": text}

    def _send(self, params: Mapping[str, Any], content: JSONDict) -> JSONDict:
        chat = self._writable_chat(params.get("chat_id"))
        thread = params.get("message_thread_id")
        thread_id = None if thread is None else int(thread)
        if thread_id is not None and chat.is_forum and thread_id not in chat.topics:
            raise bad_request("message thread not found")
        reply = self._reply_to(chat, params)
        markup = self._markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        return self._store_message(chat, self.bot_user, content, thread_id, reply)

    def _api_send_message(self, params: dict[str, Any]) -> JSONDict:
        return copy.deepcopy(self._send(params, self._text(params)))

    def _upload(self, params: Mapping[str, Any], kind: str) -> tuple[Upload, JSONDict]:
        """The uploaded file of a sendPhoto or sendDocument, and its caption (HTML parsed, 1024 at most)."""
        upload = params.get(kind)
        if not isinstance(upload, Upload):
            raise bad_request(f"there is no {kind} in the request")
        content: JSONDict = {}
        caption, entities = format_text(str(params.get("caption") or ""), params.get("parse_mode"))
        if u16len(caption) > 1024:
            raise bad_request("message caption is too long")
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return upload, content

    def _file(self, upload: Upload) -> JSONDict:
        unique = f"up{len(upload.content)}-{abs(hash(upload.content)) % 10**8}"
        return {"file_id": f"F-{unique}", "file_unique_id": unique, "file_size": len(upload.content)}

    def _api_send_photo(self, params: dict[str, Any]) -> JSONDict:
        """A PNG or JPEG upload; anything else is refused, as Telegram does."""
        upload, content = self._upload(params, "photo")
        data = upload.content
        if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 24:
            width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        elif data.startswith(b"\xff\xd8"):
            width = height = 0
        else:
            raise bad_request("IMAGE_PROCESS_FAILED")
        content["photo"] = [{**self._file(upload), "width": width, "height": height}]
        return copy.deepcopy(self._send(params, content))

    def _api_send_document(self, params: dict[str, Any]) -> JSONDict:
        upload, content = self._upload(params, "document")
        content["document"] = {
            **self._file(upload),
            "file_name": upload.filename,
            "mime_type": upload.content_type,
        }
        return copy.deepcopy(self._send(params, content))

    def _api_copy_message(self, params: dict[str, Any]) -> JSONDict:
        source_chat = self._lookup_chat(params.get("from_chat_id"))
        source = source_chat.messages.get(int(params.get("message_id") or 0))
        if source is None:
            raise bad_request("message to copy not found")
        if source["message_id"] in source_chat.service_ids:
            raise bad_request("message can't be copied")
        kept = ("text", "entities", "photo", "voice", "caption", "caption_entities")
        content = {key: copy.deepcopy(source[key]) for key in kept if key in source}
        return {"message_id": self._send(params, content)["message_id"]}

    def _api_edit_message_text(self, params: dict[str, Any]) -> JSONDict:
        """Like Telegram, an edit without reply_markup removes the inline keyboard, and an identical edit
        is a 400."""
        chat = self._writable_chat(params.get("chat_id"))
        message = chat.messages.get(int(params.get("message_id") or 0))
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self._bot_id or "text" not in message:
            raise bad_request("message can't be edited")
        new = self._text(params)
        markup = self._markup(params)
        if (new["text"], new.get("entities", []), markup) == (
            message["text"],
            message.get("entities", []),
            message.get("reply_markup"),
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are exactly the "
                "same as a content and reply markup of the current message"
            )
        message.pop("entities", None)
        message.pop("reply_markup", None)
        message.update(new)
        if markup is not None:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _api_delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._lookup_chat(params.get("chat_id"))
        message_id = int(params.get("message_id") or 0)
        if chat.messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        chat.deleted_ids.append(message_id)
        return True

    def _api_answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callback_queries or self._callback_queries[query_id] is not None:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = {k: v for k, v in params.items() if k != "callback_query_id"}
        return True

    # ---- chats and forum topics --------------------------------------------------------------------

    def _api_get_chat(self, params: dict[str, Any]) -> JSONDict:
        return {
            **self._lookup_chat(params.get("chat_id")).to_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
        }

    def _api_get_chat_member(self, params: dict[str, Any]) -> JSONDict:
        return self._member_json(self._lookup_chat(params.get("chat_id")), int(params.get("user_id") or 0))

    def _forum(self, params: Mapping[str, Any], *, creating: bool) -> Chat:
        """A forum where the bot may do this: creating a topic takes an administrator with
        ``can_manage_topics``; its own topics it may edit, close and reopen as any administrator."""
        chat = self._writable_chat(params.get("chat_id"))
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        member = self._member_json(chat, self._bot_id)
        if member["status"] == "creator" or (
            member["status"] == "administrator" and (member.get("can_manage_topics") or not creating)
        ):
            return chat
        raise bad_request(
            "not enough rights to create a topic" if creating else "not enough rights to manage topics"
        )

    def _topic(self, chat: Chat, params: Mapping[str, Any]) -> JSONDict:
        topic = chat.topics.get(int(params.get("message_thread_id") or 0))
        if topic is None:
            raise bad_request("message thread not found")
        return topic

    def _api_create_forum_topic(self, params: dict[str, Any]) -> JSONDict:
        chat = self._forum(params, creating=True)
        name = str(params.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        return self._new_topic(chat, name)

    def _topic_changed(self, chat: Chat, topic: JSONDict, content: JSONDict) -> bool:
        self._store_message(chat, self.bot_user, content, topic["message_thread_id"], None, service=True)
        return True

    def _api_edit_forum_topic(self, params: dict[str, Any]) -> bool:
        chat = self._forum(params, creating=False)
        topic = self._topic(chat, params)
        if not params.get("name") or params["name"] == topic["name"]:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic["name"] = str(params["name"])
        return self._topic_changed(chat, topic, {"forum_topic_edited": {"name": topic["name"]}})

    def _api_close_forum_topic(self, params: dict[str, Any]) -> bool:
        return self._open_or_close(params, closed=True)

    def _api_reopen_forum_topic(self, params: dict[str, Any]) -> bool:
        return self._open_or_close(params, closed=False)

    def _open_or_close(self, params: Mapping[str, Any], *, closed: bool) -> bool:
        chat = self._forum(params, creating=False)
        topic = self._topic(chat, params)
        if topic["is_closed"] == closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic["is_closed"] = closed
        return self._topic_changed(
            chat, topic, {"forum_topic_closed" if closed else "forum_topic_reopened": {}}
        )


def scope_key(scope: object) -> str:
    """BotCommandScope as a key: the default scope when none is given."""
    return json.dumps(scope if isinstance(scope, Mapping) else {"type": "default"}, sort_keys=True)
