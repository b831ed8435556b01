"""Internals shared by the double's modules: API errors, constants of the Bot API, small helpers."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from tests.support.botapi.values import JSONDict

T = TypeVar("T")

# Telegram's default set when allowed_updates is unset or empty: everything but these three.
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MEDIA_KINDS = ("photo", "document", "voice", "audio", "video", "animation")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
DEFAULT_TOPIC_COLOR = 0x6FB9F0
COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")

# The boolean rights of a ChatMemberAdministrator, by chat kind (Bot API "for channels only",
# "for groups and supergroups only"); the bot gets all of them unless a test says otherwise.
ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
GROUP_ADMIN_RIGHTS = ("can_pin_messages", "can_manage_topics")
CHANNEL_ADMIN_RIGHTS = ("can_post_messages", "can_edit_messages", "can_manage_direct_messages")
RESTRICTED_FIELDS = (
    "is_member",
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
    "until_date",
)
# The fields a test may set for each ChatMember status (anything else is a typo).
MEMBER_FIELDS: dict[str, frozenset[str]] = {
    "creator": frozenset({"is_anonymous", "custom_title"}),
    "administrator": frozenset(
        {
            *ADMIN_RIGHTS,
            *GROUP_ADMIN_RIGHTS,
            *CHANNEL_ADMIN_RIGHTS,
            "can_be_edited",
            "is_anonymous",
            "custom_title",
            "can_manage_tags",
        }
    ),
    "member": frozenset({"until_date", "tag"}),
    "restricted": frozenset({*RESTRICTED_FIELDS, "tag"}),
    "left": frozenset(),
    "kicked": frozenset({"until_date"}),
}

# What getChatMember fills in for a status when the test configured nothing more.
MEMBER_DEFAULTS: dict[str, JSONDict] = {
    "creator": {"is_anonymous": False},
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
    "restricted": {
        "is_member": True,
        "can_send_messages": False,
        "can_send_audios": False,
        "can_send_documents": False,
        "can_send_photos": False,
        "can_send_videos": False,
        "can_send_video_notes": False,
        "can_send_voice_notes": False,
        "can_send_polls": False,
        "can_send_other_messages": False,
        "can_add_web_page_previews": False,
        "can_change_info": False,
        "can_invite_users": False,
        "can_pin_messages": False,
        "can_manage_topics": False,
        "can_edit_tag": False,
        "can_react_to_messages": False,
        "until_date": 0,
    },
    "kicked": {"until_date": 0},
}


class ApiError(Exception):
    """An error answer of the Bot API, raised by method implementations."""

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


def strip_nested_reply(message: Mapping[str, Any]) -> JSONDict:
    """Telegram embeds replied-to messages one level deep only."""
    data = copy.deepcopy(dict(message))
    data.pop("reply_to_message", None)
    return data


def same_chat(value: object, chat_id: int | str) -> bool:
    return str(value) == str(chat_id)
