"""Delivery: the durable outbox (replies decided, sent in order per lane after the transaction commits) and
the durable inbox (raw Telegram updates, stored before they are acknowledged, handled once in arrival
order), with the outbox's JSON payloads and the inbox's fingerprints. Not a port of the core: the Telegram
adapter uses these directly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, update
from sqlmodel import col, select

from bot.core.clock import utcnow
from bot.core.text import Span
from bot.core.types import Attachment, Button, MessageRef, Reply
from bot.storage.engine import StoreBase, upsert_dialect
from bot.storage.tables import InboxRow, OutboxRow, _aware, _utc


@dataclass(frozen=True)
class OutboxItem:
    """A reply waiting in the outbox, with its delivery bookkeeping."""

    id: int
    lane: int
    reply: Reply
    attempts: int
    not_before: dt.datetime
    token: str = ""  # the row's own token: an id alone could name another row after a deletion


@dataclass(frozen=True)
class InboxItem:
    """A stored update waiting to be handled: `id` is its arrival order (update ids may start again lower)."""

    id: int
    update_id: int
    payload: str
    attempts: int


def reply_to_json(reply: Reply) -> str:
    """An outbox payload: everything needed to send the reply later, in another process."""
    return json.dumps(
        {
            "chat_id": reply.chat_id,
            "text": [[s.text, s.style, s.url] for s in reply.text],
            "buttons": [[[b.label, b.data] for b in row] for row in reply.buttons],
            "reply_to": reply.reply_to_message_id,
            "edit": reply.edit_message_id,
            "copy": [reply.copy_of.chat_id, reply.copy_of.message_id] if reply.copy_of else None,
            "track": reply.track,
            "handoff": reply.handoff,
            "action": reply.action,
            "topic": reply.topic_id,
            "file": [a.kind, a.file_id, a.name] if (a := reply.attachment) else None,
        },
        ensure_ascii=False,
    )


def reply_from_json(raw: str) -> Reply:
    data = json.loads(raw)
    return Reply(
        chat_id=data["chat_id"],
        text=tuple(Span(text, style, url) for text, style, url in data["text"]),
        buttons=tuple(tuple(Button(label, code) for label, code in row) for row in data["buttons"]),
        reply_to_message_id=data["reply_to"],
        edit_message_id=data["edit"],
        copy_of=MessageRef(*data["copy"]) if data["copy"] else None,
        track=data["track"],
        handoff=data["handoff"],
        action=data["action"],
        topic_id=data["topic"],
        attachment=Attachment(*data["file"]) if data.get("file") else None,
    )


def _about(payload: str, chat_id: int, handoff_ids: Any) -> bool:
    """An outbox row that copies a message of this chat or belongs to one of these handoffs' threads."""
    try:
        data = json.loads(payload)
    except ValueError:
        return False
    copy = data.get("copy")
    return data.get("handoff") in handoff_ids or bool(copy and copy[0] == chat_id)


def fingerprint(payload: str) -> str:
    """What makes a stored update the same as a new one beside its id: its content, canonically encoded."""
    try:
        canonical = json.dumps(json.loads(payload), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        canonical = payload
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _items(rows: Sequence[OutboxRow]) -> list[OutboxItem]:
    return [
        OutboxItem(
            row.id or 0,
            row.lane,
            reply_from_json(row.payload),
            row.attempts,
            _aware(row.not_before),
            row.token,
        )
        for row in rows
    ]


# The statements every update runs, prepared once on the tables (Core, no ORM objects): compiled once per
# process, executed on the unit of work's connection. Bound names start with b_ (a column's name is reserved).
_OUTBOX: Table = OutboxRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table classes
_INBOX: Table = InboxRow.__table__  # type: ignore[attr-defined]
# the rows of `enqueue` and their ids, in the order given, in one statement however many rows
_ENQUEUE = insert(_OUTBOX).returning(_OUTBOX.c.id, sort_by_parameter_order=True)
_SENT = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id == bindparam("b_id"),
        _OUTBOX.c.token == bindparam("b_token"),
        _OUTBOX.c.status == "pending",
    )
    .values(status="sent", message_id=bindparam("b_message"), sent_at=bindparam("b_at"), payload="")
)
_HANDLED = (
    update(_INBOX)
    .where(_INBOX.c.id == bindparam("b_id"), _INBOX.c.status == "pending")
    .values(handled_at=bindparam("b_at"), status="handled", payload="")
)


@cache
def _inbox_insert(dialect: str) -> Any:
    """`INSERT ... ON CONFLICT DO NOTHING RETURNING id` for this dialect, built once."""
    insert = upsert_dialect(dialect).insert(_INBOX)
    return insert.on_conflict_do_nothing(index_elements=["update_id", "fingerprint"]).returning(_INBOX.c.id)


class DeliveryRepo(StoreBase):
    """The outbox and the inbox."""

    _legacy_rows: bool | None = None  # does the inbox hold rows from before migration 0005? (None: not known)

    # -- outbox: what the bot decided to send ---------------------------------------------------------------

    async def enqueue(
        self, replies: tuple[Reply, ...] | list[Reply], *, bulk: bool = False
    ) -> list[OutboxItem]:
        """Write replies to the outbox (inside the caller's unit of work); returns them with their ids, for
        the outbox to send once the unit has committed without reading them back. `bulk`: rows of a mass
        sending, paced and sent after live replies."""
        if not replies:
            return []
        now = utcnow()
        tokens = [secrets.token_hex(16) for _reply in replies]
        rows = [
            {
                "lane": reply.chat_id,
                "payload": reply_to_json(reply),
                "status": "pending",
                "attempts": 0,
                "not_before": now,
                "created_at": now,
                "token": token,
                "bulk": bulk,
            }
            for reply, token in zip(replies, tokens, strict=True)
        ]
        async with self._connection() as connection:  # one INSERT ... RETURNING id, however many rows
            ids = (await connection.execute(_ENQUEUE, rows)).scalars().all()
        return [
            OutboxItem(int(row_id), reply.chat_id, reply, 0, now, token)
            for row_id, reply, token in zip(ids, replies, tokens, strict=True)
        ]

    async def pending_lanes(self) -> dict[int, dt.datetime]:
        """Each destination chat with unsent rows, and when its first row is due."""
        async with self._session() as session:
            first = (
                select(OutboxRow.lane, func.min(OutboxRow.id))
                .where(OutboxRow.status == "pending", col(OutboxRow.bulk).is_(False))
                .group_by(col(OutboxRow.lane))
                .subquery()
            )
            query = select(OutboxRow.lane, OutboxRow.not_before).join(first, col(OutboxRow.id) == first.c[1])
            return {int(lane): _aware(due) for lane, due in (await session.exec(query)).all()}

    async def pending_outbox(self, *, lane: int | None = None, limit: int = 10000) -> list[OutboxItem]:
        """A lane's unsent live replies (every unsent row, bulk included, without `lane`), oldest first: the
        order they must be sent in."""
        async with self._session() as session:
            query = select(OutboxRow).where(OutboxRow.status == "pending")
            if lane is not None:
                query = query.where(OutboxRow.lane == lane, col(OutboxRow.bulk).is_(False))
            query = query.order_by(col(OutboxRow.id)).limit(limit)
            return _items((await session.exec(query)).all())

    async def pending_bulk(self, *, due: dt.datetime, limit: int = 100) -> list[OutboxItem]:
        """Unsent rows of mass sendings that are due, oldest first."""
        async with self._session() as session:
            query = (
                select(OutboxRow)
                .where(
                    col(OutboxRow.bulk).is_(True),
                    OutboxRow.status == "pending",
                    col(OutboxRow.not_before) <= due,
                )
                .order_by(col(OutboxRow.id))
                .limit(limit)
            )
            return _items((await session.exec(query)).all())

    async def outbox_sent(self, *, item_id: int, token: str, message_id: int | None) -> bool:
        """Sent: keep the Telegram message id, drop the content (it may quote the entrepreneur). False when
        the row is gone (deleted by /forget while it was on its way)."""
        async with self._connection() as connection:
            result = await connection.execute(
                _SENT, {"b_id": item_id, "b_token": token, "b_message": message_id, "b_at": utcnow()}
            )
            return bool(result.rowcount)

    async def outbox_sent_many(self, *, marks: list[tuple[int, str, int | None]]) -> None:
        """`outbox_sent` for many rows (id, token, Telegram message id), in one statement."""
        if not marks:
            return
        now = utcnow()
        params = [
            {"b_id": item_id, "b_token": token, "b_message": message_id, "b_at": now}
            for item_id, token, message_id in marks
        ]
        async with self._connection() as connection:
            await connection.execute(_SENT, params)

    async def outbox_retry(self, *, item_id: int, token: str, not_before: dt.datetime, attempts: int) -> bool:
        return await self._outbox(item_id, token, not_before=_utc(not_before), attempts=attempts)

    async def outbox_failed(self, *, item_id: int, token: str) -> bool:
        return await self._outbox(item_id, token, status="failed", sent_at=utcnow(), payload="")

    async def _outbox(self, item_id: int, token: str, **values: Any) -> bool:
        """Change the pending row `item_id` only if it is still the row the worker read (same token)."""
        async with self._session() as session:
            result = await session.exec(
                update(OutboxRow)
                .where(
                    col(OutboxRow.id) == item_id,
                    col(OutboxRow.token) == token,
                    col(OutboxRow.status) == "pending",
                )
                .values(**values)
            )
            return bool(result.rowcount)

    # -- inbox: what Telegram sent us --------------------------------------------------------------------

    async def inbox_add(self, *, updates: list[tuple[int, str]]) -> list[int]:
        """Store raw updates in arrival order, skipping those already stored (same id and same content: sent
        again by Telegram); returns the update ids skipped as duplicates. A new update that only shares an id
        with an old one (ids start again after a quiet week) is stored."""
        return (await self.inbox_store(updates=updates))[1]

    async def inbox_store(self, *, updates: list[tuple[int, str]]) -> tuple[list[InboxItem], list[int]]:
        """`inbox_add`, returning also the stored updates as the processor reads them (so it need not)."""
        now = utcnow()
        stored: list[InboxItem] = []
        skipped: list[int] = []
        insert = _inbox_insert(self.engine.dialect.name)
        async with self._connection() as connection:
            handled = await self._legacy_handled(connection, [update_id for update_id, _payload in updates])
            for update_id, payload in updates:
                if update_id in handled:
                    skipped.append(update_id)
                    continue
                row = {
                    "update_id": update_id,
                    "fingerprint": fingerprint(payload),
                    "payload": payload,
                    "received_at": now,
                    "status": "pending",
                    "attempts": 0,
                }
                row_id = (await connection.execute(insert, row)).scalar_one_or_none()
                if row_id is None:
                    skipped.append(update_id)
                else:
                    stored.append(InboxItem(int(row_id), update_id, payload, 0))
        return stored, skipped

    async def _legacy_handled(self, connection: Any, update_ids: list[int]) -> set[int]:
        """Which of these update ids were handled before migration 0005 (rows without a fingerprint)."""
        if self._legacy_rows is not False:  # rows handled before migration 0005 (looked for once)
            legacy = select(InboxRow.update_id).where(InboxRow.fingerprint == "legacy").limit(1)
            self._legacy_rows = (await connection.execute(legacy)).first() is not None
        if not self._legacy_rows:
            return set()
        known = select(InboxRow.update_id).where(
            col(InboxRow.update_id).in_(update_ids), InboxRow.fingerprint == "legacy"
        )
        return set((await connection.execute(known)).scalars().all())

    async def inbox_store_handled(self, *, update_id: int, payload: str) -> int | None:
        """Store an update already handled, in the unit of work of its effects (one statement where
        `inbox_store` then `inbox_handled` take two): its id, or None when it was stored before (a duplicate,
        same id and same content), in which case the caller handles nothing."""
        now = utcnow()
        row = {
            "update_id": update_id,
            "fingerprint": fingerprint(payload),
            "payload": "",
            "received_at": now,
            "handled_at": now,
            "status": "handled",
            "attempts": 0,
        }
        async with self._connection() as connection:
            if await self._legacy_handled(connection, [update_id]):
                return None
            row_id = (await connection.execute(_inbox_insert(self.engine.dialect.name), row)).scalar()
        return None if row_id is None else int(row_id)

    async def inbox_pending(self, *, limit: int = 100) -> list[InboxItem]:
        """Stored updates not handled yet, in the order they arrived."""
        async with self._session() as session:
            query = (
                select(InboxRow).where(InboxRow.status == "pending").order_by(col(InboxRow.id)).limit(limit)
            )
            return [
                InboxItem(row.id or 0, row.update_id, row.payload, row.attempts)
                for row in (await session.exec(query)).all()
            ]

    async def inbox_handled(self, *, item_id: int) -> bool:
        """Mark an update handled (in the unit of work of its effects); False if it already was (by another
        process, in which case the caller rolls its effects back)."""
        async with self._connection() as connection:
            result = await connection.execute(_HANDLED, {"b_id": item_id, "b_at": utcnow()})
            return bool(result.rowcount)

    async def inbox_failed(self, *, item_id: int, error: str, set_aside: str | None = None) -> int:
        """Count a failed attempt; with `set_aside` ("unreadable", "set_aside") stop trying: the update and
        its payload stay for inspection, not marked handled. Returns the attempts so far."""
        async with self._session() as session:
            values: dict[str, Any] = {"attempts": InboxRow.attempts + 1, "error": error[:200]}
            if set_aside is not None:
                values |= {"status": set_aside, "handled_at": utcnow()}
            await session.exec(
                update(InboxRow)
                .where(col(InboxRow.id) == item_id, col(InboxRow.status) == "pending")
                .values(**values)
            )
            attempts = (await session.exec(select(InboxRow.attempts).where(InboxRow.id == item_id))).first()
            return int(attempts or 0)

    async def inbox_set_aside(self) -> list[tuple[int, str, str | None]]:
        """Updates set aside (unreadable, or failing again and again): (update id, status, error)."""
        async with self._session() as session:
            query = select(InboxRow.update_id, InboxRow.status, InboxRow.error).where(
                col(InboxRow.status).in_(("unreadable", "set_aside"))
            )
            return [
                (int(u), str(st), e)
                for u, st, e in (await session.exec(query.order_by(col(InboxRow.id)))).all()
            ]
