"""Threads (the `Threads` port): which hub-chat message belongs to which handoff's thread (its card, the bot's
copies of what the entrepreneur wrote, the advisors' own messages), and which handoff a forum topic is.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select

from bot.core.types import Handoff
from bot.storage.engine import StoreBase
from bot.storage.tables import HandoffRow, RelayLinkRow, _handoff


class ThreadsRepo(StoreBase):
    """Relay links: the hub-chat messages of each handoff's thread."""

    async def link_message(
        self, *, hub_chat_id: int, message_id: int, handoff_id: int, card: bool = False, bot_copy: bool = True
    ) -> None:
        """Remember that a hub-chat message belongs to a handoff's thread (the card when `card`, an advisor's
        own message when not `bot_copy`); nothing when the handoff is gone (deleted with /forget while the
        message was on its way)."""
        async with self._session() as session:
            if await session.get(HandoffRow, handoff_id) is None:
                return
            if await session.get(RelayLinkRow, (hub_chat_id, message_id)) is None:
                session.add(
                    RelayLinkRow(
                        hub_chat_id=hub_chat_id,
                        message_id=message_id,
                        handoff_id=handoff_id,
                        bot_copy=bot_copy,
                    )
                )
            if card:  # only while the handoff is still in that chat (a transfer may have moved it since)
                await session.exec(
                    update(HandoffRow)
                    .where(col(HandoffRow.id) == handoff_id, col(HandoffRow.hub_chat_id) == hub_chat_id)
                    .values(card_message_id=message_id)
                )

    async def thread_copies(self, *, handoff_id: int) -> list[int]:
        """The ids of the bot's copies of what the entrepreneur wrote in a handoff's thread (not its card, not
        the advisors' own messages), to delete after a /forget."""
        async with self._session() as session:
            handoff = await session.get(HandoffRow, handoff_id)
            if handoff is None:
                return []
            query = select(RelayLinkRow.message_id).where(
                RelayLinkRow.handoff_id == handoff_id,
                RelayLinkRow.hub_chat_id == handoff.hub_chat_id,
                RelayLinkRow.message_id != handoff.card_message_id,
                col(RelayLinkRow.bot_copy),
            )
            return sorted((await session.exec(query)).all())

    async def handoff_for_message(self, *, hub_chat_id: int, message_id: int) -> Handoff | None:
        """The handoff whose thread holds this hub-chat message; None for a message of another chat."""
        async with self._session() as session:
            link = await session.get(RelayLinkRow, (hub_chat_id, message_id))
            if link is None:
                return None
            row = await session.get(HandoffRow, link.handoff_id)
            return _handoff(row) if row else None

    async def handoff_for_topic(self, *, hub_chat_id: int, topic_id: int) -> Handoff | None:
        """The handoff whose forum topic this is, in this chat only."""
        async with self._session() as session:
            query = select(HandoffRow).where(
                HandoffRow.hub_chat_id == hub_chat_id, HandoffRow.topic_id == topic_id
            )
            row = (await session.exec(query.order_by(col(HandoffRow.id).desc()))).first()
            return _handoff(row) if row else None
