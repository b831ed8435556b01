"""Loading and checking `intents/<lang>.yaml`, with every problem as `PATH:LINE: message`.

Checked: the file's shape, intents the bot does not know or that are missing, codes the catalog
does not know, the same phrase under two intents, the same synonym for two codes. A code this catalog does not use is a
warning: one language file serves every network.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.catalog.loader import check_file
from bot.catalog.model import Catalog
from bot.catalog.yamlfile import Problem, YamlDoc
from bot.understanding.corpus import load_corpus_and_stages
from bot.understanding.lexicon import SLOT_DIMENSIONS
from bot.understanding.normalize import normalize
from bot.understanding.schema import INTENTS, LanguageFile


@contextmanager
def no_collections() -> Iterator[None]:
    """The cyclic garbage collector paused while start-up builds many small objects that all live on: its
    full collections would scan the whole catalog again and again (about a quarter of the understanding's
    load time beside a 10,000-entry catalog). Left as the caller had it (a catalog reload pauses it too)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def load_language_data(directory: Path, catalog: Catalog) -> tuple[dict[str, LanguageFile], list[Problem]]:
    """Every valid language file of `directory`, and the problems of all of them."""
    with no_collections():
        return _load_language_data(directory, catalog)


def _load_language_data(directory: Path, catalog: Catalog) -> tuple[dict[str, LanguageFile], list[Problem]]:
    data: dict[str, LanguageFile] = {}
    problems: list[Problem] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        checked = check_file(path, LanguageFile, problems)
        if checked is None:
            continue
        parsed, doc = checked
        found = list(_check(parsed, doc, path, catalog))
        problems.extend(found)
        if not any(p.severity == "error" for p in found):
            data[parsed.language] = parsed
    corpus, stages, found = load_corpus_and_stages(directory)
    problems.extend(found)
    return {
        lang: _with_corpus(parsed, corpus.get(lang, {}), stages.get(lang, {}))
        for lang, parsed in data.items()
    }, problems


def _with_corpus(
    data: LanguageFile, messages: dict[str, list[str]], stages: dict[str, list[str]] | None = None
) -> LanguageFile:
    """The language file with the corpus's messages added to their intents' examples (a message already
    given as a phrase, or under another intent in the phrases, is left out: the phrases decide), and the
    stage of its messages about a business for the learned stage fallback."""
    phrases = {normalize(p) for examples in data.intents.values() for p in examples}
    if not messages:
        return data.with_stage_messages(stages) if stages else data
    intents = {
        intent: [*examples, *(m for m in messages.get(intent, ()) if normalize(m) not in phrases)]
        for intent, examples in data.intents.items()
    }
    return data.model_copy(update={"intents": intents}).with_stage_messages(stages or {})


def _check(data: LanguageFile, doc: YamlDoc, path: Path, catalog: Catalog) -> list[Problem]:
    problems = []

    def error(loc: tuple[str | int, ...], message: str, severity: str = "error") -> None:
        prefix = "warning: " if severity == "warning" else ""
        problems.append(Problem(path, lambda: doc.line_of(loc), prefix + message, severity))

    if data.language != path.stem:
        error(("language",), f"language '{data.language}' does not match the file name {path.name}")
    for intent in data.intents:
        if intent not in INTENTS:
            error(("intents", intent), f"intent '{intent}' is not one of {', '.join(INTENTS)}")
    for intent in INTENTS:
        if intent not in data.intents:
            error(("intents",), f"intent '{intent}' has no example")
    seen: dict[str, str] = {}
    for intent, phrases in data.intents.items():
        for index, phrase in enumerate(phrases):
            key = normalize(phrase)
            if key in seen and seen[key] != intent:
                error(("intents", intent, index), f"'{phrase}' is also an example of '{seen[key]}'")
            seen.setdefault(key, intent)
    codes: dict[str, tuple[str, str]] = {}
    for slot in ("stage", "sector", "need"):
        for code, phrases in getattr(data.synonyms, slot).items():
            if not catalog.has_code(SLOT_DIMENSIONS[slot], code):
                known = ", ".join(t.code for t in catalog.terms(SLOT_DIMENSIONS[slot]))
                error(("synonyms", slot, code), f"{slot} '{code}' is not one of {known}: ignored", "warning")
            for index, phrase in enumerate(phrases):
                key = normalize(phrase)
                if key in codes and codes[key] != (slot, code):
                    other = codes[key]
                    error(
                        ("synonyms", slot, code, index), f"'{phrase}' already means {other[0]} '{other[1]}'"
                    )
                codes.setdefault(key, (slot, code))
    for code in data.paired_needs:
        if not catalog.has_code(SLOT_DIMENSIONS["need"], code):
            known = ", ".join(t.code for t in catalog.terms(SLOT_DIMENSIONS["need"]))
            error(("paired_needs", code), f"need '{code}' is not one of {known}: ignored", "warning")
    return problems
