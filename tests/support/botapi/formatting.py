"""Formatting like the server does it: ``parse_mode`` (HTML, MarkdownV2, legacy Markdown) turned
into plain text plus entities, with Telegram's strictness and error texts, then trimmed."""

from __future__ import annotations

import re
from collections.abc import Mapping

from tests.support.botapi.common import ApiError, bad_request, u16len
from tests.support.botapi.values import JSONDict


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


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
            pos += u16len(decoded)
            i = match.end() if match else i + 1
            continue
        if char != "<":
            out.append(char)
            pos += u16len(char)
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
        pos += u16len(chunk)

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
        pos += u16len(chunk)

    def unclosed(at: int) -> ApiError:
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
    lead = u16len(text[: len(text) - len(text.lstrip())])
    limit = u16len(stripped)
    kept: list[JSONDict] = []
    for entity in entities:
        start = max(0, int(entity["offset"]) - lead)
        end = min(limit, int(entity["offset"]) + int(entity["length"]) - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    kept.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, kept


def format_text(text: str, parse_mode: object, entities: object) -> tuple[str, list[JSONDict]]:
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
    raise bad_request("unsupported parse_mode")


def command_entities(text: str) -> list[JSONDict]:
    """Telegram marks a leading ``/command`` (with an optional ``@botname``) as ``bot_command``."""
    match = re.match(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?", text)
    if not match:
        return []
    return [{"offset": 0, "length": u16len(match.group(0)), "type": "bot_command"}]
