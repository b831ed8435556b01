"""whole profile on the conversation (several sectors, eligibility); coverage gaps

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('profile', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False, server_default='{}')
        )
    op.create_table('coverage_gap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('need', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_gap'))
    )
    with op.batch_alter_table('coverage_gap', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_gap_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_coverage_gap_network'), ['network'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('coverage_gap', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_gap_network'))
        batch_op.drop_index(batch_op.f('ix_coverage_gap_created_at'))
    op.drop_table('coverage_gap')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('profile')
