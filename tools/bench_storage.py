"""Benchmark: one conversation read + write per update, async engine vs sync engine in a worker thread.

Why: sqlmodel is synchronous; the bot must not block its event loop. Both options are measured in the same
run on the same machine and compared as a ratio (the machines are shared and noisy).

    .venv/bin/python -m tools.bench_storage [updates] [runs]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlmodel import Session

from bot.core.types import Conversation
from bot.storage import ConversationRow, Store, utcnow
from bot.storage.engine import _sqlite_pragmas


async def async_engine(path: Path, updates: int) -> float:
    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    start = time.perf_counter()
    for n in range(updates):
        conversation = await store.get_conversation(chat_id=n % 50) or Conversation(chat_id=n % 50, lang="fr")
        await store.save_conversation(conversation)
    elapsed = time.perf_counter() - start
    await store.close()
    return elapsed


def _sync_read(engine: object, chat_id: int) -> None:
    with Session(engine) as session, session.begin():  # type: ignore[arg-type]
        session.get(ConversationRow, chat_id)


def _sync_write(engine: object, chat_id: int) -> None:
    """The same work as `Store.save_conversation`: its own transaction, read then write."""
    with Session(engine) as session, session.begin():  # type: ignore[arg-type]
        row = session.get(ConversationRow, chat_id) or ConversationRow(
            chat_id=chat_id, lang="fr", updated_at=utcnow()
        )
        row.updated_at = utcnow()
        session.add(row)


async def thread_engine(path: Path, updates: int) -> float:
    await (await Store.open(f"sqlite+aiosqlite:///{path}")).close()  # same schema, via the migrations
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _sqlite_pragmas)
    start = time.perf_counter()
    for n in range(updates):
        await asyncio.to_thread(_sync_read, engine, n % 50)
        await asyncio.to_thread(_sync_write, engine, n % 50)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


async def main(updates: int, runs: int) -> None:
    results: dict[str, list[float]] = {"async (aiosqlite)": [], "sync in to_thread": []}
    with tempfile.TemporaryDirectory() as folder:
        for run in range(runs):
            results["async (aiosqlite)"].append(await async_engine(Path(folder) / f"a{run}.db", updates))
            results["sync in to_thread"].append(await thread_engine(Path(folder) / f"t{run}.db", updates))
    for name, times in results.items():
        per = statistics.median(times) / updates * 1000
        print(f"{name:20} median {per:.3f} ms per update (read + write), {runs} runs of {updates}")
    ratio = statistics.median(results["async (aiosqlite)"]) / statistics.median(results["sync in to_thread"])
    print(f"ratio async / thread: {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 300, int(sys.argv[2]) if len(sys.argv) > 2 else 5)
    )
