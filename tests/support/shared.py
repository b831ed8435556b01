"""Catalogs and language data loaded once per test process, for the folders no test edits (the mini network
and the sample networks): a test's bot or dialogue built on them skips the YAML, the validation and the
understanding models' preparation. A test that edits a catalog copies it first and loads its copy."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from bot.catalog.loader import load_catalog
from bot.catalog.model import Catalog
from tests.support.personas import MINI, QUEBEC, ROOT

READ_ONLY = frozenset({MINI, QUEBEC, ROOT / "catalog" / "algerie"})


@cache
def catalog(directory: Path) -> Catalog:
    """Catalogs are immutable (what is cached on them is derived from them), so one load is safe to share."""
    return load_catalog(directory)


@cache
def language_data(directory: Path) -> dict[str, Any]:
    from bot.understanding.data import load_language_data

    data, _problems = load_language_data(ROOT / "intents", catalog(directory))
    return data


_BY_CONTENT: dict[str, tuple[dict[str, Any], Any]] = {}


def content_key(directory: Path) -> str:
    """A digest of every file of a catalog folder (names and bytes): two copies of the same catalog share it."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(directory).rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def catalog_of_copy(directory: Path, key: str) -> tuple[Catalog, dict[str, Any] | None]:
    """A copy's catalog, loaded, and the language data a bot built for a catalog of the same content in this
    process, if any; the catalog then already holds that bot's understander.

    Most end-to-end tests run on a copy of the mini network (edited or not): building the language data and
    the understander for each copy cost about 0.3 s of CPU per test. Both depend only on the catalog's content
    and `intents/`, and the understander keeps no reference to its catalog (only its places' words), so the
    copy gets the earlier one, kept where `Dialogue.prepare` looks for it."""
    catalog = load_catalog(directory)
    earlier = _BY_CONTENT.get(key)
    if earlier is None:
        return catalog, None
    data, understander = earlier
    catalog.__dict__["_understander"] = (data, understander)
    return catalog, data


def keep_copy(key: str, data: dict[str, Any], catalog: Catalog) -> None:
    """Remember what a bot built for a copy's content (after `Dialogue.prepare` ran on its catalog)."""
    cached = catalog.__dict__.get("_understander")
    if cached is not None and cached[0] is data:
        _BY_CONTENT.setdefault(key, (data, cached[1]))


def fewer_phrases(data: dict[str, Any], per_intent: int = 20) -> dict[str, Any]:
    """The language data with only the first phrases of each intent: the synonyms, negations and places stay
    whole. For tests of how models are trained, cached and taught, not of what they understand: training on
    it takes a fraction of a second instead of several."""
    return {
        lang: language.model_copy(
            update={"intents": {name: phrases[:per_intent] for name, phrases in language.intents.items()}}
        )
        for lang, language in data.items()
    }
