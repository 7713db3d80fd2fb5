"""the "kemungkinan bukan aduan" count walks current suggestions by relevance

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_item_suggestions_current_relevance",
        "item_suggestions",
        ["superseded_at", "relevance"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_item_suggestions_current_relevance", table_name="item_suggestions")
