"""items an admin brought back from "kemungkinan bukan aduan" to the main queue

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite supports it with a default): a batch rebuild of the items
    # table would trip over its expression index and its ON DELETE CASCADE children.
    op.add_column(
        "items",
        sa.Column("kept_in_queue", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("items", "kept_in_queue")
