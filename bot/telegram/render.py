"""Rendering the core's rich text for Telegram: escaped HTML, messages split under the length limit.

Every value is escaped here, once, so user text, names and catalog fields can never inject markup.
Splitting happens on the spans before any tag is written, so a tag never straddles two messages.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.core.text import Rich, Span
from bot.core.types import Button

SAFE_SCHEMES = ("https://", "http://", "mailto:", "tg://")


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def span_html(span: Span) -> str:
    text = html.escape(span.text)
    if span.style == "bold":
        return f"<b>{text}</b>"
    if span.style == "italic":
        return f"<i>{text}</i>"
    if span.style == "code":
        return f"<code>{text}</code>"
    if span.style == "link" and span.url and span.url.startswith(SAFE_SCHEMES):
        return f'<a href="{html.escape(span.url)}">{text}</a>'
    return text


def to_html(text: Rich) -> str:
    return "".join(span_html(span) for span in text)


def _cut(text: str, limit: int) -> int:
    """Where to cut `text` so its first part fits `limit` UTF-16 units: at a newline, else a space."""
    end = len(text)
    while utf16_len(text[:end]) > limit:
        end -= max(1, (utf16_len(text[:end]) - limit) // 2)
    for separator in ("\n", " "):
        position = text.rfind(separator, 0, end)
        if position > end // 2:
            return position + 1
    return end


def split(text: Rich, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[Rich]:
    """Split rich text into chunks of at most `limit` visible characters, never losing a character."""
    chunks: list[list[Span]] = [[]]
    room = limit
    for span in text:
        rest = span.text
        while utf16_len(rest) > room:
            cut = _cut(rest, room) if room > 0 else 0
            if cut:
                chunks[-1].append(Span(rest[:cut], span.style, span.url))
                rest = rest[cut:]
            chunks.append([])
            room = limit
        if rest:
            chunks[-1].append(Span(rest, span.style, span.url))
            room -= utf16_len(rest)
    return [tuple(chunk) for chunk in chunks if chunk]


def keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Inline keyboard from button data; callback data must fit Telegram's 64 bytes."""
    if not rows:
        return None
    for row in rows:
        for button in row:
            size = len(button.data.encode())
            if size > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
                raise ValueError(f"callback data '{button.data}' is {size} bytes, over Telegram's 64")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
    )
