"""Alembic environment: migrations run on the app's own connection at start-up, or from the CLI.

The app calls `alembic.command.upgrade` with `config.attributes["connection"]` set (Alembic cookbook,
"Sharing a Connection"); the CLI path builds an async engine from `DATABASE_URL`.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot import storage
from bot.settings import DEFAULT_DATABASE_URL

target_metadata = storage.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_from_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)))
