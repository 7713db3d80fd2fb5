"""item enrich state: which feed entries still want their article page

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("enrich_state", sa.String(length=16), nullable=True))
        batch.create_index(batch.f("ix_items_enrich_state"), ["enrich_state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_index(batch.f("ix_items_enrich_state"))
        batch.drop_column("enrich_state")
