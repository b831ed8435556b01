"""warm referrals to partners: the referrals and the e-mails queued for partners

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 15:00:00

- referral: "Put me in touch" (docs/referrals.md): the entry, the channel (telegram, email), what was shared
  (first name, profile, question: emptied by /forget, with the chat id), the status (draft, sent, accepted,
  declined, failed), the follow-up's answer (contacted, helped) the report counts per partner.
- referral_email: an e-mail to a partner, sent after the commit by the mailer, retried with backoff.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("network", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entry_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("partner_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("user_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("profile", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contacted", sa.Boolean(), nullable=True),
        sa.Column("helped", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
        sa.UniqueConstraint("token", name=op.f("uq_referral_token")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_follow_up_at"), ["follow_up_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_user_chat_id"), ["user_chat_id"], unique=False)
    op.create_table(
        "referral_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("to_addr", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referral.id"],
            name=op.f("fk_referral_email_referral_id_referral"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_email")),
    )
    with op.batch_alter_table("referral_email", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_email_next_at"), ["next_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_email_referral_id"), ["referral_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("referral_email", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_email_referral_id"))
        batch_op.drop_index(batch_op.f("ix_referral_email_next_at"))
    op.drop_table("referral_email")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_user_chat_id"))
        batch_op.drop_index(batch_op.f("ix_referral_follow_up_at"))
        batch_op.drop_index(batch_op.f("ix_referral_entry_id"))
    op.drop_table("referral")
