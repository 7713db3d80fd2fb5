"""queue cluster summary

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_clusters",
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "confirmed",
                "merged",
                "rejected",
                "deferred",
                name="triagestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("open_count", sa.Integer(), nullable=False),
        sa.Column("head_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cluster_id", "state", name=op.f("pk_queue_clusters")),
    )
    with op.batch_alter_table("queue_clusters", schema=None) as batch_op:
        batch_op.create_index(
            "ix_queue_clusters_order", ["state", "open_count", "head_id"], unique=False
        )
    # Summaries of the clusters already in the queue.
    op.execute(
        "INSERT INTO queue_clusters (cluster_id, state, open_count, head_id) "
        "SELECT cluster_id, triage_state, count(*), min(id) FROM items "
        "WHERE cluster_id IS NOT NULL AND triage_state IN ('pending', 'deferred') "
        "GROUP BY cluster_id, triage_state"
    )


def downgrade() -> None:
    with op.batch_alter_table("queue_clusters", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_clusters_order")

    op.drop_table("queue_clusters")
