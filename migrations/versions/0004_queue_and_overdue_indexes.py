"""queue and overdue indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index("ix_complaints_status_due_at", ["status", "due_at"], unique=False)

    with op.batch_alter_table("item_suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confidence", sa.Float(), nullable=False, server_default="0"))
        batch_op.create_index(
            "ix_item_suggestions_current_confidence", ["superseded_at", "confidence"], unique=False
        )
    # Existing suggestions: the lower of topic and agency confidence.
    op.execute(
        "UPDATE item_suggestions SET confidence = CASE WHEN topic_confidence < agency_confidence "
        "THEN topic_confidence ELSE agency_confidence END"
    )


def downgrade() -> None:
    with op.batch_alter_table("item_suggestions", schema=None) as batch_op:
        batch_op.drop_index("ix_item_suggestions_current_confidence")
        batch_op.drop_column("confidence")

    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_status_due_at")
