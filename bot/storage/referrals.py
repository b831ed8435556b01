"""Warm referrals to partners (the `Referrals` port, docs/referrals.md), the e-mail queue the mailer sends
from (bot/telegram/mailer.py), and what /forget removes of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.types import Profile, Referral
from bot.storage.engine import StoreBase, current_unit
from bot.storage.tables import (
    OutboxRow,
    ReferralEmailRow,
    ReferralRow,
    _aware,
    _profile_from,
    _profile_json,
    _utc,
)

ANSWERABLE = ("sent",)
FOLLOWED = ("sent", "accepted")  # a declined or failed referral gets no follow-up: its entrepreneur was told


@dataclass(frozen=True)
class QueuedEmail:
    """An e-mail waiting for the mailer."""

    id: int
    to: str
    subject: str
    body: str
    attempts: int


class ReferralsRepo(StoreBase):
    """Referrals and their e-mails."""

    email_queued: Callable[[], None] | None = None  # the mailer's wake-up, called after a commit that queued

    async def create_referral(
        self,
        *,
        user_chat_id: int,
        network: str,
        entry_id: str,
        channel: str,
        partner_chat_id: int | None,
        lang: str,
        first_name: str,
        profile: Profile,
        at: dt.datetime,
    ) -> Referral:
        async with self._session() as session:
            await session.exec(
                delete(ReferralRow).where(
                    col(ReferralRow.user_chat_id) == user_chat_id, col(ReferralRow.status) == "draft"
                )
            )
            row = ReferralRow(
                network=network,
                entry_id=entry_id,
                channel=channel,
                partner_chat_id=partner_chat_id,
                user_chat_id=user_chat_id,
                lang=lang,
                first_name=first_name[:256],
                profile=_profile_json(profile),
                created_at=_utc(at),
            )
            session.add(row)
            await session.flush()
            return _referral(row)

    async def draft_of(self, *, user_chat_id: int) -> Referral | None:
        async with self._session() as session:
            query = select(ReferralRow).where(
                col(ReferralRow.user_chat_id) == user_chat_id, col(ReferralRow.status) == "draft"
            )
            row = (await session.exec(query.order_by(col(ReferralRow.id).desc()))).first()
            return _referral(row) if row is not None else None

    async def get_referral(self, *, referral_id: int) -> Referral | None:
        async with self._session() as session:
            row = await session.get(ReferralRow, referral_id)
            return _referral(row) if row is not None else None

    async def referral_by_token(self, *, token: str) -> Referral | None:
        async with self._session() as session:
            row = (await session.exec(select(ReferralRow).where(col(ReferralRow.token) == token))).first()
            return _referral(row) if row is not None else None

    async def send_referral(
        self,
        *,
        referral_id: int,
        question: str,
        token: str,
        follow_up_at: dt.datetime | None,
        at: dt.datetime,
    ) -> bool:
        return await self._move(
            referral_id,
            ("draft",),
            status="sent",
            question=question,
            token=token,
            follow_up_at=_utc(follow_up_at),
            created_at=_utc(at),
        )

    async def drop_draft(self, *, referral_id: int) -> bool:
        async with self._session() as session:
            result = await session.exec(
                delete(ReferralRow).where(
                    col(ReferralRow.id) == referral_id, col(ReferralRow.status) == "draft"
                )
            )
            return bool(result.rowcount)

    async def answer_referral(self, *, referral_id: int, accepted: bool, at: dt.datetime) -> bool:
        status = "accepted" if accepted else "declined"
        changes: dict[str, object] = {"status": status, "answered_at": _utc(at)}
        if not accepted:
            changes["follow_up_at"] = None
        return await self._move(referral_id, ANSWERABLE, **changes)

    async def referral_failed(self, *, referral_id: int) -> bool:
        return await self._move(referral_id, ANSWERABLE, status="failed", follow_up_at=None)

    async def due_referral_follow_ups(self, *, now: dt.datetime) -> list[Referral]:
        async with self._session() as session:
            query = select(ReferralRow).where(
                col(ReferralRow.follow_up_at) <= _utc(now),
                col(ReferralRow.status).in_(FOLLOWED),
            )
            rows = (await session.exec(query.order_by(col(ReferralRow.follow_up_at)))).all()
            due = [_referral(row) for row in rows]
            if due:
                await session.exec(
                    update(ReferralRow)
                    .where(col(ReferralRow.id).in_([r.id for r in due]))
                    .values(follow_up_at=None)
                )
            return [r for r in due if r.user_chat_id is not None and r.helped is None]

    async def record_referral_follow_up(self, *, referral_id: int, contacted: bool, helped: bool) -> bool:
        async with self._session() as session:
            result = await session.exec(
                update(ReferralRow)
                .where(
                    col(ReferralRow.id) == referral_id,
                    col(ReferralRow.contacted).is_(None),
                    col(ReferralRow.status).in_(FOLLOWED),
                )
                .values(contacted=contacted, helped=helped)
            )
            return bool(result.rowcount)

    async def queue_referral_email(
        self, *, referral_id: int, to: str, subject: str, body: str, at: dt.datetime
    ) -> None:
        async with self._session() as session:
            session.add(
                ReferralEmailRow(
                    referral_id=referral_id,
                    to_addr=to,
                    subject=subject[:300],
                    body=body[:8000],
                    next_at=_utc(at),
                )
            )
        if (wake := self.email_queued) is not None:  # the mailer looks once the e-mail is committed
            if (unit := current_unit()) is not None:
                unit.after_commit(wake)
            else:
                wake()

    async def _move(self, referral_id: int, from_states: tuple[str, ...], **values: object) -> bool:
        """One atomic transition: applied only from `from_states`; says whether it happened."""
        async with self._session() as session:
            result = await session.exec(
                update(ReferralRow)
                .where(col(ReferralRow.id) == referral_id, col(ReferralRow.status).in_(from_states))
                .values(**values)
            )
            return bool(result.rowcount)

    # -- the mailer's queue (not a port: the adapter's) -----------------------------------------------------

    async def due_emails(self, *, now: dt.datetime, limit: int = 20) -> list[QueuedEmail]:
        async with self._session() as session:
            query = (
                select(ReferralEmailRow)
                .where(col(ReferralEmailRow.status) == "pending", col(ReferralEmailRow.next_at) <= _utc(now))
                .order_by(col(ReferralEmailRow.next_at), col(ReferralEmailRow.id))
                .limit(limit)
            )
            return [
                QueuedEmail(r.id or 0, r.to_addr, r.subject, r.body, r.attempts)
                for r in (await session.exec(query)).all()
            ]

    async def next_email_at(self) -> dt.datetime | None:
        async with self._session() as session:
            query = select(ReferralEmailRow.next_at).where(col(ReferralEmailRow.status) == "pending")
            found = (await session.exec(query.order_by(col(ReferralEmailRow.next_at)))).first()
            return _aware(found) if found is not None else None

    async def email_sent(self, *, email_id: int, at: dt.datetime) -> None:
        async with self._session() as session:
            await session.exec(
                update(ReferralEmailRow)
                .where(col(ReferralEmailRow.id) == email_id, col(ReferralEmailRow.status) == "pending")
                .values(status="sent", sent_at=_utc(at), attempts=col(ReferralEmailRow.attempts) + 1)
            )

    async def email_retry(self, *, email_id: int, next_at: dt.datetime, give_up: bool) -> None:
        async with self._session() as session:
            await session.exec(
                update(ReferralEmailRow)
                .where(col(ReferralEmailRow.id) == email_id, col(ReferralEmailRow.status) == "pending")
                .values(
                    status="failed" if give_up else "pending",
                    next_at=_utc(next_at),
                    attempts=col(ReferralEmailRow.attempts) + 1,
                )
            )


def _referral(row: ReferralRow) -> Referral:
    return Referral(
        id=row.id or 0,
        user_chat_id=row.user_chat_id,
        entry_id=row.entry_id,
        channel=row.channel,
        lang=row.lang,
        status=row.status,
        token=row.token or "",
        partner_chat_id=row.partner_chat_id,
        first_name=row.first_name,
        profile=_profile_from(row.profile),
        question=row.question,
        created_at=_aware(row.created_at),
        follow_up_at=_aware(row.follow_up_at),
        contacted=row.contacted,
        helped=row.helped,
    )


# -- /forget ------------------------------------------------------------------------------------------------


async def forget_referrals(session: AsyncSession, chat_id: int) -> int:
    """A chat's referrals lose their personal content (their e-mails go, sent or not; drafts and a referral
    still waiting in its partner's outbox lane go); the codes stay for the report's counts. Returns how many
    rows changed or went. In /forget's transaction (bot/storage/privacy.py)."""
    ids = (await session.exec(select(ReferralRow.id).where(col(ReferralRow.user_chat_id) == chat_id))).all()
    if not ids:
        return 0
    emails = await session.exec(delete(ReferralEmailRow).where(col(ReferralEmailRow.referral_id).in_(ids)))
    tracks = [f'"track": "referral:{i}"' for i in ids]
    waiting = select(OutboxRow.id, OutboxRow.payload).where(col(OutboxRow.status) == "pending")
    unsent = [i for i, payload in (await session.exec(waiting)).all() if any(t in payload for t in tracks)]
    if unsent:
        await session.exec(delete(OutboxRow).where(col(OutboxRow.id).in_(unsent)))
    drafts = await session.exec(
        delete(ReferralRow).where(col(ReferralRow.id).in_(ids), col(ReferralRow.status) == "draft")
    )
    kept = await session.exec(
        update(ReferralRow)
        .where(col(ReferralRow.id).in_(ids))
        .values(user_chat_id=None, first_name="", profile="{}", question="", follow_up_at=None)
    )
    return int(emails.rowcount + drafts.rowcount + kept.rowcount) + len(unsent)


# -- the report -----------------------------------------------------------------------------------------------


async def referral_counts(store: object, period: Any) -> list[tuple[str, int, int, int]]:
    """Referrals sent, accepted and helpful per partner (the entry's id) in a report's period: codes and
    counts only (the "<5" rule is the view's). A report narrowed to a hub or a region has none (a referral
    keeps neither once its entrepreneur is forgotten)."""
    assert isinstance(store, StoreBase)
    if period.hub_id is not None or period.region is not None:
        return []
    r = ReferralRow
    query: Any = (
        select(
            r.entry_id,
            func.count(),
            func.sum(case((col(r.status) == "accepted", 1), else_=0)),
            func.sum(case((col(r.helped).is_(True), 1), else_=0)),
        )
        .where(
            col(r.network) == period.network, col(r.status) != "draft", col(r.created_at) < _utc(period.end)
        )
        .group_by(col(r.entry_id))
        .order_by(col(r.entry_id))
    )
    if period.start is not None:
        query = query.where(col(r.created_at) >= _utc(period.start))
    async with store._session() as session:
        return [
            (str(e), int(n), int(a or 0), int(h or 0)) for e, n, a, h in (await session.exec(query)).all()
        ]
