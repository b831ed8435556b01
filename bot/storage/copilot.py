"""The advisor's co-pilot (the `Copilot` port): hub groups linked with /link, bans (/ban, /unban), and the
advisors' notes on a request (carried to the new hub by a transfer).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlmodel import col, select

from bot.core.types import HubLink, Note
from bot.storage.engine import StoreBase
from bot.storage.tables import HandoffNoteRow, HandoffRow, HubLinkRow, UserBanRow, _aware, _utc


class CopilotRepo(StoreBase):
    """Links of hub groups, bans, notes."""

    async def hub_links(self) -> list[HubLink]:
        """Every hub group set with /link, by hub id."""
        async with self._session() as session:
            rows = (await session.exec(select(HubLinkRow).order_by(col(HubLinkRow.hub_id)))).all()
            return [HubLink(r.hub_id, r.chat_id, r.linked_by, _aware(r.linked_at)) for r in rows]

    async def link_hub(self, *, hub_id: str, chat_id: int, linked_by: int, at: dt.datetime) -> None:
        """Make `chat_id` the hub's advisor group (replacing an earlier link); one group per hub: a group
        linked to another hub before loses that link."""
        async with self._session() as session:
            await session.exec(
                delete(HubLinkRow).where(
                    (col(HubLinkRow.chat_id) == chat_id) | (col(HubLinkRow.hub_id) == hub_id)
                )
            )
            session.add(HubLinkRow(hub_id=hub_id, chat_id=chat_id, linked_by=linked_by, linked_at=_utc(at)))

    async def ban_user(self, *, hub_id: str, user_chat_id: int, banned_by: int, at: dt.datetime) -> bool:
        """Ban an entrepreneur from a hub; False when they already were."""
        async with self._session() as session:
            if await session.get(UserBanRow, (hub_id, user_chat_id)) is not None:
                return False
            session.add(
                UserBanRow(hub_id=hub_id, user_chat_id=user_chat_id, banned_by=banned_by, banned_at=_utc(at))
            )
            return True

    async def unban_user(self, *, hub_id: str, user_chat_id: int) -> bool:
        """Lift a ban; False when there was none."""
        async with self._session() as session:
            result = await session.exec(
                delete(UserBanRow).where(
                    col(UserBanRow.hub_id) == hub_id, col(UserBanRow.user_chat_id) == user_chat_id
                )
            )
            return bool(result.rowcount)

    async def is_banned(self, *, hub_id: str, user_chat_id: int) -> bool:
        async with self._session() as session:
            return await session.get(UserBanRow, (hub_id, user_chat_id)) is not None

    async def add_note(
        self, *, handoff_id: int, hub_id: str, author: str, text: str, kind: str, at: dt.datetime
    ) -> None:
        """Keep an internal note (or a transfer's reason) with its request; nothing when the request is gone."""
        async with self._session() as session:
            if await session.get(HandoffRow, handoff_id) is None:
                return
            session.add(
                HandoffNoteRow(
                    handoff_id=handoff_id,
                    hub_id=hub_id,
                    author=author[:256],
                    kind=kind,
                    text=text[:4096],
                    at=_utc(at),
                )
            )

    async def notes_of(self, *, handoff_id: int) -> list[Note]:
        """A request's notes and transfer reasons, oldest first."""
        async with self._session() as session:
            query = (
                select(HandoffNoteRow)
                .where(HandoffNoteRow.handoff_id == handoff_id)
                .order_by(col(HandoffNoteRow.id))
            )
            rows = (await session.exec(query)).all()
            return [Note(r.hub_id, r.author, r.kind, r.text, _aware(r.at)) for r in rows]
