"""inbox in arrival order, deduplicated on id and content, with set-aside updates; outbox ids never reused

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 23:00:00

- inbox: update ids start again (at random) after a quiet week, so the key is an arrival number; a duplicate
  is the same update id with the same content (fingerprint). Updates that cannot be read or keep failing are
  set aside (status, attempts, error), not marked handled. Rows are carried over: pending ones with their
  fingerprint, handled ones (already emptied) as "legacy", which matches any content with that id until the
  daily purge removes them.
- outbox: AUTOINCREMENT on SQLite (a deleted row's id is never given again) and a per-row token, so a worker
  that still holds a row it read never marks another row.
"""

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY = "legacy"
# Typed, so that SQLite's stored text comes back as datetimes.
_OLD = sa.table(
    'inbox',
    sa.column('update_id', sa.BigInteger()),
    sa.column('payload', sa.String()),
    sa.column('received_at', sa.DateTime(timezone=True)),
    sa.column('handled_at', sa.DateTime(timezone=True)),
)


def _fingerprint(payload: str) -> str:
    """The same function as bot.storage.fingerprint, frozen here as migrations must be."""
    try:
        canonical = json.dumps(json.loads(payload), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        canonical = payload
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def upgrade() -> None:
    connection = op.get_bind()
    old = connection.execute(sa.select(*_OLD.c).order_by(_OLD.c.update_id)).all()
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_handled_at'))
    op.drop_table('inbox')
    inbox = op.create_table('inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.BigInteger(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('payload', sqlmodel.sql.sqltypes.AutoString(length=200000), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox')),
    sa.UniqueConstraint('update_id', 'fingerprint', name=op.f('uq_inbox_update_id')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_handled_at'), ['handled_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_status'), ['status'], unique=False)
    if old:
        op.bulk_insert(inbox, [
            {
                "update_id": update_id,
                "fingerprint": _fingerprint(payload) if handled_at is None else LEGACY,
                "payload": payload,
                "received_at": received_at,
                "handled_at": handled_at,
                "status": "pending" if handled_at is None else "handled",
                "attempts": 0,
            }
            for update_id, payload, received_at, handled_at in old
        ])

    sqlite = connection.dialect.name == "sqlite"
    with op.batch_alter_table(
        'outbox', schema=None, recreate='always' if sqlite else 'never',
        table_kwargs={'sqlite_autoincrement': True},
    ) as batch_op:
        batch_op.add_column(
            sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default='')
        )


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('token')
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(*_OLD.c).where(sa.column('status').in_(('pending', 'handled'))).order_by(sa.column('id'))
    ).all()
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_status'))
        batch_op.drop_index(batch_op.f('ix_inbox_handled_at'))
    op.drop_table('inbox')
    inbox = op.create_table('inbox',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('payload', sqlmodel.sql.sqltypes.AutoString(length=200000), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_inbox'))
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_handled_at'), ['handled_at'], unique=False)
    latest = {update_id: (update_id, payload, received, handled) for update_id, payload, received, handled in rows}
    if latest:
        op.bulk_insert(inbox, [
            {"update_id": u, "payload": p, "received_at": r, "handled_at": h} for u, p, r, h in latest.values()
        ])
