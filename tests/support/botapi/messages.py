"""What every sending or editing method shares: threads, replies, markup, text and caption
content, media parameters, and the message an edit or a copy targets."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from tests.support.botapi.common import BUTTON_ACTIONS, MEDIA_KINDS, ApiError, bad_request, u16len
from tests.support.botapi.formatting import format_text
from tests.support.botapi.state import Chat, DoubleState
from tests.support.botapi.values import JSONDict, UploadedFile


class MessageHelpers(DoubleState):
    """Helpers of the message methods. Must be called with the lock held."""

    def _thread_id(self, chat: Chat, params: Mapping[str, Any]) -> int | None:
        value = params.get("message_thread_id")
        if value is None:
            return None
        thread_id = int(value)
        topic = chat.topics.get(thread_id)
        if topic is not None and topic["is_deleted"]:
            raise bad_request("message thread not found")
        return thread_id

    def _resolve_reply(
        self, chat: Chat, params: Mapping[str, Any]
    ) -> tuple[JSONDict | None, JSONDict | None]:
        """``reply_parameters`` (or legacy ``reply_to_message_id``) -> (reply_to_message,
        external_reply); 400 when the target is missing unless sending without reply is allowed."""
        reply_parameters = params.get("reply_parameters")
        allow = bool(params.get("allow_sending_without_reply", False))
        target_chat_id: object = None
        if isinstance(reply_parameters, Mapping):
            message_id = reply_parameters.get("message_id")
            allow = bool(reply_parameters.get("allow_sending_without_reply", allow))
            target_chat_id = reply_parameters.get("chat_id")
        elif params.get("reply_to_message_id") is not None:
            message_id = params["reply_to_message_id"]
        else:
            return None, None
        target = chat if target_chat_id is None else self._lookup_chat(target_chat_id)
        found = target.messages.get(int(message_id)) if message_id is not None else None
        if found is None:
            if allow:
                return None, None
            raise bad_request("message to be replied not found")
        if target is chat:
            return copy.deepcopy(found), None
        external: JSONDict = {
            "origin": self._origin(found),
            "chat": target.to_json(),
            "message_id": found["message_id"],
        }
        for kind in MEDIA_KINDS:
            if kind in found:
                external[kind] = copy.deepcopy(found[kind])
        return None, external

    def _origin(self, message: Mapping[str, Any]) -> JSONDict:
        if "forward_origin" in message:
            return copy.deepcopy(message["forward_origin"])
        chat = message["chat"]
        if chat["type"] == "channel":
            return {
                "type": "channel",
                "chat": chat,
                "message_id": message["message_id"],
                "date": message["date"],
            }
        return {"type": "user", "sender_user": copy.deepcopy(message["from"]), "date": message["date"]}

    def _markup(self, chat: Chat, params: Mapping[str, Any]) -> JSONDict | None:
        """Validate ``reply_markup``; return it when it is an inline keyboard (the only kind a
        Message carries); remember reply keyboards per chat."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, Mapping):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    if not isinstance(button, Mapping) or not button.get("text"):
                        raise bad_request(
                            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                        )
                    if not BUTTON_ACTIONS.intersection(button):
                        raise bad_request(
                            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                        )
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                        raise bad_request("BUTTON_DATA_INVALID")
            return copy.deepcopy(dict(markup))
        if "keyboard" in markup:
            chat.reply_keyboard = copy.deepcopy(dict(markup))
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        return None

    def _text_content(self, params: Mapping[str, Any]) -> JSONDict:
        raw = params.get("text")
        if raw is None or str(raw) == "":
            raise bad_request("message text is empty")
        text, entities = format_text(str(raw), params.get("parse_mode"), params.get("entities"))
        if not text:
            raise bad_request("message text is empty")
        if u16len(text) > 4096:
            raise bad_request("message is too long")
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        preview = params.get("link_preview_options")
        if isinstance(preview, Mapping):
            content["link_preview_options"] = dict(preview)
        elif params.get("disable_web_page_preview"):
            content["link_preview_options"] = {"is_disabled": True}
        return content

    def _caption_content(self, params: Mapping[str, Any]) -> JSONDict:
        raw = params.get("caption")
        if raw is None or str(raw) == "":
            return {}
        caption, entities = format_text(str(raw), params.get("parse_mode"), params.get("caption_entities"))
        if u16len(caption) > 1024:
            raise bad_request("message caption is too long")
        content: JSONDict = {}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        if params.get("show_caption_above_media"):
            content["show_caption_above_media"] = True
        return content

    def _send(self, params: Mapping[str, Any], content: JSONDict, *, chat: Chat | None = None) -> JSONDict:
        """Common tail of every send: thread, reply, markup, protection, storage."""
        chat = chat or self._writable_chat(params.get("chat_id"))
        thread_id = self._thread_id(chat, params)
        reply, external = self._resolve_reply(chat, params)
        markup = self._markup(chat, params)
        if markup is not None:
            content["reply_markup"] = markup
        if params.get("protect_content"):
            content["has_protected_content"] = True
        return self._store_message(chat, self.bot_user, content, thread_id, reply, external_reply=external)

    def _media_param(self, kind: str, params: Mapping[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        value = params.get(kind)
        upload: UploadedFile | None = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        elif value is None:
            upload = files.get(kind)
        extra = {key: params[key] for key in ("duration", "width", "height") if key in params}
        if upload is not None:
            mime = (
                upload.content_type if upload.content_type not in (None, "application/octet-stream") else None
            )
            file_name = upload.filename if kind != "photo" else None
            return self._new_media(kind, upload.content, file_name, mime, **extra)
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {kind} in the request")
        if value.startswith(("http://", "https://")):
            name = value.rstrip("/").rpartition("/")[2] or None
            return self._new_media(kind, None, name if kind != "photo" else None, None, **extra)
        stored = self._files.get(value)
        if stored is None:
            # An id the double never issued may come from an earlier session (a logo kept in the
            # bot's config...): accept it like Telegram would and remember it from now on.
            return self._new_media(kind, None, None, None, file_id=value, **extra)
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}")
        return copy.deepcopy(stored.media)

    def _editable(self, params: Mapping[str, Any]) -> tuple[Chat, JSONDict] | None:
        """The bot message an edit targets; ``None`` for inline messages (not stored)."""
        if params.get("inline_message_id") and params.get("chat_id") is None:
            return None
        chat = self._writable_chat(params.get("chat_id"))
        message_id = params.get("message_id")
        message = chat.messages.get(int(message_id)) if message_id is not None else None
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self._bot_id or message["message_id"] in chat.service_ids:
            raise bad_request("message can't be edited")
        return chat, message

    @staticmethod
    def _not_modified() -> ApiError:
        return bad_request(
            "message is not modified: specified new message content and reply markup are exactly the "
            "same as a content and reply markup of the current message"
        )

    @staticmethod
    def _set_markup(message: JSONDict, markup: JSONDict | None) -> None:
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup

    def _source_message(self, params: Mapping[str, Any], verb: str) -> JSONDict:
        source_chat = self._lookup_chat(params.get("from_chat_id"))
        message_id = params.get("message_id")
        source = source_chat.messages.get(int(message_id)) if message_id is not None else None
        if source is None:
            raise bad_request(f"message to {verb} not found")
        if source["message_id"] in source_chat.service_ids or not (
            "text" in source or any(kind in source for kind in MEDIA_KINDS)
        ):
            raise bad_request(f"message can't be {verb}ed" if verb != "copy" else "message can't be copied")
        return source
