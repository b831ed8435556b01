"""Hot reload: validate a changed catalog off the event loop, swap it in whole, or keep the last good one.

The check runs in a worker thread so the bot keeps answering while a large catalog is parsed; the swap is
one attribute assignment, so every event sees either the old catalog or the new one, never a mix.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

from watchfiles import Change, awatch

from bot.catalog.loader import Checked, check_catalog
from bot.catalog.model import Catalog

log = logging.getLogger(__name__)

OnResult = Callable[[Checked], Awaitable[None]]


class HoldsCatalog(Protocol):
    """Whatever serves the catalog (the dialogue) and can be given a new one."""

    catalog: Catalog


def _is_catalog_file(change: Change, path: str) -> bool:
    """Editors write temporary files next to the real ones: only YAML files count."""
    del change
    return path.endswith((".yaml", ".yml"))


class CatalogReloader:
    """Reloads one catalog folder into one holder; serialised, so two saves never race."""

    def __init__(self, holder: HoldsCatalog, directory: Path) -> None:
        self.holder = holder
        self.directory = Path(directory)
        self._lock = asyncio.Lock()

    async def reload(self) -> Checked:
        """Check the folder in a worker thread; swap the catalog in only if it has no error."""
        async with self._lock:
            checked = await asyncio.to_thread(check_catalog, self.directory)
            if checked.catalog is not None:
                self.holder.catalog = checked.catalog
                log.info("catalog reloaded: %s entries", len(checked.catalog.entries))
            else:
                log.warning(
                    "catalog reload refused: %s errors; the last good catalog keeps serving",
                    len(checked.errors),
                )
            return checked

    async def watch(self, on_result: OnResult, stop: asyncio.Event, *, debounce_ms: int = 800) -> None:
        """Reload after each burst of saves in the folder until `stop` is set."""
        async for _changes in awatch(
            self.directory,
            watch_filter=_is_catalog_file,
            stop_event=stop,
            debounce=debounce_ms,
            recursive=False,
        ):
            await on_result(await self.reload())
