"""Cross-validation of the whole understanding over the corpus of whole messages (`intents/corpus/`).

    .venv/bin/python -m bot.understanding.crossval [folds] [--failures N]

The corpus was written blind, like the test tables, but it is training data: to measure how the pipeline
does on messages it has not seen, each fold of the corpus is left out in turn, the models are trained on the
phrases of `intents/` and the other folds, and the whole pipeline (normalisation, facts, classifier, rules)
reads the messages of the fold left out. Intent, out-of-scope precision and recall, stage recall and slot F1
are counted as `evaluate.py` counts them on the test tables (the corpus's `slots` are the expected facts).

This is the measure used to choose features, regularisation and rules beside the development table
(tests/understanding/dev.yaml); the held-out table is never used to choose.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

from bot.catalog.loader import load_catalog
from bot.catalog.yamlfile import load_trusted
from bot.understanding.corpus import ABOUT_A_BUSINESS, NO_STAGE
from bot.understanding.data import _with_corpus, load_language_data
from bot.understanding.evaluate import HEADER, ROOT, Report, evaluate, network_of, table_row
from bot.understanding.understand import Understander


def corpus_cases(directory: Path) -> list[dict[str, object]]:
    """Every corpus message as a test case: text, lang, intent, network and its slots (and its `file`)."""
    cases = []
    for path in sorted((directory / "corpus").glob("*.yaml")):
        for example in load_trusted(path.read_text(encoding="utf-8"))["examples"]:
            case = {k: v for k, v in example.items() if k != "slots"}
            case.update(example.get("slots") or {})
            case["file"] = path.name
            cases.append(case)
    return cases


def crossvalidate(folds: int = 5, seed: int = 7, only: str | None = None) -> tuple[Report, dict[str, Report]]:
    """Out-of-fold reports (all, per language); with `only`, just that corpus file is split in folds and
    measured, the other files always train (so that adding a file does not move the measure)."""
    directory = ROOT / "intents"
    cases = corpus_cases(directory)
    rng = random.Random(seed)  # noqa: S311 - a reproducible split, not a secret
    order = list(range(len(cases)))
    rng.shuffle(order)
    fold_of = {index: position % folds for position, index in enumerate(order)}
    if only is not None:
        fold_of = {i: (f if cases[i]["file"] == only else -1) for i, f in fold_of.items()}
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "intents"
        bare.mkdir()
        for path in directory.glob("*.yaml"):
            shutil.copy(path, bare / path.name)  # the language files without the corpus
        catalogs = {name: load_catalog(ROOT / "catalog" / name) for name in ("quebec", "algerie")}
        base = {name: load_language_data(bare, catalog)[0] for name, catalog in catalogs.items()}
        everything = Report()
        by_lang: dict[str, Report] = defaultdict(Report)
        for fold in range(folds):
            training: dict[str, dict[str, list[str]]] = {}
            stages: dict[str, dict[str, list[str]]] = {}  # the learned stage fallback's, of the same folds
            tested = []
            for index, case in enumerate(cases):
                if fold_of[index] == fold:
                    tested.append(case)
                else:
                    lang, intent = str(case["lang"]), str(case["intent"])
                    training.setdefault(lang, {}).setdefault(intent, []).append(str(case["text"]))
                    if intent in ABOUT_A_BUSINESS:
                        stage = str(case.get("stage") or NO_STAGE)
                        stages.setdefault(lang, {}).setdefault(stage, []).append(str(case["text"]))
            understanders = {
                name: Understander(
                    {
                        lang: _with_corpus(data, training.get(lang, {}), stages.get(lang, {}))
                        for lang, data in base[name].items()
                    },
                    catalogs[name],
                )
                for name in catalogs
            }
            for case in tested:
                report = evaluate([case], understanders[network_of(case)])
                for target in (everything, by_lang[str(case["lang"])]):
                    target.merge(report)
    return everything, by_lang


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.understanding.crossval", description=__doc__)
    parser.add_argument("folds", nargs="?", type=int, default=5)
    parser.add_argument("--failures", type=int, default=0, help="how many failures to print")
    parser.add_argument("--only", help="split and measure only this corpus file (e.g. written.yaml)")
    args = parser.parse_args(argv)
    os.environ.setdefault("AIGUILLEUR_MODEL_CACHE", str(Path(tempfile.gettempdir()) / "aiguilleur-cv"))
    everything, by_lang = crossvalidate(args.folds, only=args.only)
    print(f"corpus, {args.folds}-fold cross-validation of the whole pipeline")
    print(HEADER)
    print(table_row("all", "ours", everything, slots=True))
    for lang in ("fr", "en", "ar"):
        if lang in by_lang:
            print(table_row(lang, "ours", by_lang[lang], slots=True))
    for slot in ("stage", "sector", "region", "needs"):
        p, r, f = everything.f1(slot)
        print(f"    {slot:7} precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    for failure in everything.failures[: args.failures]:
        print(f"  {failure}")


if __name__ == "__main__":
    main()
