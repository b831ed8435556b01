"""outbox rows marked bulk: announcements and reminders, paced and sent after live replies

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 14:15:00

- outbox.bulk: a row of a mass sending (an opportunity alert to every fitting subscriber, a deadline reminder).
  Lane workers never read such rows; the bulk sender sends them at its own pace, when no live reply waits.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN, not a batch (copy-and-move) on SQLite: moving the table would drop its
    # AUTOINCREMENT counter, and ids of deleted rows could be given again (docs/handoff.md).
    op.add_column('outbox', sa.Column('bulk', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index('ix_outbox_bulk_status', 'outbox', ['bulk', 'status'])


def downgrade() -> None:
    op.drop_index('ix_outbox_bulk_status', table_name='outbox')
    op.drop_column('outbox', 'bulk')  # SQLite 3.35+ drops a column in place
