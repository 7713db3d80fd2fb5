"""the complaint list's order (returned "bukan wewenang" first, newest first) from an index

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_complaints_list_order",
        "complaints",
        [
            sa.text("(returned_at IS NULL)"),
            sa.text("returned_at"),
            sa.text("created_at DESC"),
            sa.text("id DESC"),
        ],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_complaints_list_order", table_name="complaints")
