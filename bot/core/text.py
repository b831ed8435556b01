"""Rich text as plain data: what the core says, without HTML or any transport's syntax.

The core builds messages from spans; each adapter renders them (HTML for Telegram, plain text for the
terminal) and escapes every value there, once. A translation may place `{name}` anywhere; `fmt` keeps the
styled value a span so a translator never sees or breaks markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter
from typing import Literal

Style = Literal["plain", "bold", "italic", "code", "link"]


@dataclass(frozen=True)
class Span:
    """A run of text in one style; `url` only for links."""

    text: str
    style: Style = "plain"
    url: str | None = None


Rich = tuple[Span, ...]


def plain(text: str) -> Span:
    return Span(text)


def bold(text: str) -> Span:
    return Span(text, "bold")


def italic(text: str) -> Span:
    return Span(text, "italic")


def link(text: str, url: str) -> Span:
    return Span(text, "link", url)


def fmt(template: str, **values: str | Span | Rich) -> Rich:
    """Fill `{name}` fields of a translated template, keeping styled values as their own spans."""
    spans: list[Span] = []
    for literal, field, _spec, _conv in Formatter().parse(template):
        if literal:
            spans.append(Span(literal))
        if field is not None:
            _append(spans, values[field])
    return tuple(spans)


def lines(*parts: str | Span | Rich) -> Rich:
    """Join parts as separate lines."""
    spans: list[Span] = []
    for index, part in enumerate(parts):
        if index:
            spans.append(Span("\n"))
        _append(spans, part)
    return tuple(spans)


def _append(spans: list[Span], part: str | Span | Rich) -> None:
    """Add plain text, a span or rich text to `spans`."""
    if isinstance(part, Span):
        spans.append(part)
    elif isinstance(part, tuple):
        spans.extend(part)
    else:
        spans.append(Span(part))


def as_plain(text: Rich) -> str:
    """The text without styles; links show their address after the label."""
    out = []
    for span in text:
        if span.style == "link" and span.url and span.url != span.text:
            out.append(f"{span.text} ({span.url})")
        else:
            out.append(span.text)
    return "".join(out)
