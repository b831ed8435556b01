"""``parse_mode=HTML`` as the server applies it, for the tags the bot writes (``bot/telegram/render.py``):
plain text plus entities, with the server's strictness (an unescaped ``<`` or a stray tag is a 400), then
trimmed. And the ``bot_command`` entity Telegram puts on a user's leading ``/command``."""

from __future__ import annotations

import re

from tests.support.botapi.state import ApiError, bad_request, u16len
from tests.support.botapi.values import JSONDict

_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "code": "code", "a": "text_link"}
_CHARREF = re.compile(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot);")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_HREF = re.compile(r"""\s+href\s*=\s*("[^"]*"|'[^']*')\s*""")


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def _charref(ref: str) -> str:
    named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
    if ref in named:
        return named[ref]
    return chr(int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:]))


def _unescape(value: str) -> str:
    return _CHARREF.sub(lambda m: _charref(m.group(1)), value)


def parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Any ``<`` must open a supported tag, tags must nest and be closed; error texts are the server's."""
    out: list[str] = []
    pos = 0  # in UTF-16 code units, the unit of entity offsets
    entities: list[JSONDict] = []
    stack: list[tuple[str, int, str | None]] = []  # tag, start, href
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            match = _CHARREF.match(text, i)
            decoded = _charref(match.group(1)) if match else "&"
            out.append(decoded)
            pos += u16len(decoded)
            i = match.end() if match else i + 1
            continue
        if char != "<":
            out.append(char)
            pos += u16len(char)
            i += 1
            continue
        at = len(text[:i].encode("utf-8"))
        end = text.find(">", i)
        if text.startswith("</", i):
            if end == -1:
                raise _parse_error(f"Unclosed end tag at byte offset {at}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise _parse_error(f"Unexpected end tag at byte offset {at}")
            tag, start, href = stack.pop()
            if name and name != tag:
                raise _parse_error(
                    f'Unmatched end tag at byte offset {at}, expected "</{tag}>", found "</{name}>"'
                )
            if pos > start and (tag != "a" or href):
                entity: JSONDict = {"offset": start, "length": pos - start, "type": _TAGS[tag]}
                if href:
                    entity["url"] = href
                entities.append(entity)
            i = end + 1
            continue
        name_match = _TAG_NAME.match(text, i + 1)
        name = name_match.group(0).lower() if name_match else ""
        if name not in _TAGS:
            raise _parse_error(f'Unsupported start tag "{name}" at byte offset {at}')
        if end == -1:
            raise _parse_error(f"Unclosed start tag at byte offset {at}")
        attributes = text[i + 1 + len(name) : end]
        href = None
        if name == "a" and (found := _HREF.fullmatch(attributes)):
            href = _unescape(found.group(1)[1:-1])
        elif attributes.strip():
            raise _parse_error(f'Unexpected attributes of the tag "{name}" at byte offset {at}')
        stack.append((name, pos, href))
        i = end + 1
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), entities


def trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """The server strips leading and trailing whitespace and shifts or clips the entities accordingly."""
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


def format_text(text: str, parse_mode: object) -> tuple[str, list[JSONDict]]:
    """Plain text and entities of a message text, as the server stores them."""
    if parse_mode in (None, ""):
        return trim(text, [])
    if str(parse_mode).lower() != "html":
        raise bad_request(
            f"unsupported parse_mode {parse_mode!r}: the bot writes HTML (the double knows no other)"
        )
    return trim(*parse_html(text))


def command_entities(text: str) -> list[JSONDict]:
    """Telegram marks a leading ``/command`` (with an optional ``@botname``) as ``bot_command``."""
    match = re.match(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?", text)
    if not match:
        return []
    return [{"offset": 0, "length": u16len(match.group(0)), "type": "bot_command"}]
