"""Requests (the `Requests` port): handoffs, their lifecycle transitions (each one conditional UPDATE, so
the database decides races), their bookkeeping fields, the lists of open ones and the reminders and
follow-ups that are due.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from bot.core.clock import utcnow
from bot.core.types import HANDOFF_TRANSITIONS, Handoff, Profile
from bot.storage.engine import StoreBase
from bot.storage.tables import HandoffRow, _handoff, _profile_json, _utc


class RequestsRepo(StoreBase):
    """Handoffs: create, read, list, transitions and bookkeeping."""

    async def create_handoff(
        self,
        *,
        user_chat_id: int,
        hub_id: str,
        hub_chat_id: int,
        lang: str,
        question: str,
        first_name: str,
        username: str | None,
        profile: Profile,
        matches: tuple[str, ...],
        remind_at: dt.datetime | None,
        at: dt.datetime | None = None,
    ) -> Handoff:
        async with self._session() as session:
            row = HandoffRow(
                user_chat_id=user_chat_id,
                hub_id=hub_id,
                hub_chat_id=hub_chat_id,
                lang=lang,
                question=question[:4096],
                first_name=first_name[:256],
                username=username,
                profile=_profile_json(profile),
                matches=json.dumps(list(matches)),
                created_at=_utc(at or utcnow()),
                remind_at=_utc(remind_at),
            )
            session.add(row)
            await session.flush()
            return _handoff(row)

    async def get_handoff(self, *, handoff_id: int) -> Handoff | None:
        async with self._session() as session:
            row = await session.get(HandoffRow, handoff_id)
            return _handoff(row) if row else None

    async def handoffs_of(self, *, user_chat_id: int) -> list[Handoff]:
        """Every handoff of one entrepreneur, open or closed, oldest first (what /forget must rewrite)."""
        async with self._session() as session:
            query = (
                select(HandoffRow).where(HandoffRow.user_chat_id == user_chat_id).order_by(col(HandoffRow.id))
            )
            return [_handoff(row) for row in (await session.exec(query)).all()]

    async def _transition(self, handoff_id: int, action: str, *when: Any, **values: Any) -> bool:
        """Apply one lifecycle action (see HANDOFF_TRANSITIONS) if the handoff is in a state it starts from."""
        sources, target = HANDOFF_TRANSITIONS[action]
        return await self._change(
            handoff_id,
            (col(HandoffRow.status).in_(sources), *when),
            status=target,
            **values,
        )

    async def _change(self, handoff_id: int, when: tuple[Any, ...], **values: Any) -> bool:
        """One conditional UPDATE: the database decides races (two Claims, Close from both sides)."""
        values = {name: _utc(value) for name, value in values.items()}
        async with self._session() as session:
            result = await session.exec(
                update(HandoffRow).where(col(HandoffRow.id) == handoff_id, *when).values(**values)
            )
            return bool(result.rowcount)

    async def claim_handoff(
        self, *, handoff_id: int, advisor_id: int, advisor_name: str, at: dt.datetime | None = None
    ) -> bool:
        """Claim a waiting handoff; False when someone else was first (or it is closed)."""
        return await self._transition(
            handoff_id,
            "claim",
            advisor_id=advisor_id,
            advisor_name=advisor_name[:256],
            claimed_at=at or utcnow(),
            remind_at=None,
        )

    async def close_handoff(
        self,
        *,
        handoff_id: int,
        reason: str = "ended",
        follow_up_at: dt.datetime | None = None,
        at: dt.datetime | None = None,
    ) -> bool:
        """Close an open handoff; False when it was not open (closed twice, by both sides at once)."""
        return await self._transition(
            handoff_id,
            "close",
            closed_at=at or utcnow(),
            close_reason=reason,
            remind_at=None,
            follow_up_at=follow_up_at,
        )

    async def reopen_handoff(
        self,
        *,
        handoff_id: int,
        closed_since: dt.datetime,
        advisor_id: int,
        advisor_name: str,
        at: dt.datetime | None = None,
    ) -> bool:
        """Reopen a handoff an advisor closed after `closed_since`, claimed by the advisor who reopens it."""
        return await self._transition(
            handoff_id,
            "reopen",
            col(HandoffRow.close_reason).in_(("advisor", "ended")),
            col(HandoffRow.closed_at) >= _utc(closed_since),
            closed_at=None,
            close_reason=None,
            advisor_id=advisor_id,
            advisor_name=advisor_name[:256],
            claimed_at=at or utcnow(),
            follow_up_at=None,
        )

    async def transfer_handoff(
        self, *, handoff_id: int, hub_id: str, hub_chat_id: int, remind_at: dt.datetime | None
    ) -> bool:
        """Move an open handoff to another hub: it waits there, in a new thread."""
        return await self._transition(
            handoff_id,
            "transfer",
            hub_id=hub_id,
            hub_chat_id=hub_chat_id,
            advisor_id=None,
            advisor_name=None,
            claimed_at=None,
            card_message_id=None,
            topic_id=None,
            remind_at=remind_at,
            reminders=0,
            acked=False,
        )

    async def update_handoff(self, *, handoff_id: int, in_chat: int | None = None, **values: Any) -> None:
        """Set bookkeeping fields (topic_id, remind_at, reminders, acked, rating, comment, follow_up_at...);
        with `in_chat`, only while the handoff still lives in that hub chat."""
        when = (col(HandoffRow.hub_chat_id) == in_chat,) if in_chat is not None else ()
        await self._change(handoff_id, when, **values)

    async def open_handoffs(self, *, hub_chat_id: int, advisor_id: int | None = None) -> list[Handoff]:
        """The open handoffs of a hub chat, oldest first (only one advisor's when `advisor_id`)."""
        async with self._session() as session:
            query = select(HandoffRow).where(
                HandoffRow.hub_chat_id == hub_chat_id,
                col(HandoffRow.status).in_(("waiting", "claimed")),
            )
            if advisor_id is not None:
                query = query.where(HandoffRow.advisor_id == advisor_id, HandoffRow.status == "claimed")
            rows = (await session.exec(query.order_by(col(HandoffRow.created_at), col(HandoffRow.id)))).all()
            return [_handoff(row) for row in rows]

    async def due_reminders(self, *, now: dt.datetime) -> list[Handoff]:
        """Open handoffs whose reminder (or escalation) is due: waiting for a claim, or claimed and waiting for
        the advisor's first answer."""
        async with self._session() as session:
            query = select(HandoffRow).where(
                col(HandoffRow.status).in_(("waiting", "claimed")), col(HandoffRow.remind_at) <= _utc(now)
            )
            rows = (await session.exec(query.order_by(col(HandoffRow.remind_at)))).all()
            return [_handoff(row) for row in rows]

    async def due_follow_ups(self, *, now: dt.datetime) -> list[Handoff]:
        """Closed handoffs whose one-time follow-up question is due."""
        return await self._due("closed", HandoffRow.follow_up_at, now)

    async def _due(self, status: str, when: Any, now: dt.datetime) -> list[Handoff]:
        """Handoffs in `status` whose `when` column has come, soonest first."""
        async with self._session() as session:
            query = select(HandoffRow).where(HandoffRow.status == status, when <= _utc(now))
            rows = (await session.exec(query.order_by(when))).all()
            return [_handoff(row) for row in rows]

    async def handoff_outcomes(self) -> list[Handoff]:
        """Every handoff still kept (retention applies), for counts: `aiguilleur report` prints no name or text."""
        async with self._session() as session:
            rows = (await session.exec(select(HandoffRow).order_by(col(HandoffRow.id)))).all()
            return [_handoff(row) for row in rows]
