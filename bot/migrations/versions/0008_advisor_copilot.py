"""the advisor's co-pilot: hub groups linked with /link, bans, and the advisors' notes on a request

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 14:00:00

- hub_link: a hub's advisor group set with /link in the group (overrides advisor_chat_id of hubs.yaml).
- user_ban: an entrepreneur banned by a hub's advisors (/ban, /unban): their messages no longer reach it.
- handoff_note: the advisors' internal notes (! or /note) and a transfer's reason, carried to the new hub;
  deleted with their request.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('hub_link',
    sa.Column('hub_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('linked_by', sa.BigInteger(), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('hub_id', name=op.f('pk_hub_link'))
    )
    op.create_table('user_ban',
    sa.Column('hub_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('user_chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('banned_by', sa.BigInteger(), nullable=False),
    sa.Column('banned_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('hub_id', 'user_chat_id', name=op.f('pk_user_ban'))
    )
    op.create_table('handoff_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handoff_id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4096), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['handoff_id'], ['handoff.id'], name=op.f('fk_handoff_note_handoff_id_handoff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_note'))
    )
    with op.batch_alter_table('handoff_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_note_handoff_id'), ['handoff_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('handoff_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_note_handoff_id'))
    op.drop_table('handoff_note')
    op.drop_table('user_ban')
    op.drop_table('hub_link')
