"""Conversations (the `Conversations` port, except /forget: bot/storage/privacy.py): one entrepreneur's
private chat, read at the start of each event and saved at its end.
"""

from __future__ import annotations

import json

from bot.core.clock import utcnow
from bot.core.types import Conversation
from bot.storage.engine import StoreBase
from bot.storage.tables import ConversationRow, _conversation, _profile_json, _utc


class ConversationsRepo(StoreBase):
    """Private chats' state."""

    async def get_conversation(self, *, chat_id: int) -> Conversation | None:
        async with self._session() as session:
            row = await session.get(ConversationRow, chat_id)
            if row is None:
                return None
            # The session's identity map holds rows weakly: kept here, the save that usually follows in the
            # same unit of work finds the row without reading it again (one statement less per message).
            session.info.setdefault("rows", []).append(row)
            return _conversation(row)

    async def save_conversation(self, conversation: Conversation) -> Conversation:
        """Insert or replace the conversation's row; returns it with its new `updated_at`."""
        now = utcnow()
        async with self._session() as session:
            row = await session.get(ConversationRow, conversation.chat_id) or ConversationRow(
                chat_id=conversation.chat_id, lang=conversation.lang, updated_at=now
            )
            row.lang = conversation.lang
            row.step = conversation.step
            row.stage = conversation.profile.stage
            row.sector = conversation.profile.sector
            row.region = conversation.profile.region
            row.needs = json.dumps(list(conversation.profile.needs))
            row.profile = _profile_json(conversation.profile)
            row.hub_id = conversation.hub_id
            row.page = conversation.page
            row.editing = conversation.editing
            row.handoff_id = conversation.handoff_id
            row.consent_at = _utc(conversation.consent_at)
            row.last_handoff_id = conversation.last_handoff_id
            row.updated_at = now
            session.add(row)
        return _conversation(row)
