"""near-duplicate index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_buckets",
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_item_buckets_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bucket", "item_id", name=op.f("pk_item_buckets")),
    )
    op.create_table(
        "item_fingerprints",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_item_fingerprints_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_item_fingerprints")),
    )
    with op.batch_alter_table("item_fingerprints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_item_fingerprints_created_at"), ["created_at"], unique=False
        )

    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_key", sa.String(length=128), nullable=True))
        batch_op.create_index(batch_op.f("ix_items_group_key"), ["group_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_group_key"))
        batch_op.drop_column("group_key")

    with op.batch_alter_table("item_fingerprints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_fingerprints_created_at"))

    op.drop_table("item_fingerprints")
    op.drop_table("item_buckets")
