"""opportunity alerts: subscriptions, deadline reminders, what was announced, the opportunities last compared

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 14:30:00

- alert_subscription: an entrepreneur subscribed to new opportunities that fit them (chat id, language,
  profile codes); deleted by /alerts (Stop), /forget, or when they block the bot.
- deadline_reminder: "Remind me" on an opportunity, sent once 7 days before its deadline (sent_at).
- alert_sent: an opportunity (with its deadline) announced to a subscriber: never twice.
- known_opportunity: the catalog's opportunities as last compared: a reload's new or reopened ones.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('alert_subscription',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('profile', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_alert_subscription'))
    )
    op.create_table('deadline_reminder',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('entry_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('chat_id', 'entry_id', name=op.f('pk_deadline_reminder'))
    )
    with op.batch_alter_table('deadline_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_reminder_remind_at'), ['remind_at'], unique=False)
    op.create_table('alert_sent',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('entry_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('chat_id', 'entry_id', 'deadline', name=op.f('pk_alert_sent'))
    )
    op.create_table('known_opportunity',
    sa.Column('entry_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_known_opportunity'))
    )


def downgrade() -> None:
    op.drop_table('known_opportunity')
    op.drop_table('alert_sent')
    with op.batch_alter_table('deadline_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_reminder_remind_at'))
    op.drop_table('deadline_reminder')
    op.drop_table('alert_subscription')
