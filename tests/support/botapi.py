"""A loopback test double of the Telegram Bot API server.

End-to-end tests run the real python-telegram-bot ``Application`` (long polling, real HTTP,
real JSON parsing) against this double, so what is exercised is the bot's behaviour as
Telegram would see it, not a mock of PTB. The double therefore answers with the same JSON
shapes, HTTP status codes and error descriptions as the real server, and it reproduces the
server-side rules that bots commonly trip over:

* ``parse_mode`` is parsed (HTML, MarkdownV2, legacy Markdown): stored messages hold the plain
  text plus entities, and malformed markup answers ``400 can't parse entities`` like Telegram;
* message text is trimmed, limited to 4096 characters, captions to 1024;
* editing a message with identical content answers ``400 message is not modified``, and
  ``editMessageText`` without ``reply_markup`` removes the inline keyboard;
* ``callback_data`` longer than 64 bytes answers ``400 BUTTON_DATA_INVALID``;
* a callback query can be answered once;
* the bot cannot write to a chat it has never seen (``400 chat not found``), nor to a user who
  blocked it (``403 Forbidden: bot was blocked by the user``);
* updates stay queued until confirmed with ``offset``; a second concurrent ``getUpdates``
  terminates the first one with ``409 Conflict`` like the real server.

Only the standard library is used: a ``ThreadingHTTPServer`` runs in a daemon thread, so the
double works whatever event loop (or none) the test uses, and state is guarded by one lock.

What PTB 22.8 puts on the wire (read from ``telegram/request/_httpxrequest.py``,
``_requestdata.py`` and ``_requestparameter.py``): every call is a ``POST`` to
``<base_url><token>/<method>``; without files the body is ``application/x-www-form-urlencoded``
(``httpx`` ``data=``), with files it is ``multipart/form-data`` (``files=`` plus the same
fields). Field values are ``RequestData.json_parameters``: strings are sent verbatim, every
other value (ints, booleans, lists, dicts such as ``reply_markup``) is ``json.dumps``-ed, so
``chat_id=-100123`` arrives as ``"-100123"`` and ``disable_notification=True`` as ``"true"``.
``None`` values are not sent at all. PTB never sends a JSON body; the double accepts one
anyway, and query-string parameters too, because other clients do.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

__all__ = [
    "BOT_FIRST_NAME",
    "BOT_ID",
    "BOT_USERNAME",
    "TOKEN",
    "ApiCall",
    "BotApiDouble",
    "UploadedFile",
    "User",
]

TOKEN = "123456789:AAtest-double-token"
BOT_ID = 123456789
BOT_USERNAME = "aiguilleur_test_bot"
BOT_FIRST_NAME = "Aiguilleur"

JSONDict = dict[str, Any]
T = TypeVar("T")

# Telegram's default set when allowed_updates is unset or empty: everything but these three.
_NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_MEDIA_KINDS = ("photo", "document", "voice", "audio", "video", "animation")
_CHAT_ACTIONS = frozenset(
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
_BUTTON_ACTIONS = frozenset(
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
_DEFAULT_TOPIC_COLOR = 0x6FB9F0
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")

# Form fields that are strings in the Bot API and must never be JSON/number-decoded: a user may
# well send the text "42", "true" or "[1, 2]".
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "description",
        "short_description",
        "name",
        "title",
        "url",
        "query",
        "callback_query_id",
        "inline_message_id",
        "language_code",
        "secret_token",
        "ip_address",
        "file_id",
        "action",
        "message_effect_id",
        "business_connection_id",
        "icon_custom_emoji_id",
        "emoji",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
        "address",
        "question",
        "explanation",
        "custom_title",
        "performer",
        "file_name",
        "mime_type",
        *_MEDIA_KINDS,
        "thumbnail",
    }
)
_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")


# --------------------------------------------------------------------------------------------
# Public value types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    """A Telegram user that the test makes act (write, press buttons, block the bot)."""

    id: int
    first_name: str
    language_code: str | None = None
    username: str | None = None
    is_bot: bool = False
    last_name: str | None = None

    def to_json(self) -> JSONDict:
        """The ``User`` object exactly as Telegram serialises it (absent fields omitted)."""
        data: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a ``multipart/form-data`` request (what PTB uploads for ``InputFile``)."""

    field_name: str
    filename: str | None
    content_type: str | None
    content: bytes


@dataclass
class ApiCall:
    """One HTTP request the bot made, as the double understood it.

    ``params`` holds decoded values (ints, bools, dicts, lists) so tests can compare with plain
    Python data. ``transport`` tells how the parameters travelled ("form", "multipart", "json",
    "query" or "none"), ``status`` is the HTTP status answered (``None`` while the request is
    still being served, ``0`` when the double dropped the connection on purpose).
    """

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    transport: str = "none"
    http_method: str = "POST"
    at: float = field(default_factory=time.monotonic)
    status: int | None = None

    def describe(self, width: int = 160) -> str:
        """One line for failure messages: method, compact params and outcome."""
        shown = json.dumps(self.params, ensure_ascii=False, default=str)
        if len(shown) > width:
            shown = shown[: width - 3] + "..."
        status = "pending" if self.status is None else str(self.status)
        return f"{self.method} {shown} -> {status}"


# --------------------------------------------------------------------------------------------
# Internal state
# --------------------------------------------------------------------------------------------


class _ApiError(Exception):
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


def _bad_request(detail: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {detail}")


@dataclass
class _Fault:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | str | None


@dataclass
class _Delay:
    method: str
    seconds: float
    remaining: int
    then_accept: bool


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    file_size: int
    file_path: str
    content: bytes
    media: Any  # the JSON media object to reuse when the file is sent again by file_id


@dataclass
class _Chat:
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


def _u16len(text: str) -> int:
    """Length in UTF-16 code units: the unit of Telegram entity offsets and length limits."""
    return len(text.encode("utf-16-le")) // 2


def _strip_nested_reply(message: Mapping[str, Any]) -> JSONDict:
    """Telegram embeds replied-to messages one level deep only."""
    data = copy.deepcopy(dict(message))
    data.pop("reply_to_message", None)
    return data


def _same_chat(value: object, chat_id: int | str) -> bool:
    return str(value) == str(chat_id)


# --------------------------------------------------------------------------------------------
# Formatting: parse_mode and trimming like the server does
# --------------------------------------------------------------------------------------------


def _parse_error(detail: str) -> _ApiError:
    return _bad_request(f"can't parse entities: {detail}")


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_CHARREF_RE = re.compile(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot);")
_HTML_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_HTML_ATTR_RE = re.compile(r"([a-zA-Z0-9_-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")


def _decode_charref(ref: str) -> str:
    named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
    if ref in named:
        return named[ref]
    number = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
    try:
        return chr(number)
    except (ValueError, OverflowError):
        return "\ufffd"


def _html_unescape(value: str) -> str:
    return _HTML_CHARREF_RE.sub(lambda m: _decode_charref(m.group(1)), value)


def _parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Telegram's HTML subset, with the server's strictness: any ``<`` must open a supported
    tag, tags must nest properly and be closed. Error texts follow the real server's."""
    out: list[str] = []
    pos = 0
    entities: list[JSONDict] = []
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            match = _HTML_CHARREF_RE.match(text, i)
            decoded = _decode_charref(match.group(1)) if match else "&"
            out.append(decoded)
            pos += _u16len(decoded)
            i = match.end() if match else i + 1
            continue
        if char != "<":
            out.append(char)
            pos += _u16len(char)
            i += 1
            continue
        byte_offset = len(text[:i].encode("utf-8"))
        if text.startswith("</", i):
            end = text.find(">", i)
            if end == -1:
                raise _parse_error(f"Unclosed end tag at byte offset {byte_offset}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise _parse_error(f"Unexpected end tag at byte offset {byte_offset}")
            tag, start, attrs = stack.pop()
            if name and name != tag:
                raise _parse_error(
                    f'Unmatched end tag at byte offset {byte_offset}, expected "</{tag}>", found "</{name}>"'
                )
            entity = _html_entity(tag, start, pos - start, attrs, stack)
            if entity is not None:
                entities.append(entity)
            i = end + 1
            continue
        name_match = _HTML_TAG_NAME_RE.match(text, i + 1)
        name = name_match.group(0).lower() if name_match else ""
        if name not in _HTML_TAGS:
            raise _parse_error(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
        j = i + 1 + len(name)
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise _parse_error(f"Unclosed start tag at byte offset {byte_offset}")
            if text[j] == ">":
                j += 1
                break
            attr = _HTML_ATTR_RE.match(text, j)
            if attr is None:
                raise _parse_error(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                    f"at byte offset {byte_offset}"
                )
            value = attr.group(2) or ""
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            attrs[attr.group(1).lower()] = _html_unescape(value)
            j = attr.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise _parse_error(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {byte_offset}')
        stack.append((name, pos, attrs))
        i = j
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), entities


def _html_entity(
    tag: str, offset: int, length: int, attrs: dict[str, str], stack: list[tuple[str, int, dict[str, str]]]
) -> JSONDict | None:
    if tag == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][2]["language"] = language.removeprefix("language-")
            return None
    if length <= 0:
        return None
    kind = _HTML_TAGS[tag]
    entity: JSONDict = {"offset": offset, "length": length, "type": kind}
    if tag == "a":
        href = attrs.get("href")
        if not href:
            return None
        entity["url"] = href
    elif tag == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    elif tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = attrs["emoji-id"]
    return entity


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_OPENERS = (
    ("```", "pre"),
    ("`", "code"),
    ("||", "spoiler"),
    ("__", "underline"),
    ("_", "italic"),
    ("*", "bold"),
    ("~", "strikethrough"),
    ("[", "text_link"),
)
_MD_ENTITY_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


def _parse_markdown_v2(text: str) -> tuple[str, list[JSONDict]]:
    """MarkdownV2 as the server applies it: every reserved character outside an entity must be
    escaped with ``\\``, otherwise ``400 can't parse entities: Character 'x' is reserved...``."""
    out: list[str] = []
    pos = 0
    entities: list[JSONDict] = []
    # (type, closing token, utf16 offset, byte offset, language)
    stack: list[tuple[str, str, int, int, str | None]] = []
    quotes: list[list[int]] = []
    quote_start: int | None = None
    i, n = 0, len(text)

    def emit(chunk: str) -> None:
        nonlocal pos
        out.append(chunk)
        pos += _u16len(chunk)

    def close_top() -> None:
        kind, _token, start, _byte, language = stack.pop()
        if pos > start:
            entity: JSONDict = {"offset": start, "length": pos - start, "type": kind}
            if language:
                entity["language"] = language
            entities.append(entity)

    while i < n:
        char = text[i]
        top = stack[-1] if stack else None
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        if top is not None and top[0] in ("code", "pre"):
            if text.startswith(top[1], i):
                close_top()
                i += len(top[1])
            else:
                emit(char)
                i += 1
            continue
        if char == "\n" and quote_start is not None:
            quotes.append([quote_start, pos])
            quote_start = None
        if char not in _MDV2_RESERVED:
            emit(char)
            i += 1
            continue
        byte_offset = len(text[:i].encode("utf-8"))
        if top is not None and top[0] == "text_link" and char == "]":
            kind, _token, start, _byte, _language = stack.pop()
            i += 1
            if i < n and text[i] == "(":
                j = i + 1
                url: list[str] = []
                while j < n and text[j] != ")":
                    if text[j] == "\\" and j + 1 < n:
                        url.append(text[j + 1])
                        j += 2
                        continue
                    url.append(text[j])
                    j += 1
                if j >= n:
                    raise _parse_error(f"Can't find end of a URL at byte offset {len(text[:i].encode())}")
                if pos > start:
                    entities.append(
                        {"offset": start, "length": pos - start, "type": kind, "url": "".join(url)}
                    )
                i = j + 1
            continue
        if top is not None and top[0] != "text_link":
            token = top[1]
            closes = (
                text.startswith("__", i)
                if token == "__"
                else (char == "_" if token == "_" else text.startswith(token, i))
            )
            if closes:
                close_top()
                i += len(token)
                continue
        if char == ">" and (i == 0 or text[i - 1] == "\n"):
            if quotes and quotes[-1][1] == pos - 1 and out and out[-1] == "\n":
                quote_start = quotes.pop()[0]
            else:
                quote_start = pos
            i += 1
            continue
        for token, kind in _MDV2_OPENERS:
            if text.startswith(token, i):
                i += len(token)
                language = None
                if kind == "pre":
                    newline = text.find("\n", i)
                    closing = text.find("```", i)
                    if newline != -1 and (closing == -1 or newline < closing):
                        language = text[i:newline].strip() or None
                        i = newline + 1
                closer = "]" if kind == "text_link" else token
                stack.append((kind, closer, pos, byte_offset, language))
                break
        else:
            raise _parse_error(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
    if quote_start is not None:
        quotes.append([quote_start, pos])
    if stack:
        kind, _token, _start, byte_offset, _language = stack[-1]
        raise _parse_error(f"Can't find end of {_MD_ENTITY_NAMES[kind]} entity at byte offset {byte_offset}")
    entities.extend(
        {"offset": start, "length": end - start, "type": "blockquote"} for start, end in quotes if end > start
    )
    return "".join(out), entities


def _parse_markdown_legacy(text: str) -> tuple[str, list[JSONDict]]:
    """Legacy ``Markdown``: ``*bold*``, ``_italic_``, `` `code` ``, ```` ```pre``` ````,
    ``[text](url)``; no nesting; an unclosed marker is a 400 like on the server."""
    out: list[str] = []
    pos = 0
    entities: list[JSONDict] = []
    i, n = 0, len(text)

    def emit(chunk: str) -> None:
        nonlocal pos
        out.append(chunk)
        pos += _u16len(chunk)

    def unclosed(at: int) -> _ApiError:
        return _parse_error(f"Can't find end of the entity starting at byte offset {len(text[:at].encode())}")

    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            emit(text[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            emit(char)
            i += 1
            continue
        start = pos
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end == -1:
                raise unclosed(i)
            inner = text[i + 3 : end]
            language = None
            first_line, newline, rest = inner.partition("\n")
            if newline and first_line.strip() and " " not in first_line.strip():
                language, inner = first_line.strip(), rest
            emit(inner)
            entity: JSONDict = {"offset": start, "length": pos - start, "type": "pre"}
            if language:
                entity["language"] = language
            i = end + 3
        elif char == "[":
            end = text.find("]", i + 1)
            if end == -1 or text[end + 1 : end + 2] != "(":
                emit(char)
                i += 1
                continue
            close = text.find(")", end + 2)
            if close == -1:
                raise unclosed(i)
            emit(text[i + 1 : end])
            entity = {
                "offset": start,
                "length": pos - start,
                "type": "text_link",
                "url": text[end + 2 : close],
            }
            i = close + 1
        else:
            end = text.find(char, i + 1)
            if end == -1:
                raise unclosed(i)
            emit(text[i + 1 : end])
            kind = {"*": "bold", "_": "italic", "`": "code"}[char]
            entity = {"offset": start, "length": pos - start, "type": kind}
            i = end + 1
        if entity["length"] > 0:
            entities.append(entity)
    return "".join(out), entities


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """The server strips leading/trailing whitespace and shifts/clips entities accordingly."""
    stripped = text.strip()
    lead = _u16len(text[: len(text) - len(text.lstrip())])
    limit = _u16len(stripped)
    kept: list[JSONDict] = []
    for entity in entities:
        start = max(0, int(entity["offset"]) - lead)
        end = min(limit, int(entity["offset"]) + int(entity["length"]) - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    kept.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, kept


def _format(text: str, parse_mode: object, entities: object) -> tuple[str, list[JSONDict]]:
    """Plain text and entities of a text/caption, as the server would store them."""
    if isinstance(entities, list):
        return _trim(text, [dict(e) for e in entities if isinstance(e, Mapping)])
    if parse_mode in (None, ""):
        return _trim(text, [])
    mode = str(parse_mode).lower()
    if mode == "html":
        return _trim(*_parse_html(text))
    if mode == "markdownv2":
        return _trim(*_parse_markdown_v2(text))
    if mode == "markdown":
        return _trim(*_parse_markdown_legacy(text))
    raise _bad_request("unsupported parse_mode")


def _command_entities(text: str) -> list[JSONDict]:
    """Telegram marks a leading ``/command`` (with an optional ``@botname``) as ``bot_command``."""
    match = re.match(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?", text)
    if not match:
        return []
    return [{"offset": 0, "length": _u16len(match.group(0)), "type": "bot_command"}]


# --------------------------------------------------------------------------------------------
# Request decoding
# --------------------------------------------------------------------------------------------


def _decode_param(name: str, value: object) -> object:
    """Undo PTB's ``json_parameters`` encoding: JSON objects/arrays, booleans and numbers come
    back as Python values, Bot API string fields stay strings whatever they look like."""
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    stripped = value.strip()
    if stripped and stripped[0] in "[{":
        with contextlib.suppress(ValueError):
            decoded = json.loads(stripped)
            if isinstance(decoded, dict | list):
                return decoded
    if value in ("true", "false"):
        return value == "true"
    if _INT_RE.fullmatch(value):
        return int(value)
    if _FLOAT_RE.fullmatch(value):
        return float(value)
    return value


def _header_param(header: str, name: str) -> str | None:
    match = re.search(rf'(?:^|;)\s*{name}="((?:[^"\\]|\\.)*)"', header) or re.search(
        rf"(?:^|;)\s*{name}=([^;\s]+)", header
    )
    return unquote(match.group(1)) if match else None


def _parse_multipart(body: bytes, boundary: str) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for raw_part in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if raw_part.startswith(b"--"):
            break
        part = raw_part.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, content = part.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = _header_param(disposition, "name")
        if name is None:
            continue
        filename = _header_param(disposition, "filename")
        if filename is not None:
            files[name] = UploadedFile(name, filename, headers.get("content-type"), content)
        else:
            fields[name] = content.decode("utf-8")
    return fields, files


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    double: BotApiDouble

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connection resets are normal (cancelled long polls, client timeouts); anything else
        is a bug in the double and is recorded instead of printed."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        self.double._record_server_error(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BotApiDouble/1.0"
    # Headers and body are separate writes: with Nagle + delayed ACK each call would take 40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.double._track_connection(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.double._track_connection(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:  # stdlib's signature
        """Silence the default stderr access log."""

    def do_GET(self) -> None:
        self.server.double._serve(self)

    def do_POST(self) -> None:
        self.server.double._serve(self)


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length > 0 else b""


def _write(handler: BaseHTTPRequestHandler, status: int, payload: bytes, content_type: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)
    handler.wfile.flush()


def _json_bytes(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


# --------------------------------------------------------------------------------------------
# The double
# --------------------------------------------------------------------------------------------


class BotApiDouble:
    """A fake Telegram Bot API server on ``127.0.0.1`` for end-to-end tests.

    Use it as a context manager (or ``start()``/``stop()``), point PTB at ``base_url`` and
    ``base_file_url``, make users act with ``user_says``/``user_presses``/... and assert on
    ``calls`` and on the chats' messages (``messages_in``, ``bot_messages``).

    Args:
        token: the only token accepted; any other one answers ``401 Unauthorized``.
        strict_chats: when true (default, like Telegram) the bot can only write to chats the
            double knows: users who wrote (``user_says`` & co.) or were ``register_user``-ed,
            groups that were ``register_group``-ed. Otherwise unknown chats are created on use.
    """

    def __init__(self, *, token: str = TOKEN, strict_chats: bool = True) -> None:
        self._token = token
        self._strict_chats = strict_chats
        self._bot_id = int(token.split(":", 1)[0])
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stop_event = threading.Event()
        self._stopping = False
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._server_errors: list[str] = []

        self._calls: list[ApiCall] = []
        self._faults: list[_Fault] = []
        self._delays: list[_Delay] = []

        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, User] = {}
        self._blocked: set[int] = set()
        self._members: dict[tuple[int, int], JSONDict] = {}
        self._files: dict[str, _StoredFile] = {}
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

        self._dispatch: dict[str, Callable[[dict[str, Any], dict[str, UploadedFile]], Any]] = {
            "getMe": self._api_get_me,
            "logOut": self._api_true,
            "close": self._api_true,
            "getUpdates": self._api_get_updates,
            "setWebhook": self._api_set_webhook,
            "deleteWebhook": self._api_delete_webhook,
            "getWebhookInfo": self._api_get_webhook_info,
            "sendMessage": self._api_send_message,
            "forwardMessage": self._api_forward_message,
            "copyMessage": self._api_copy_message,
            "sendChatAction": self._api_send_chat_action,
            "getFile": self._api_get_file,
            "editMessageText": self._api_edit_message_text,
            "editMessageCaption": self._api_edit_message_caption,
            "editMessageReplyMarkup": self._api_edit_message_reply_markup,
            "deleteMessage": self._api_delete_message,
            "deleteMessages": self._api_delete_messages,
            "answerCallbackQuery": self._api_answer_callback_query,
            "setMyCommands": self._api_set_my_commands,
            "getMyCommands": self._api_get_my_commands,
            "deleteMyCommands": self._api_delete_my_commands,
            "setMyDescription": self._api_set_my_description,
            "getMyDescription": self._api_get_my_description,
            "setMyShortDescription": self._api_set_my_short_description,
            "getMyShortDescription": self._api_get_my_short_description,
            "setMyName": self._api_set_my_name,
            "getMyName": self._api_get_my_name,
            "getChat": self._api_get_chat,
            "getChatMember": self._api_get_chat_member,
            "createForumTopic": self._api_create_forum_topic,
            "editForumTopic": self._api_edit_forum_topic,
            "closeForumTopic": self._api_close_forum_topic,
            "reopenForumTopic": self._api_reopen_forum_topic,
            "deleteForumTopic": self._api_delete_forum_topic,
        }
        for kind in _MEDIA_KINDS:
            self._dispatch["send" + kind.capitalize()] = self._media_sender(kind)
        self._canonical = {name.lower(): name for name in self._dispatch}

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> BotApiDouble:
        """Bind an ephemeral loopback port and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("BotApiDouble is already started (it cannot be restarted)")
        server = _Server(("127.0.0.1", 0), _Handler)
        server.double = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="BotApiDouble", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release pending long polls, close client connections and the socket (well under 1 s).

        Idempotent. Pending ``getUpdates`` answer an empty list if their connection is still
        open; delayed responses are cut short."""
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
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``: PTB appends the token and file path."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def token(self) -> str:
        return self._token

    @property
    def bot_user(self) -> JSONDict:
        """The bot as the ``from`` of its own messages."""
        return {"id": self._bot_id, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME}

    @property
    def server_errors(self) -> list[str]:
        """Tracebacks of bugs inside the double (each answered as HTTP 500). Should stay empty."""
        with self._lock:
            return list(self._server_errors)

    # ---- recorded calls ----------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Snapshot of every request received, in arrival order."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls of one Bot API method (name matched case-insensitively)."""
        wanted = self._canonical.get(method.lower(), method)
        with self._lock:
            return [call for call in self._calls if call.method == wanted]

    def clear_calls(self) -> None:
        """Forget recorded calls, e.g. after a test's set-up phase."""
        with self._lock:
            self._calls.clear()

    # ---- chats, messages and bot state -------------------------------------------------------

    def register_user(self, user: User) -> None:
        """Make the user's private chat known, as if they had started the bot earlier."""
        with self._lock:
            self._private_chat(user)

    def register_group(
        self,
        chat_id: int,
        title: str,
        is_forum: bool = False,
        *,
        chat_type: str = "supergroup",
        username: str | None = None,
    ) -> None:
        """Declare a group the bot is a member of (``chat_type`` "supergroup", "group" or
        "channel"); ``is_forum`` enables topics (``createForumTopic``, ``is_topic_message``)."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                chat = self._chats[chat_id] = _Chat(id=chat_id, type=chat_type)
            chat.type = chat_type
            chat.title = title
            chat.is_forum = is_forum
            chat.username = username

    def set_chat_member(self, chat_id: int, user_id: int, status: str = "member", **fields: Any) -> None:
        """Configure what ``getChatMember`` answers (status "creator", "administrator",
        "member", "restricted", "left" or "kicked"; missing required fields get defaults).
        Setting the bot itself to "kicked"/"left" in a group makes sends there answer 403."""
        with self._lock:
            self._members[(chat_id, user_id)] = {"status": status, **fields}

    def messages_in(self, chat_id: int) -> list[JSONDict]:
        """All live messages of a chat (users', bot's, service ones), oldest first, as they are
        now (after edits, without deleted ones)."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return copy.deepcopy(list(chat.messages.values())) if chat else []

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """One stored message in its current state, or ``None`` (unknown or deleted)."""
        with self._lock:
            chat = self._chats.get(chat_id)
            found = chat.messages.get(message_id) if chat else None
            return copy.deepcopy(found) if found else None

    def bot_messages(self, chat_id: int) -> list[JSONDict]:
        """Messages the bot sent to a chat (sent, copied, forwarded; not topic service
        messages), oldest first, with their current text/caption and reply_markup."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                return []
            return copy.deepcopy(
                [
                    msg
                    for msg_id, msg in chat.messages.items()
                    if msg.get("from", {}).get("id") == self._bot_id and msg_id not in chat.service_ids
                ]
            )

    def last_bot_message(self, chat_id: int) -> JSONDict | None:
        """The bot's most recent live message in a chat, or ``None``."""
        messages = self.bot_messages(chat_id)
        return messages[-1] if messages else None

    def deleted_message_ids(self, chat_id: int) -> list[int]:
        """Ids deleted via ``deleteMessage(s)``/``deleteForumTopic``, in deletion order."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return list(chat.deleted_ids) if chat else []

    def reply_keyboard(self, chat_id: int) -> JSONDict | None:
        """The custom (reply) keyboard currently shown in a chat: the last ``ReplyKeyboardMarkup``
        sent there, ``None`` after a ``ReplyKeyboardRemove``. Telegram does not return such
        keyboards inside Message objects, so this is where tests can see them."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return copy.deepcopy(chat.reply_keyboard) if chat else None

    def topics(self, chat_id: int) -> dict[int, JSONDict]:
        """Forum topics of a chat by message_thread_id, with name, icon, is_closed, is_deleted."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return copy.deepcopy(chat.topics) if chat else {}

    def my_commands(self, scope: Mapping[str, Any] | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands set by the bot for a scope (default scope if ``None``) and language."""
        with self._lock:
            return copy.deepcopy(self._commands.get((self._scope_key(scope), language_code), []))

    def my_description(self, language_code: str = "") -> str:
        with self._lock:
            return self._descriptions.get(language_code, "")

    def my_short_description(self, language_code: str = "") -> str:
        with self._lock:
            return self._short_descriptions.get(language_code, "")

    @property
    def webhook(self) -> JSONDict | None:
        """The webhook set by ``setWebhook`` (url and options), ``None`` when polling."""
        with self._lock:
            return copy.deepcopy(self._webhook)

    @property
    def allowed_updates(self) -> list[str] | None:
        """The update types the bot last asked for (``None``: never set, default set)."""
        with self._lock:
            return list(self._allowed_updates) if self._allowed_updates is not None else None

    def pending_updates(self) -> int:
        """Number of queued updates the bot has not confirmed (via ``offset``) yet."""
        with self._lock:
            return len(self._updates)

    def is_blocked_by(self, user: User) -> bool:
        with self._lock:
            return user.id in self._blocked

    # ---- fault injection ---------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (only those for ``chat_id`` if given)
        with an error instead of executing them: nothing is stored or queued.

        ``retry_after`` adds ``parameters.retry_after`` (PTB raises ``RetryAfter``); 400 gives
        ``BadRequest``, 403 ``Forbidden``, 5xx ``NetworkError``."""
        defaults = {
            400: "Bad Request",
            403: "Forbidden",
            429: f"Too Many Requests: retry after {retry_after or 1}",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }
        with self._lock:
            self._faults.append(
                _Fault(
                    method=self._canonical.get(method.lower(), method),
                    error_code=error_code,
                    description=description or defaults.get(error_code, f"Error {error_code}"),
                    retry_after=retry_after,
                    remaining=times,
                    chat_id=chat_id,
                )
            )

    def delay_next(self, method: str, seconds: float, times: int = 1, then_accept: bool = True) -> None:
        """Make the next ``times`` calls of ``method`` answer ``seconds`` late.

        With ``then_accept`` (default) the call is executed at once (the message is stored,
        the update confirmed...) and only the response is late: a client timing out meanwhile
        sees ``TimedOut`` although Telegram did act, the classic duplicate-send trap. Without
        it, nothing is executed and the connection is closed without an answer after the
        delay (a request lost in transit)."""
        with self._lock:
            self._delays.append(
                _Delay(
                    method=self._canonical.get(method.lower(), method),
                    seconds=seconds,
                    remaining=times,
                    then_accept=then_accept,
                )
            )

    # ---- user actions --------------------------------------------------------------------------

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
        entities = _command_entities(text)
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
            return self._my_chat_member(user, chat, "member", "kicked")

    def user_adds_bot_to_group(self, user: User, chat_id: int, title: str) -> JSONDict:
        """A group admin adds the bot: the group becomes known and a ``my_chat_member`` update
        (left -> member) is queued. Returns that ChatMemberUpdated."""
        self.register_group(chat_id, title)
        with self._cond:
            return self._my_chat_member(user, self._chats[chat_id], "left", "member")

    def user_unblocks_bot(self, user: User) -> JSONDict:
        """The user unblocks the bot (kicked -> member ``my_chat_member`` update)."""
        with self._cond:
            chat = self._private_chat(user)
            self._blocked.discard(user.id)
            return self._my_chat_member(user, chat, "kicked", "member")

    # ---- waiting from async tests --------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, *, description: str = "") -> T:  # noqa: ASYNC109
        """Poll ``predicate`` every 10 ms until it returns a truthy value, which is returned.

        Exceptions from the predicate (e.g. ``IndexError`` before a message exists) count as
        "not yet". On timeout, raises ``AssertionError`` naming the last exception and the
        last 10 recorded calls, which is usually what explains the failure."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last_error: Exception | None = None
        for _attempt in itertools.count():
            try:
                value = predicate()
            except Exception as exc:  # reported on timeout
                last_error = exc
            else:
                last_error = None
                if value:
                    return value
            if loop.time() >= deadline:
                break
            await asyncio.sleep(0.01)
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
    ) -> JSONDict:
        """Wait until the bot has at least ``count`` live messages in the chat (counting only
        those whose text or caption contains ``contains``, if given); return the latest one."""

        def matching() -> list[JSONDict] | None:
            found = [
                msg
                for msg in self.bot_messages(chat_id)
                if contains is None or contains in (msg.get("text") or msg.get("caption") or "")
            ]
            return found if len(found) >= count else None

        what = f"{count} bot message(s) in chat {chat_id}" + (f" containing {contains!r}" if contains else "")
        found = await self.wait_for(matching, timeout, description=what)
        return found[-1]

    async def wait_for_call(self, method: str, *, count: int = 1, timeout: float = 5.0) -> ApiCall:  # noqa: ASYNC109
        """Wait until ``method`` was called at least ``count`` times; return the latest call."""
        calls = await self.wait_for(
            lambda: (found := self.calls_to(method)) and len(found) >= count and found,
            timeout,
            description=f"{count} call(s) to {method}",
        )
        return calls[-1]

    # ---- internals: bookkeeping ------------------------------------------------------------------

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
        if (allowed and kind not in allowed) or (not allowed and kind in _NOT_DELIVERED_BY_DEFAULT):
            return None
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        self._updates.append(update)
        self._cond.notify_all()
        return update

    def _private_chat(self, user: User) -> _Chat:
        self._users[user.id] = user
        chat = self._chats.get(user.id)
        if chat is None:
            chat = self._chats[user.id] = _Chat(id=user.id, type="private")
        chat.first_name, chat.last_name, chat.username = user.first_name, user.last_name, user.username
        return chat

    def _my_chat_member(self, user: User, chat: _Chat, old: str, new: str) -> JSONDict:
        def member(status: str) -> JSONDict:
            data: JSONDict = {"user": self.bot_user, "status": status}
            if status == "kicked":
                data["until_date"] = 0
            return data

        payload: JSONDict = {
            "chat": chat.to_json(),
            "from": user.to_json(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        self._enqueue("my_chat_member", payload)
        return copy.deepcopy(payload)

    def _user_chat(
        self, user: User, chat_id: int | None, chat_type: str | None, thread_id: int | None
    ) -> _Chat:
        if chat_id is None or chat_id == user.id:
            chat = self._private_chat(user)
            if user.id in self._blocked:
                # Writing to a blocked bot (the "Restart" button) unblocks it first.
                self._blocked.discard(user.id)
                self._my_chat_member(user, chat, "kicked", "member")
            return chat
        self._users[user.id] = user
        chat = self._chats.get(chat_id)
        if chat is None:
            kind = chat_type or ("private" if chat_id > 0 else "supergroup")
            chat = self._chats[chat_id] = _Chat(
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
            entities = _command_entities(caption)
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

    def _store_message(
        self,
        chat: _Chat,
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
            message["reply_to_message"] = _strip_nested_reply(reply)
        elif thread_id is not None and chat.is_forum and not service and thread_id in chat.messages:
            message["reply_to_message"] = _strip_nested_reply(chat.messages[thread_id])
        if external_reply is not None:
            message["external_reply"] = external_reply
        message.update(copy.deepcopy(content))
        chat.messages[message_id] = message
        if service:
            chat.service_ids.add(message_id)
        return message

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

        def register(media_extra: JSONDict, forced_id: str | None = None) -> tuple[_StoredFile, JSONDict]:
            seq = next(self._file_seq)
            file_id = forced_id or f"{prefixes[kind]}{seq:06d}DoubleFile"
            data = content if content is not None else f"double-file:{file_id}".encode()
            suffix = (file_name or "").rpartition(".")[2] if file_name and "." in file_name else None
            extension = suffix or extensions.get(kind, "bin")
            stored = _StoredFile(
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

    @staticmethod
    def _scope_key(scope: object) -> str:
        return json.dumps(scope if isinstance(scope, Mapping) else {"type": "default"}, sort_keys=True)

    # ---- internals: HTTP ---------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        body = _read_body(handler)
        api = re.fullmatch(r"/bot([^/]*)/([^/?]+)/?", split.path)
        if api is None:
            files = re.fullmatch(r"/file/bot([^/]*)/(.+)", split.path)
            if files is not None:
                self._serve_file(handler, unquote(files.group(1)), unquote(files.group(2)))
                return
            self._answer(handler, 404, _ApiError(404, "Not Found").payload())
            return
        self._serve_api(handler, unquote(api.group(1)), unquote(api.group(2)), split, body)

    def _serve_file(self, handler: BaseHTTPRequestHandler, token: str, file_path: str) -> None:
        if token != self._token:
            error = _ApiError(401, "Unauthorized")
            self._answer(handler, error.code, error.payload())
            return
        with self._lock:
            stored = next((f for f in self._files.values() if f.file_path == file_path), None)
        if stored is None:
            error = _ApiError(404, "Not Found")
            self._answer(handler, error.code, error.payload())
            return
        _write(handler, 200, stored.content, "application/octet-stream")

    def _answer(self, handler: BaseHTTPRequestHandler, status: int, payload: JSONDict) -> None:
        _write(handler, status, _json_bytes(payload), "application/json")

    def _parse_params(
        self, handler: BaseHTTPRequestHandler, split: SplitResult, body: bytes
    ) -> tuple[dict[str, Any], dict[str, UploadedFile], str]:
        raw: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        transport = "none"
        if split.query:
            raw.update(parse_qsl(split.query, keep_blank_values=True))
            transport = "query"
        content_type = handler.headers.get("Content-Type", "")
        mime = content_type.split(";")[0].strip().lower()
        if body:
            if mime == "application/x-www-form-urlencoded":
                raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
                transport = "form"
            elif mime == "multipart/form-data":
                boundary = _header_param(content_type, "boundary")
                if not boundary:
                    raise _bad_request("multipart boundary is missing")
                fields, files = _parse_multipart(body, boundary)
                raw.update(fields)
                transport = "multipart"
            elif mime == "application/json":
                try:
                    decoded = json.loads(body)
                except ValueError as exc:
                    raise _bad_request("can't parse JSON object") from exc
                if not isinstance(decoded, dict):
                    raise _bad_request("JSON object expected")
                raw.update(decoded)
                transport = "json"
        return {name: _decode_param(name, value) for name, value in raw.items()}, files, transport

    def _serve_api(
        self, handler: BaseHTTPRequestHandler, token: str, raw_method: str, split: SplitResult, body: bytes
    ) -> None:
        canonical = self._canonical.get(raw_method.lower())
        parse_error: _ApiError | None = None
        try:
            params, files, transport = self._parse_params(handler, split, body)
        except _ApiError as exc:
            params, files, transport, parse_error = {}, {}, "invalid", exc
        call = ApiCall(
            method=canonical or raw_method,
            params=params,
            files=files,
            transport=transport,
            http_method=handler.command,
        )
        with self._lock:
            self._calls.append(call)

        delay: _Delay | None = None
        if token != self._token:
            status, payload = 401, _ApiError(401, "Unauthorized").payload()
        elif canonical is None:
            status, payload = 404, _ApiError(404, "Not Found: method not found").payload()
        elif parse_error is not None:
            status, payload = parse_error.code, parse_error.payload()
        else:
            delay = self._take_delay(canonical)
            if delay is not None and not delay.then_accept:
                self._stop_event.wait(delay.seconds)
                with self._lock:
                    call.status = 0
                handler.close_connection = True
                return
            status, payload = self._execute(canonical, params, files)
        with self._lock:
            call.status = status
        if delay is not None:
            self._stop_event.wait(delay.seconds)
        self._answer(handler, status, payload)

    def _take_delay(self, method: str) -> _Delay | None:
        with self._lock:
            for delay in self._delays:
                if delay.method == method:
                    delay.remaining -= 1
                    if delay.remaining <= 0:
                        self._delays.remove(delay)
                    return delay
        return None

    def _take_fault(self, method: str, params: Mapping[str, Any]) -> _Fault | None:
        for fault in self._faults:
            if fault.method != method:
                continue
            if fault.chat_id is not None and not _same_chat(params.get("chat_id"), fault.chat_id):
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        return None

    def _execute(
        self, method: str, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> tuple[int, JSONDict]:
        with self._cond:
            fault = self._take_fault(method, params)
            if fault is not None:
                parameters = {"retry_after": fault.retry_after} if fault.retry_after is not None else None
                return fault.error_code, _ApiError(fault.error_code, fault.description, parameters).payload()
            try:
                result = self._dispatch[method](params, files)
            except _ApiError as exc:
                return exc.code, exc.payload()
            except Exception:  # a bug in the double must not hang the bot
                self._server_errors.append(traceback.format_exc())
                return 500, _ApiError(500, "Internal Server Error: BotApiDouble crashed").payload()
            return 200, {"ok": True, "result": result}

    # ---- internals: shared method helpers ------------------------------------------------------------

    def _lookup_chat(self, chat_id: object) -> _Chat:
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.username and chat.username.lower() == chat_id[1:].lower():
                    return chat
            raise _bad_request("chat not found")
        try:
            numeric = int(chat_id)  # type: ignore[call-overload]
        except (TypeError, ValueError) as exc:
            raise _bad_request("chat not found") from exc
        chat = self._chats.get(numeric)
        if chat is None:
            if self._strict_chats:
                raise _bad_request("chat not found")
            kind = "private" if numeric > 0 else "supergroup"
            chat = self._chats[numeric] = _Chat(
                id=numeric,
                type=kind,
                first_name=f"User {numeric}" if kind == "private" else None,
                title=None if kind == "private" else f"Group {numeric}",
            )
        return chat

    def _writable_chat(self, chat_id: object) -> _Chat:
        """The chat the bot acts in, or the 403 Telegram gives when it may not write there."""
        chat = self._lookup_chat(chat_id)
        if chat.type == "private" and chat.id in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.type != "private":
            status = self._members.get((chat.id, self._bot_id), {}).get("status")
            if status == "kicked":
                raise _ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
            if status == "left":
                raise _ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        return chat

    def _thread_id(self, chat: _Chat, params: Mapping[str, Any]) -> int | None:
        value = params.get("message_thread_id")
        if value is None:
            return None
        thread_id = int(value)
        topic = chat.topics.get(thread_id)
        if topic is not None and topic["is_deleted"]:
            raise _bad_request("message thread not found")
        return thread_id

    def _resolve_reply(
        self, chat: _Chat, params: Mapping[str, Any]
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
            raise _bad_request("message to be replied not found")
        if target is chat:
            return copy.deepcopy(found), None
        external: JSONDict = {
            "origin": self._origin(found),
            "chat": target.to_json(),
            "message_id": found["message_id"],
        }
        for kind in _MEDIA_KINDS:
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

    def _markup(self, chat: _Chat, params: Mapping[str, Any]) -> JSONDict | None:
        """Validate ``reply_markup``; return it when it is an inline keyboard (the only kind a
        Message carries); remember reply keyboards per chat."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, Mapping):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    if not isinstance(button, Mapping) or not button.get("text"):
                        raise _bad_request(
                            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                        )
                    if not _BUTTON_ACTIONS.intersection(button):
                        raise _bad_request(
                            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                        )
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                        raise _bad_request("BUTTON_DATA_INVALID")
            return copy.deepcopy(dict(markup))
        if "keyboard" in markup:
            chat.reply_keyboard = copy.deepcopy(dict(markup))
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        return None

    def _text_content(self, params: Mapping[str, Any]) -> JSONDict:
        raw = params.get("text")
        if raw is None or str(raw) == "":
            raise _bad_request("message text is empty")
        text, entities = _format(str(raw), params.get("parse_mode"), params.get("entities"))
        if not text:
            raise _bad_request("message text is empty")
        if _u16len(text) > 4096:
            raise _bad_request("message is too long")
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
        caption, entities = _format(str(raw), params.get("parse_mode"), params.get("caption_entities"))
        if _u16len(caption) > 1024:
            raise _bad_request("message caption is too long")
        content: JSONDict = {}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        if params.get("show_caption_above_media"):
            content["show_caption_above_media"] = True
        return content

    def _send(self, params: Mapping[str, Any], content: JSONDict, *, chat: _Chat | None = None) -> JSONDict:
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
            raise _bad_request(f"there is no {kind} in the request")
        if value.startswith(("http://", "https://")):
            name = value.rstrip("/").rpartition("/")[2] or None
            return self._new_media(kind, None, name if kind != "photo" else None, None, **extra)
        stored = self._files.get(value)
        if stored is None:
            # An id the double never issued may come from an earlier session (a logo kept in the
            # bot's config...): accept it like Telegram would and remember it from now on.
            return self._new_media(kind, None, None, None, file_id=value, **extra)
        if stored.kind != kind:
            raise _bad_request(f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}")
        return copy.deepcopy(stored.media)

    def _editable(self, params: Mapping[str, Any]) -> tuple[_Chat, JSONDict] | None:
        """The bot message an edit targets; ``None`` for inline messages (not stored)."""
        if params.get("inline_message_id") and params.get("chat_id") is None:
            return None
        chat = self._writable_chat(params.get("chat_id"))
        message_id = params.get("message_id")
        message = chat.messages.get(int(message_id)) if message_id is not None else None
        if message is None:
            raise _bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self._bot_id or message["message_id"] in chat.service_ids:
            raise _bad_request("message can't be edited")
        return chat, message

    @staticmethod
    def _not_modified() -> _ApiError:
        return _bad_request(
            "message is not modified: specified new message content and reply markup are exactly the "
            "same as a content and reply markup of the current message"
        )

    def _topic(self, chat: _Chat, params: Mapping[str, Any]) -> JSONDict:
        thread_id = params.get("message_thread_id")
        topic = chat.topics.get(int(thread_id)) if thread_id is not None else None
        if topic is None or topic["is_deleted"]:
            raise _bad_request("message thread not found")
        return topic

    def _forum_chat(self, params: Mapping[str, Any]) -> _Chat:
        chat = self._writable_chat(params.get("chat_id"))
        if not chat.is_forum:
            raise _bad_request("the chat is not a forum")
        return chat

    # ---- Bot API methods -------------------------------------------------------------------------------

    def _api_true(self, _params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        return True

    def _api_get_me(self, _params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_get_updates(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> list[JSONDict]:
        """Long polling with Telegram's semantics: ``offset`` confirms (drops) earlier updates, a
        negative offset keeps only the last ``-offset`` ones; the call waits up to ``timeout``
        seconds for an update; a newer concurrent call terminates this one with 409."""
        if self._webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
                "delete the webhook first",
            )
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        offset = int(params.get("offset") or 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), 60.0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()  # wakes an older pending poll, which then answers 409
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot "
                    "instance is running",
                )
            if self._webhook is not None:
                raise _ApiError(409, "Conflict: terminated by setWebhook request")
            remaining = deadline - time.monotonic()
            if self._updates or self._stopping or remaining <= 0:
                return copy.deepcopy(self._updates[:limit])
            self._cond.wait(remaining)

    def _api_set_webhook(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        url = params.get("url") or ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if not url:
            self._webhook = None
            return True
        if not str(url).startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {
            key: params[key]
            for key in ("url", "max_connections", "allowed_updates", "secret_token", "ip_address")
            if key in params
        }
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = [str(kind) for kind in params["allowed_updates"]]
        self._cond.notify_all()  # a pending getUpdates must now fail like on the server
        return True

    def _api_delete_webhook(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_get_webhook_info(self, _params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        info: JSONDict = {
            "url": (self._webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook:
            info["max_connections"] = int(self._webhook.get("max_connections", 40))
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        return info

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

    def _source_message(self, params: Mapping[str, Any], verb: str) -> JSONDict:
        source_chat = self._lookup_chat(params.get("from_chat_id"))
        message_id = params.get("message_id")
        source = source_chat.messages.get(int(message_id)) if message_id is not None else None
        if source is None:
            raise _bad_request(f"message to {verb} not found")
        if source["message_id"] in source_chat.service_ids or not (
            "text" in source or any(kind in source for kind in _MEDIA_KINDS)
        ):
            raise _bad_request(f"message can't be {verb}ed" if verb != "copy" else "message can't be copied")
        return source

    def _api_copy_message(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._writable_chat(params.get("chat_id"))
        source = self._source_message(params, "copy")
        content: JSONDict = {}
        if "text" in source:
            content["text"] = source["text"]
            if source.get("entities"):
                content["entities"] = copy.deepcopy(source["entities"])
        else:
            for kind in _MEDIA_KINDS:
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
        for key in ("text", "entities", "caption", "caption_entities", "has_media_spoiler", *_MEDIA_KINDS):
            if key in source:
                content[key] = copy.deepcopy(source[key])
        forward_params = {k: v for k, v in params.items() if k not in ("reply_markup", "reply_parameters")}
        return copy.deepcopy(self._send(forward_params, content, chat=chat))

    def _api_send_chat_action(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat = self._writable_chat(params.get("chat_id"))
        self._thread_id(chat, params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    def _api_get_file(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    def _api_edit_message_text(
        self, params: dict[str, Any], _files: dict[str, UploadedFile]
    ) -> JSONDict | bool:
        target = self._editable(params)
        if target is None:
            return True
        chat, message = target
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        content = self._text_content(params)
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        markup = self._markup(chat, params)
        if (
            content["text"] == message["text"]
            and content.get("entities", []) == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise self._not_modified()
        message["text"] = content["text"]
        for key in ("entities", "link_preview_options"):
            if key in content:
                message[key] = content[key]
            else:
                message.pop(key, None)
        self._set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _api_edit_message_caption(
        self, params: dict[str, Any], _files: dict[str, UploadedFile]
    ) -> JSONDict | bool:
        target = self._editable(params)
        if target is None:
            return True
        chat, message = target
        if not any(kind in message for kind in _MEDIA_KINDS):
            raise _bad_request("there is no caption in the message to edit")
        content = self._caption_content(params)
        markup = self._markup(chat, params)
        if (
            content.get("caption") == message.get("caption")
            and content.get("caption_entities", []) == message.get("caption_entities", [])
            and markup == message.get("reply_markup")
        ):
            raise self._not_modified()
        for key in ("caption", "caption_entities", "show_caption_above_media"):
            if key in content:
                message[key] = content[key]
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

    @staticmethod
    def _set_markup(message: JSONDict, markup: JSONDict | None) -> None:
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup

    def _api_delete_message(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat = self._lookup_chat(params.get("chat_id"))
        message_id = params.get("message_id")
        if message_id is None or chat.messages.pop(int(message_id), None) is None:
            raise _bad_request("message to delete not found")
        chat.deleted_ids.append(int(message_id))
        return True

    def _api_delete_messages(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat = self._lookup_chat(params.get("chat_id"))
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad_request("message_ids must be a non-empty array of at most 100 identifiers")
        for message_id in ids:
            if chat.messages.pop(int(message_id), None) is not None:
                chat.deleted_ids.append(int(message_id))
        return True

    def _api_answer_callback_query(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callback_queries or self._callback_queries[query_id] is not None:
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = {k: v for k, v in params.items() if k != "callback_query_id"}
        return True

    def _api_set_my_commands(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, Mapping) or not _COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        if commands:
            self._commands[key] = [
                {"command": str(c["command"]), "description": str(c["description"])} for c in commands
            ]
        else:
            self._commands.pop(key, None)
        return True

    def _api_get_my_commands(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> list[JSONDict]:
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return copy.deepcopy(self._commands.get(key, []))

    def _api_delete_my_commands(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        self._commands.pop(
            (self._scope_key(params.get("scope")), str(params.get("language_code") or "")), None
        )
        return True

    def _set_text_setting(
        self, store: dict[str, str], params: Mapping[str, Any], key: str, limit: int
    ) -> bool:
        value = str(params.get(key) or "")
        if len(value) > limit:
            raise _bad_request(f"{key} is too long")
        language = str(params.get("language_code") or "")
        if value:
            store[language] = value
        else:
            store.pop(language, None)
        return True

    def _api_set_my_description(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        return self._set_text_setting(self._descriptions, params, "description", 512)

    def _api_get_my_description(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        return {"description": self._descriptions.get(str(params.get("language_code") or ""), "")}

    def _api_set_my_short_description(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        return self._set_text_setting(self._short_descriptions, params, "short_description", 120)

    def _api_get_my_short_description(
        self, params: dict[str, Any], _files: dict[str, UploadedFile]
    ) -> JSONDict:
        return {"short_description": self._short_descriptions.get(str(params.get("language_code") or ""), "")}

    def _api_set_my_name(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        return self._set_text_setting(self._names, params, "name", 64)

    def _api_get_my_name(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        language = str(params.get("language_code") or "")
        return {"name": self._names.get(language) or (BOT_FIRST_NAME if not language else "")}

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
            raise _bad_request("invalid user_id specified") from exc
        configured = dict(self._members.get((chat.id, user_id), {"status": "member"}))
        status = str(configured.pop("status"))
        if user_id == self._bot_id:
            user = self.bot_user
        elif user_id in self._users:
            user = self._users[user_id].to_json()
        else:
            user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        defaults: dict[str, JSONDict] = {
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
        return {"user": user, "status": status, **defaults.get(status, {}), **configured}

    def _api_create_forum_topic(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._forum_chat(params)
        name = str(params.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise _bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        thread_id = chat.allocate_message_id()
        topic: JSONDict = {
            "message_thread_id": thread_id,
            "name": name,
            "icon_color": int(params.get("icon_color") or _DEFAULT_TOPIC_COLOR),
        }
        if params.get("icon_custom_emoji_id"):
            topic["icon_custom_emoji_id"] = str(params["icon_custom_emoji_id"])
        created = {k: v for k, v in topic.items() if k != "message_thread_id"}
        self._store_message(
            chat,
            self.bot_user,
            {"forum_topic_created": created},
            thread_id,
            None,
            message_id=thread_id,
            service=True,
        )
        chat.topics[thread_id] = {**topic, "is_closed": False, "is_deleted": False}
        return topic

    def _topic_service_message(self, chat: _Chat, topic: JSONDict, content: JSONDict) -> None:
        self._store_message(chat, self.bot_user, content, topic["message_thread_id"], None, service=True)

    def _api_edit_forum_topic(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat = self._forum_chat(params)
        topic = self._topic(chat, params)
        changes: JSONDict = {}
        if params.get("name") and params["name"] != topic["name"]:
            changes["name"] = str(params["name"])
        if "icon_custom_emoji_id" in params and params["icon_custom_emoji_id"] != topic.get(
            "icon_custom_emoji_id", ""
        ):
            changes["icon_custom_emoji_id"] = str(params["icon_custom_emoji_id"])
        if not changes:
            raise _bad_request("TOPIC_NOT_MODIFIED")
        topic.update(changes)
        self._topic_service_message(chat, topic, {"forum_topic_edited": changes})
        return True

    def _api_close_forum_topic(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat = self._forum_chat(params)
        topic = self._topic(chat, params)
        if topic["is_closed"]:
            raise _bad_request("TOPIC_NOT_MODIFIED")
        topic["is_closed"] = True
        self._topic_service_message(chat, topic, {"forum_topic_closed": {}})
        return True

    def _api_reopen_forum_topic(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        chat = self._forum_chat(params)
        topic = self._topic(chat, params)
        if not topic["is_closed"]:
            raise _bad_request("TOPIC_NOT_MODIFIED")
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
