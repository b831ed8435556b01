"""The languages an entrepreneur can be spoken to in, and switching to one."""

from __future__ import annotations

from bot.catalog.model import Catalog
from bot.core import freetext
from bot.core.text import plain
from bot.core.turn import Turn
from bot.i18n import I18n, language_name


def offered(i18n: I18n, catalog: Catalog) -> tuple[str, ...]:
    """The network's languages that have translations."""
    return tuple(lang for lang in catalog.languages if lang in i18n.languages) or (catalog.default_language,)


def switch(turn: Turn, i18n: I18n, lang: str) -> None:
    """Speak `lang` from now on, and ask the open question again in it."""
    turn.update(lang=lang)
    turn.tr = i18n.get(lang)
    turn.say((plain(turn._("Done: I will speak {language}.").format(language=language_name(lang))),))
    freetext.reask(turn)
