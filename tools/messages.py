"""Re-extract the user-facing strings into `locales/*.po` after changing them in the code.

English (the source language) is filled from the code; French (and Arabic) strings left empty or fuzzy
are what translators fill in. The translation tests fail until they are.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.frontend import CommandLineInterface

from tools.fill_source_language import fill

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
TEMPLATE = LOCALES / "messages.pot"
KEYWORDS = ["-k", "_h", "-k", "_u"]  # gettext of the hub's language and of the entrepreneur's, in handoff.py
LANGUAGES = ("fr", "en", "ar")


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def main() -> None:
    pybabel(
        "extract",
        "-F",
        str(ROOT / "pyproject.toml"),
        *KEYWORDS,
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(TEMPLATE),
        str(ROOT / "bot"),
    )
    for lang in LANGUAGES:
        if not (LOCALES / lang / "LC_MESSAGES" / "messages.po").exists():
            pybabel("init", "-i", str(TEMPLATE), "-d", str(LOCALES), "-l", lang, "--no-wrap")
    pybabel("update", "-i", str(TEMPLATE), "-d", str(LOCALES), "--no-wrap", "--ignore-obsolete")
    print(f"English: {fill(LOCALES / 'en' / 'LC_MESSAGES' / 'messages.po')} strings filled from the source")


if __name__ == "__main__":
    main()
