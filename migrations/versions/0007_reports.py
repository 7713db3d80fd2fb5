"""reports: place keys on items, the working-day calendar, indexes on report times

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("place_key", sa.String(length=160), nullable=True))
        batch.add_column(sa.Column("place_district_id", sa.Integer(), nullable=True))
        batch.create_index("ix_items_place_key", ["place_key"], unique=False)
    op.create_index(
        "ix_items_reported_at",
        "items",
        [sa.text("coalesce(published_at, fetched_at)")],
        unique=False,
    )
    op.create_index("ix_complaints_forwarded_at", "complaints", ["forwarded_at"], unique=False)
    op.create_table(
        "work_calendar",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("workday_no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_work_calendar")),
    )


def downgrade() -> None:
    op.drop_table("work_calendar")
    op.drop_index("ix_complaints_forwarded_at", table_name="complaints")
    op.drop_index("ix_items_reported_at", table_name="items")
    with op.batch_alter_table("items") as batch:
        batch.drop_index("ix_items_place_key")
        batch.drop_column("place_district_id")
        batch.drop_column("place_key")
