"""relay links say which messages are the bot's copies

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 01:10:00

- relay_link.bot_copy: the message is the bot's copy of what the entrepreneur wrote (deleted after their
  /forget), not an advisor's own message in the thread (theirs to delete: docs/handoff.md). Links made before
  this revision could be either: they stay counted as copies, as they were treated until now.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("relay_link") as batch:
        batch.add_column(sa.Column("bot_copy", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("relay_link") as batch:
        batch.drop_column("bot_copy")
