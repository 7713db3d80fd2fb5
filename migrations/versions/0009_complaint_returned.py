"""complaints returned "bukan wewenang": when, by which SKPD, why

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("returned_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("returned_by_agency_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("returned_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("returned_reason")
        batch.drop_column("returned_by_agency_id")
        batch.drop_column("returned_at")
