"""reminders: e-mail addresses of users, and the reminders already sent

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("forwarded_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_reminders_sent_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint(
            "kind",
            "complaint_id",
            "recipient",
            "forwarded_at",
            name=op.f("uq_reminders_sent_kind_complaint_id_recipient_forwarded_at"),
        ),
    )
    op.create_index(
        op.f("ix_reminders_sent_complaint_id"), "reminders_sent", ["complaint_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_reminders_sent_complaint_id"), table_name="reminders_sent")
    op.drop_table("reminders_sent")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
