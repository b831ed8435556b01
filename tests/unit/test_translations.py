"""Translations: French and English complete, up to date with the code, placeholders intact."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.support.personas import ROOT
from tools.messages import KEYWORDS

LOCALES = ROOT / "locales"
FIELD = re.compile(r"\{(\w*)\}")


def catalog(lang: str):
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def extracted(tmp_path: Path) -> set[str]:
    out = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "pyproject.toml",
            *KEYWORDS,
            "-o",
            str(out),
            "bot",
        ],
        cwd=ROOT,
        check=True,
    )
    with out.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_every_message_of_the_code_is_translated(lang: str, tmp_path: Path) -> None:
    po = catalog(lang)
    translated = {}
    for message in po:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings) and not message.fuzzy:
            translated[key] = strings
    missing = extracted(tmp_path) - set(translated)
    assert not missing, f"run `make messages` and translate into {lang}: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_translations_keep_their_placeholders(lang: str) -> None:
    for message in catalog(lang):
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[1]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert set(FIELD.findall(string)) == set(FIELD.findall(source)), (message.id, string)
