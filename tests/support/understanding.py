"""What the understanding layer makes of one message, with the sample network's data: the tests' one way in."""

from __future__ import annotations

from bot.understanding.evaluate import understander
from bot.understanding.understanding import Understanding


def heard(text: str, lang: str | None = None, network: str = "quebec") -> Understanding:
    """`text` read in `lang` (None: detected, as for a first message) by `network`'s understander."""
    return understander(network).understand(text, lang)
