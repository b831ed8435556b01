"""Bot API methods that send, copy, forward, edit and delete messages, and answer callbacks."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping
from typing import Any

from tests.support.botapi.common import CHAT_ACTIONS, MEDIA_KINDS, bad_request
from tests.support.botapi.messages import MessageHelpers
from tests.support.botapi.values import JSONDict, UploadedFile


class MessageMethods(MessageHelpers):
    """sendMessage, send<Media>, copyMessage, forwardMessage, sendChatAction, getFile,
    editMessage*, deleteMessage(s), answerCallbackQuery."""

    def _api_send_message(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._writable_chat(params.get("chat_id"))
        return copy.deepcopy(self._send(params, self._text_content(params), chat=chat))

    def _media_sender(self, kind: str) -> Callable[[dict[str, Any], dict[str, UploadedFile]], JSONDict]:
        def send(params: dict[str, Any], files: dict[str, UploadedFile]) -> JSONDict:
            chat = self._writable_chat(params.get("chat_id"))
            content: JSONDict = {
                kind: self._media_param(kind, params, files),
                **self._caption_content(params),
            }
            if params.get("has_spoiler"):
                content["has_media_spoiler"] = True
            return copy.deepcopy(self._send(params, content, chat=chat))

        return send

    def _api_copy_message(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._writable_chat(params.get("chat_id"))
        source = self._source_message(params, "copy")
        content: JSONDict = {}
        if "text" in source:
            content["text"] = source["text"]
            if source.get("entities"):
                content["entities"] = copy.deepcopy(source["entities"])
        else:
            for kind in MEDIA_KINDS:
                if kind in source:
                    content[kind] = copy.deepcopy(source[kind])
            if "caption" in params:
                content.update(self._caption_content(params))
            else:
                for key in ("caption", "caption_entities", "show_caption_above_media"):
                    if key in source:
                        content[key] = copy.deepcopy(source[key])
            if source.get("has_media_spoiler"):
                content["has_media_spoiler"] = True
        stored = self._send(params, content, chat=chat)
        return {"message_id": stored["message_id"]}

    def _api_forward_message(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._writable_chat(params.get("chat_id"))
        source = self._source_message(params, "forward")
        content: JSONDict = {"forward_origin": self._origin(source)}
        for key in ("text", "entities", "caption", "caption_entities", "has_media_spoiler", *MEDIA_KINDS):
            if key in source:
                content[key] = copy.deepcopy(source[key])
        forward_params = {k: v for k, v in params.items() if k not in ("reply_markup", "reply_parameters")}
        return copy.deepcopy(self._send(forward_params, content, chat=chat))

    def _api_send_chat_action(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat = self._writable_chat(params.get("chat_id"))
        self._thread_id(chat, params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _api_get_file(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    def _api_edit_message_text(
        self, params: dict[str, Any], _files: dict[str, UploadedFile]
    ) -> JSONDict | bool:
        return self._edit_content(
            params,
            editable=lambda message: "text" in message,
            missing="there is no text in the message to edit",
            content=self._text_content,
            compared=("text", "entities"),
            replaced=("text", "entities", "link_preview_options"),
        )

    def _api_edit_message_caption(
        self, params: dict[str, Any], _files: dict[str, UploadedFile]
    ) -> JSONDict | bool:
        return self._edit_content(
            params,
            editable=lambda message: any(kind in message for kind in MEDIA_KINDS),
            missing="there is no caption in the message to edit",
            content=self._caption_content,
            compared=("caption", "caption_entities"),
            replaced=("caption", "caption_entities", "show_caption_above_media"),
        )

    def _edit_content(
        self,
        params: Mapping[str, Any],
        *,
        editable: Callable[[JSONDict], bool],
        missing: str,
        content: Callable[[Mapping[str, Any]], JSONDict],
        compared: tuple[str, str],
        replaced: tuple[str, ...],
    ) -> JSONDict | bool:
        """editMessageText/editMessageCaption: ``compared`` is (field, its entities field), and
        the ``replaced`` fields take the new content's value or disappear. Like Telegram, an
        edit without reply_markup removes the inline keyboard, and an identical edit is 400."""
        target = self._editable(params)
        if target is None:
            return True
        chat, message = target
        if not editable(message):
            raise bad_request(missing)
        new = content(params)
        markup = self._markup(chat, params)
        field, entities = compared
        if (
            new.get(field) == message.get(field)
            and new.get(entities, []) == message.get(entities, [])
            and markup == message.get("reply_markup")
        ):
            raise self._not_modified()
        for key in replaced:
            if key in new:
                message[key] = new[key]
            else:
                message.pop(key, None)
        self._set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _api_edit_message_reply_markup(
        self, params: dict[str, Any], _files: dict[str, UploadedFile]
    ) -> JSONDict | bool:
        target = self._editable(params)
        if target is None:
            return True
        chat, message = target
        markup = self._markup(chat, params)
        if markup == message.get("reply_markup"):
            raise self._not_modified()
        self._set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _api_delete_message(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat = self._lookup_chat(params.get("chat_id"))
        message_id = params.get("message_id")
        if message_id is None or chat.messages.pop(int(message_id), None) is None:
            raise bad_request("message to delete not found")
        chat.deleted_ids.append(int(message_id))
        return True

    def _api_delete_messages(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat = self._lookup_chat(params.get("chat_id"))
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must be a non-empty array of at most 100 identifiers")
        for message_id in ids:
            if chat.messages.pop(int(message_id), None) is not None:
                chat.deleted_ids.append(int(message_id))
        return True

    def _api_answer_callback_query(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callback_queries or self._callback_queries[query_id] is not None:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = {k: v for k, v in params.items() if k != "callback_query_id"}
        return True
