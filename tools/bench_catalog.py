"""Benchmark the catalog at network scale: 10,000 entries and a 1,000-place gazetteer (synthetic).

Prints check+load time, memory after load, match latency p50/p99 over 1,000 random profiles, reload time
and the longest the event loop was kept waiting during a reload. Medians of several runs; the machines
are shared and noisy, so compare numbers from the same run.

    .venv/bin/python -m tools.bench_catalog [entries] [places] [runs]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

from bot.catalog.loader import load_catalog
from bot.catalog.model import Catalog
from bot.catalog.reload import CatalogReloader
from bot.catalog.yamlfile import load_trusted
from bot.core.matching import match, prepare_index
from bot.core.types import Profile

QUEBEC = Path(__file__).resolve().parent.parent / "catalog" / "quebec"
TODAY = dt.date(2026, 11, 23)


class _Dumper(yaml.CSafeDumper):
    """Quotes every text that starts with a digit ("08"), as the catalog guide asks admins to."""


def _quote_numbers(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if value[:1].isdigit() else None)


_Dumper.add_representer(str, _quote_numbers)


def _dump(path: Path, data: object) -> None:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")


def synthetic_catalog(folder: Path, entries: int, places: int, seed: int = 7) -> None:
    """The Québec network's taxonomy and hubs with `entries` random services/opportunities."""
    rng = random.Random(seed)
    for name in ("network.yaml", "taxonomy.yaml", "hubs.yaml"):
        (folder / name).write_text((QUEBEC / name).read_text(encoding="utf-8"), encoding="utf-8")
    taxonomy = load_trusted((QUEBEC / "taxonomy.yaml").read_text(encoding="utf-8"))
    codes = {dim: [t["code"] for t in taxonomy[dim]] for dim in ("stages", "sectors", "needs", "regions")}
    services, opportunities = [], []
    for n in range(entries):
        record = {
            "id": f"entry-{n:05d}",
            "title": {"fr": f"Programme {n}", "en": f"Program {n}"},
            "organization": f"Organisme {n % 400}",
            "summary": {
                "fr": "Un programme d'accompagnement pour les entreprises.",
                "en": "A support program.",
            },
            "regions": rng.sample(codes["regions"], 1) if rng.random() < 0.7 else [],
            "stages": rng.sample(codes["stages"], rng.randint(0, 3)),
            "sectors": rng.sample(codes["sectors"], rng.randint(0, 2)) if rng.random() < 0.4 else [],
            "needs": rng.sample(codes["needs"], rng.randint(1, 3)),
            "contact": {"url": f"https://example.org/{n}"},
            "verified_on": "2026-09-01",
        }
        if rng.random() < 0.2:
            record["deadline"] = str(TODAY + dt.timedelta(days=rng.randint(-30, 300)))
            opportunities.append(record)
        else:
            services.append(record)
    _dump(folder / "services.yaml", {"version": 1, "services": services})
    _dump(folder / "opportunities.yaml", {"version": 1, "opportunities": opportunities})
    gazetteer = [
        {"name": f"Municipalité {n:04d}", "region": rng.choice(codes["regions"])} for n in range(places)
    ]
    _dump(folder / "places.yaml", {"version": 1, "places": gazetteer})


def random_profiles(catalog: Catalog, count: int, seed: int = 11) -> list[Profile]:
    rng = random.Random(seed)
    codes = {dim: [t.code for t in catalog.terms(dim)] for dim in ("stages", "sectors", "needs", "regions")}
    return [
        Profile(
            rng.choice([None, *codes["stages"]]),
            tuple(rng.sample(codes["sectors"], rng.randint(0, 2))),
            rng.choice([None, *codes["regions"]]),
            tuple(rng.sample(codes["needs"], rng.randint(0, 3))),
        )
        for _ in range(count)
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class _Holder:
    catalog: Catalog

    def prepare(self, catalog: Catalog) -> None:
        del catalog


async def reload_blocking(folder: Path) -> tuple[float, float]:
    """Reload once while a ticker measures how late the event loop runs it: (reload s, worst lag ms)."""
    holder = _Holder()
    holder.catalog = load_catalog(folder, today=TODAY)  # the catalog serving before the reload
    gc.freeze()  # as the bot does at start-up
    reloader = CatalogReloader(holder, folder, index=prepare_index)
    worst = 0.0
    running = True

    async def ticker() -> None:
        nonlocal worst
        while running:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - before - 0.001)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    start = time.perf_counter()
    await reloader.reload()
    elapsed = time.perf_counter() - start
    running = False
    await task
    reloader.close()
    return elapsed, worst * 1000


def main(entries: int = 10_000, places: int = 1_000, runs: int = 3) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        synthetic_catalog(folder, entries, places)
        size = sum(p.stat().st_size for p in folder.glob("*.yaml")) / 1e6
        loads = []
        for _ in range(runs):
            start = time.perf_counter()
            catalog = load_catalog(folder, today=TODAY)
            loads.append(time.perf_counter() - start)
        tracemalloc.start()
        catalog = load_catalog(folder, today=TODAY)
        current, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        profiles = random_profiles(catalog, 1_000)
        start = time.perf_counter()
        match(catalog, profiles[0], today=TODAY)  # builds the per-catalog index, once
        index_ms = (time.perf_counter() - start) * 1000
        latencies = []
        for profile in profiles:
            start = time.perf_counter()
            match(catalog, profile, today=TODAY, limit=5)  # what the bot and `aiguilleur match` do
            latencies.append((time.perf_counter() - start) * 1000)
        reloads = [asyncio.run(reload_blocking(folder)) for _ in range(runs)]
    print(f"catalog: {entries} entries, {places} places, {size:.1f} MB of YAML")
    print(f"check+load: median {statistics.median(loads):.3f} s over {runs} runs (target <= 1 s)")
    print(f"memory held by the loaded catalog: {current / 1e6:.1f} MB")
    print(f"match index built on first use: {index_ms:.0f} ms")
    print(
        f"match latency over {len(latencies)} random profiles: p50 {percentile(latencies, 0.5):.3f} ms, "
        f"p99 {percentile(latencies, 0.99):.3f} ms (target p99 <= 2 ms)"
    )
    print(
        f"reload: median {statistics.median(r[0] for r in reloads):.3f} s; event loop kept waiting at most "
        f"{max(r[1] for r in reloads):.1f} ms (median of worst {statistics.median(r[1] for r in reloads):.1f} ms; "
        "target <= 20 ms)"
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:4]))
