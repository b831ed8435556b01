"""funnel events for the network's report; the monthly digest's files and months posted

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 10:00:00

- funnel_event: one anonymous row per step of the funnel (conversation started, profile completed, results
  shown, each stated need, a request asked, claimed, answered, closed, transferred, rated, commented,
  followed up): codes, a small number, the time, and for a request's steps its number (set to NULL by
  /forget and the retention purge). No chat id, no name, no text. Nothing is carried over: the database
  did not record these steps before, so the report's funnel starts with this migration.
- report_file: the charts and the CSV of the monthly digest, waiting in the outbox (deleted days later).
- digest_sent: the months whose digest was posted, so that it is posted once whatever restarts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('funnel_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('hub_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('need', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handoff_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funnel_event'))
    )
    with op.batch_alter_table('funnel_event', schema=None) as batch_op:
        batch_op.create_index(
            'ix_funnel_event_counts',
            ['network', 'kind', 'hub_id', 'region', 'stage', 'need', 'value', 'at'],
            unique=False,
        )
        batch_op.create_index(
            'ix_funnel_event_visits', ['handoff_id', 'hub_id', 'kind', 'at', 'region', 'network'], unique=False
        )
    op.create_table('report_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_file')),
    sqlite_autoincrement=True,
    )
    op.create_table('digest_sent',
    sa.Column('network', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('network', 'month', name=op.f('pk_digest_sent'))
    )


def downgrade() -> None:
    op.drop_table('digest_sent')
    op.drop_table('report_file')
    with op.batch_alter_table('funnel_event', schema=None) as batch_op:
        batch_op.drop_index('ix_funnel_event_visits')
        batch_op.drop_index('ix_funnel_event_counts')
    op.drop_table('funnel_event')
