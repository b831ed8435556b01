"""Translations and locale formatting.

The `.po` files under `locales/` are compiled in memory at start-up (no `.mo` to forget to rebuild), and
each conversation gets its own `Translations` object passed explicitly: no global locale that could leak
from one user's update to the next.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}


def language_name(lang: str) -> str:
    """A language's name in that language, for the language switch buttons."""
    return LANGUAGE_NAMES.get(lang) or Locale.parse(lang).get_display_name(lang) or lang


# Compiled translations by file and version: an I18n built again in the same process (the terminal chat
# restarted, each test's bot) reuses them. Translations are only read once built, so sharing is safe.
_COMPILED: dict[tuple[Path, int, int], Translations] = {}


def compile_po(path: Path) -> Translations:
    """Compile one `.po` file to an in-memory `Translations` (once per version of the file); fuzzy entries
    are left out."""
    stat = path.stat()
    key = (path.resolve(), stat.st_mtime_ns, stat.st_size)
    if (compiled := _COMPILED.get(key)) is None:
        compiled = _COMPILED[key] = _compile(path)
    return compiled


def _compile(path: Path) -> Translations:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


class I18n:
    """The translations of every language that has a `.po` file."""

    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self._translations: dict[str, Translations] = {}
        for po in sorted(locales_dir.glob("*/LC_MESSAGES/messages.po")):
            self._translations[po.parent.parent.name] = compile_po(po)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._translations)

    def get(self, lang: str) -> NullTranslations:
        """The translations for `lang`; the source (English) text when the language is unknown."""
        return self._translations.get(lang) or NullTranslations()


def pick_language(language_code: str | None, offered: tuple[str, ...], default: str) -> str:
    """The user's Telegram language if the network offers it (fr-CA -> fr), else the network's default."""
    if language_code:
        base = language_code.replace("_", "-").split("-")[0].lower()
        if base in offered:
            return base
    return default


def long_date(day: dt.date, locale: str) -> str:
    """A date as people of `locale` write it: 15 mars 2027, March 15, 2027."""
    return format_date(day, format="long", locale=locale)


def number(value: int, locale: str) -> str:
    """A whole number as people of `locale` write it: 1 000, 1,000, ١٬٠٠٠ (babel's CLDR data)."""
    return format_decimal(value, locale=locale)
