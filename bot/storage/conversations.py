"""Conversations (the `Conversations` port, except /forget: bot/storage/privacy.py): one entrepreneur's
private chat, read at the start of each event and saved at its end.

Both are Core statements on the table, prepared once (no ORM objects: a message reads and writes its row
with one statement each, compiled once per process): the read a plain SELECT, the save an upsert
(`INSERT ... ON CONFLICT (chat_id) DO UPDATE`, on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import json
from functools import cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, bindparam, select

from bot.core.clock import utcnow
from bot.core.types import Conversation
from bot.storage.engine import StoreBase, upsert_dialect
from bot.storage.tables import ConversationRow, _conversation, _profile_json, _utc

_TABLE: Table = ConversationRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table classes
_READ = select(_TABLE).where(_TABLE.c.chat_id == bindparam("chat_id"))


# The columns a save writes. The upsert updates these alone: a column added to the table later keeps its
# value until the save is taught to write it, instead of being reset to its default by every message.
_SAVED = (
    "lang", "step", "stage", "sector", "region", "needs", "profile", "hub_id", "page", "editing",
    "handoff_id", "updated_at", "consent_at", "last_handoff_id",
)  # fmt: skip


@cache
def _upsert(dialect: str) -> Any:
    """`INSERT ... ON CONFLICT (chat_id) DO UPDATE` for this dialect, built once."""
    insert = upsert_dialect(dialect).insert(_TABLE)
    updated = {name: insert.excluded[name] for name in _SAVED}
    return insert.on_conflict_do_update(index_elements=[_TABLE.c.chat_id], set_=updated)


class ConversationsRepo(StoreBase):
    """Private chats' state."""

    async def get_conversation(self, *, chat_id: int) -> Conversation | None:
        async with self._connection() as connection:
            row = (await connection.execute(_READ, {"chat_id": chat_id})).first()
            return None if row is None else _conversation(row)  # type: ignore[arg-type]  # a Row has its attributes

    async def save_conversation(self, conversation: Conversation) -> Conversation:
        """Insert or replace the conversation's row; returns it with its new `updated_at`."""
        profile = conversation.profile
        values: dict[str, Any] = {
            "chat_id": conversation.chat_id,
            "lang": conversation.lang,
            "step": conversation.step,
            "stage": profile.stage,
            "sector": profile.sector,
            "region": profile.region,
            "needs": json.dumps(list(profile.needs)),
            "profile": _profile_json(profile),
            "hub_id": conversation.hub_id,
            "page": conversation.page,
            "editing": conversation.editing,
            "handoff_id": conversation.handoff_id,
            "updated_at": utcnow(),
            "consent_at": _utc(conversation.consent_at),
            "last_handoff_id": conversation.last_handoff_id,
        }
        async with self._connection() as connection:
            await connection.execute(_upsert(self.engine.dialect.name), values)
        return _conversation(SimpleNamespace(**values))  # type: ignore[arg-type]  # the row as saved
