"""Where SQL is spoken: the tables, the async engine and its unit of work, migrations, and `Store`.

`Store` implements the core's ports (bot/core/ports.py) without the core importing anything from here: its
functions take keyword arguments and return the core's plain dataclasses, never table rows. It is composed
of repositories by subject, each a mixin sharing the engine and the session of `engine.StoreBase`:
`conversations`, `requests` (handoffs), `threads` (relay links), `delivery` (outbox and inbox),
`statistics` (funnel events, unmet profiles, coverage gaps) and `privacy` (/forget, retention). `tables`
holds the rows, `leadership` the lock that makes one process the active one, `reports` the report's tables
and queries. The engine is async (aiosqlite by default, asyncpg in production) so a database call never
blocks the event loop that serves every chat. Times are timezone-aware UTC.

This module re-exports what the rest of the bot imports from `bot.storage`; importing it registers every
table, the report's included, in `metadata` (what Alembic compares against).
"""

from __future__ import annotations

from bot.core.clock import utcnow as utcnow  # re-exported: adapters and tests import it from here too
from bot.storage.delivery import InboxItem, OutboxItem, fingerprint, reply_from_json, reply_to_json
from bot.storage.engine import (
    MIGRATIONS_DIR,
    StoreBase,
    UnitOfWork,
    cancel_and_wait,
    describe,
    is_transient,
)
from bot.storage.leadership import LEAD_LOCK, MIGRATION_LOCK, Leadership
from bot.storage.store import Store
from bot.storage.tables import (
    INBOX_STATUSES,
    ConversationRow,
    CoverageGapRow,
    HandoffRow,
    InboxRow,
    OutboxRow,
    RelayLinkRow,
    UnmetRequestRow,
    metadata,
)

__all__ = [
    "INBOX_STATUSES",
    "LEAD_LOCK",
    "MIGRATIONS_DIR",
    "MIGRATION_LOCK",
    "ConversationRow",
    "CoverageGapRow",
    "HandoffRow",
    "InboxItem",
    "InboxRow",
    "Leadership",
    "OutboxItem",
    "OutboxRow",
    "RelayLinkRow",
    "Store",
    "StoreBase",
    "UnitOfWork",
    "UnmetRequestRow",
    "cancel_and_wait",
    "describe",
    "fingerprint",
    "is_transient",
    "metadata",
    "reply_from_json",
    "reply_to_json",
    "utcnow",
]
