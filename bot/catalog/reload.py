"""Hot reload: validate a changed catalog off the event loop, swap it in whole, or keep the last good one.

The check runs in a worker process: parsing and validating 10,000 entries holds the GIL for hundreds of
milliseconds, which in a thread would freeze every chat. The process also finds the problems' lines; a thread
of the bot then builds the matching index (the caller gives the function: the catalog knows nothing of
matching), so the bot only receives a finished catalog. The swap is one attribute
assignment: every event sees either the old catalog or the new one, never a mix.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import pickle
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from watchfiles import Change, awatch

from bot.catalog.loader import Checked, check_catalog
from bot.catalog.model import Catalog
from bot.catalog.yamlfile import Problem

log = logging.getLogger(__name__)

OnResult = Callable[[Checked], Awaitable[None]]


class HoldsCatalog(Protocol):
    """Whatever serves the catalog (the dialogue) and can be given a new one."""

    catalog: Catalog

    def prepare(self, catalog: Catalog) -> object:
        """Build what it derives from a catalog (the understander), before the swap."""


def _is_catalog_file(change: Change, path: str) -> bool:
    """Editors write temporary files next to the real ones: only YAML files count."""
    del change
    return path.endswith((".yaml", ".yml"))


CHUNK = 100  # entries per pickle: unpickling one chunk holds the GIL about 3 ms


@dataclass(frozen=True)
class Shipment:
    """A checked catalog as the worker sends it: problems located, catalog pickled in small chunks."""

    problems: list[Problem]
    head: bytes | None = None
    entries: tuple[bytes, ...] = ()
    places: tuple[bytes, ...] = ()


def _chunks(items: tuple[object, ...]) -> tuple[bytes, ...]:
    return tuple(pickle.dumps(items[i : i + CHUNK]) for i in range(0, len(items), CHUNK))


def check_in_worker(directory: str) -> Shipment:
    """In the worker process: check the folder and locate every problem (the slow parts)."""
    checked = check_catalog(Path(directory))
    problems = [Problem(p.path, p.line, p.message, p.severity) for p in checked.problems]
    catalog = checked.catalog
    if catalog is None:
        return Shipment(problems)
    head = pickle.dumps((catalog.directory, catalog.network, catalog.taxonomy, catalog.hubs))
    return Shipment(problems, head, _chunks(catalog.entries), _chunks(catalog.places))


def assemble(shipment: Shipment, index: Callable[[Catalog], object] | None = None) -> Checked:
    """In a thread of the bot: unpickle chunk by chunk and index, so the event loop keeps its turns.

    The cyclic garbage collector is paused meanwhile: creating 10,000 entries otherwise triggers full
    collections that scan every object of the process while holding the GIL (measured: up to 170 ms).
    The new catalog is then frozen out of the collector's sight (`gc.freeze`); it has no reference cycle,
    so reference counting alone frees it when the next reload replaces it.
    """
    if shipment.head is None:
        return Checked(None, shipment.problems)
    gc.disable()
    try:
        directory, network, taxonomy, hubs = pickle.loads(shipment.head)  # noqa: S301  (our own worker's bytes)
        entries = [entry for chunk in shipment.entries for entry in pickle.loads(chunk)]  # noqa: S301
        places = [place for chunk in shipment.places for place in pickle.loads(chunk)]  # noqa: S301
        catalog = Catalog(directory, network, taxonomy, hubs, tuple(entries), tuple(places))
        if index is not None:
            index(catalog)  # the matching index (given by the caller: the catalog knows nothing of matching)
    finally:
        gc.enable()
    gc.freeze()
    return Checked(catalog, shipment.problems)


class CatalogReloader:
    """Reloads one catalog folder into one holder; serialised, so two saves never race."""

    def __init__(
        self, holder: HoldsCatalog, directory: Path, index: Callable[[Catalog], object] | None = None
    ) -> None:
        self.holder = holder
        self.index = index
        self.directory = Path(directory)
        self._lock = asyncio.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def close(self) -> None:
        """Stop the worker process."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    async def reload(self) -> Checked:
        """Check the folder in the worker process; swap the catalog in only if it has no error.

        Never raises for a bad catalog: a check that crashes (the worker killed, an exception of any kind)
        becomes one problem to report, and the last good catalog keeps serving.
        """
        async with self._lock:
            try:
                checked = await self._check()
            except Exception as exc:  # whatever broke, the bot keeps its catalog and says so
                log.error("catalog check failed: %s", type(exc).__name__)
                checked = Checked(None, [Problem(self.directory, 1, _failure(exc))])
            if checked.catalog is not None:
                self.holder.catalog = checked.catalog
                log.info("catalog reloaded: %s entries", len(checked.catalog.entries))
            else:
                log.warning(
                    "catalog reload refused: %s errors; the last good catalog keeps serving",
                    len(checked.errors),
                )
            return checked

    async def _check(self) -> Checked:
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn")
                )
            try:
                shipment = await loop.run_in_executor(self._pool, check_in_worker, str(self.directory))
                break
            except BrokenProcessPool:
                log.error("the catalog worker died (attempt %s); starting a new one", attempt)
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
        else:
            raise BrokenProcessPool("the catalog check crashed its worker process twice")
        checked = await asyncio.to_thread(assemble, shipment, self.index)
        if checked.catalog is not None:
            await asyncio.to_thread(self.holder.prepare, checked.catalog)
        return checked

    async def watch(self, on_result: OnResult, stop: asyncio.Event, *, debounce_ms: int = 800) -> None:
        """Reload after each burst of saves in the folder until `stop` is set. Nothing stops the watching
        but `stop`: a reload or a report that fails is logged, and the next save is read as usual."""
        while not stop.is_set():
            try:
                async for _changes in awatch(
                    self.directory,
                    watch_filter=_is_catalog_file,
                    stop_event=stop,
                    debounce=debounce_ms,
                    recursive=False,
                ):
                    await self._reload_and_report(on_result)
            except Exception:  # the folder vanished for a moment, the watcher's thread failed...
                log.exception("catalog watcher failed; watching again in a second")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)

    async def _reload_and_report(self, on_result: OnResult) -> None:
        checked = await self.reload()
        try:
            await on_result(checked)
        except Exception:
            log.exception("the catalog reload could not be reported")


def _failure(exc: BaseException) -> str:
    """What admins read when the check itself broke: never a traceback, always what to do."""
    if isinstance(exc, BrokenProcessPool):
        return "the catalog check crashed (a file too large or too deeply nested?): fix the last edit and save again"
    return f"the catalog check failed ({type(exc).__name__}): fix the last edit and save again"
