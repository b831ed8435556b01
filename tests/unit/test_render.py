"""Telegram rendering: escaped HTML, splitting under the limit without losing a character."""

from __future__ import annotations

import pytest

from bot.core.text import Span, as_plain, bold, fmt, link, plain
from bot.core.types import Button
from bot.telegram.render import keyboard, split, to_html, utf16_len


def test_every_value_is_escaped() -> None:
    hostile = '<b>x</b> & <a href="javascript:alert(1)">y</a> \u202e'
    rendered = to_html(fmt("Question: {q}", q=bold(hostile)))
    assert rendered == (
        "Question: <b>&lt;b&gt;x&lt;/b&gt; &amp; &lt;a href=&quot;javascript:alert(1)&quot;&gt;y&lt;/a&gt; \u202e</b>"
    )


def test_links_only_for_safe_schemes() -> None:
    assert (
        to_html((link("site", 'https://ex.org/?a=1&b="2"'),))
        == '<a href="https://ex.org/?a=1&amp;b=&quot;2&quot;">site</a>'
    )
    assert to_html((link("bad", "javascript:alert(1)"),)) == "bad"


def test_long_text_is_split_never_cut() -> None:
    text = (bold("Titre"), plain("\n" + ("mot " * 3000)), plain("🙂" * 3000))
    chunks = split(text)
    assert len(chunks) == 5  # 18,006 UTF-16 units
    assert all(utf16_len(as_plain(c)) <= 4096 for c in chunks)
    assert "".join(as_plain(c) for c in chunks) == as_plain(text)
    assert all("<b>" not in to_html(c) or to_html(c).count("<b>") == to_html(c).count("</b>") for c in chunks)


def test_one_unbreakable_word_is_still_split() -> None:
    chunks = split((Span("x" * 9000),))
    assert [len(as_plain(c)) for c in chunks] == [4096, 4096, 808]


def test_keyboard_refuses_oversized_callback_data() -> None:
    assert keyboard(()) is None
    markup = keyboard(((Button("Oui", "fg:yes"), Button("Non", "fg:no")),))
    assert markup is not None and markup.inline_keyboard[0][1].callback_data == "fg:no"
    with pytest.raises(ValueError, match="over Telegram's 64"):
        keyboard(((Button("é", "é" * 33),),))
