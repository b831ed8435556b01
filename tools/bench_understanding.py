"""Benchmark understanding: 10,000 messages against a 1,000-place gazetteer, and the command's cold start.

Prints the load time of the language data (lexicon + intent model read from the model cache), the time to
train the model when the cache is cold (scikit-learn imported and fitted), p50/p99 latency per message, and
the cold start of `aiguilleur understand` (a script may run it once per message). Medians of several runs.

    .venv/bin/python -m tools.bench_understanding [messages] [runs]
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.catalog.loader import load_catalog
from bot.understanding import classifier
from bot.understanding.data import load_language_data
from bot.understanding.evaluate import load_cases
from bot.understanding.understand import Understander
from tools.bench_catalog import TODAY, percentile, synthetic_catalog

ROOT = Path(__file__).resolve().parent.parent


def messages(count: int, places: list[str]) -> list[tuple[str, str]]:
    """The regression table's texts, plus variants naming random towns of the synthetic gazetteer."""
    rng = random.Random(3)
    cases = [(str(c["text"]), str(c["lang"])) for c in load_cases() if c["lang"] != "ar"]
    out = []
    for n in range(count):
        text, lang = cases[n % len(cases)]
        if n % 3 == 0:
            text = f"{text} à {rng.choice(places)}"
        out.append((text, lang))
    return out


def main(count: int = 10_000, runs: int = 3) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        synthetic_catalog(folder, 10_000, 1_000)
        catalog = load_catalog(folder, today=TODAY)
        cache = Path(tmp) / "model-cache"
        previous = os.environ.get("AIGUILLEUR_MODEL_CACHE")
        os.environ["AIGUILLEUR_MODEL_CACHE"] = str(cache)
        classifier._MEMORY.clear()
        start = time.perf_counter()
        data, _problems = load_language_data(ROOT / "intents", catalog)
        Understander(data, catalog).read_all()
        training = time.perf_counter() - start  # cold cache: scikit-learn imported, every language fitted
        loads, extras = [], []
        for _ in range(runs):
            classifier._MEMORY.clear()  # read the disk cache, as a fresh process does
            start = time.perf_counter()
            data, _problems = load_language_data(ROOT / "intents", catalog)
            understander = Understander(data, catalog)
            loads.append(time.perf_counter() - start)
            start = time.perf_counter()
            understander.read_all()  # what the bot's start-up adds: Arabic, read but not answered in here
            extras.append(time.perf_counter() - start)
        if previous is None:
            os.environ.pop("AIGUILLEUR_MODEL_CACHE")
        else:
            os.environ["AIGUILLEUR_MODEL_CACHE"] = previous
        texts = messages(count, [p.name for p in catalog.places])
        p50s, p99s = [], []
        for _ in range(runs):
            latencies = []
            for text, lang in texts:
                start = time.perf_counter()
                understander.understand(text, lang)
                latencies.append((time.perf_counter() - start) * 1000)
            p50s.append(percentile(latencies, 0.5))
            p99s.append(percentile(latencies, 0.99))
        colds = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "bot", "understand", "chu en démarrage à Rimouski"],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            colds.append(time.perf_counter() - start)
    print(
        f"language data + gazetteer of {len(catalog.places)} places + intent models loaded in "
        f"{statistics.median(loads) * 1000:.0f} ms (median of {runs}; target <= 300 ms)"
    )
    print(
        f"+ the languages read but not answered in ({', '.join(understander.readable[len(understander.languages) :])}"
        f"), built by the bot at start-up: {statistics.median(extras) * 1000:.0f} ms (median of {runs})"
    )
    print(f"with a cold model cache (import scikit-learn, train every language): {training * 1000:.0f} ms")
    print(
        f"{count} messages: p50 {statistics.median(p50s):.3f} ms, p99 {statistics.median(p99s):.3f} ms per message "
        f"(median of {runs} runs; target p99 <= 1 ms)"
    )
    print(f"aiguilleur understand cold start: median {statistics.median(colds) * 1000:.0f} ms")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
