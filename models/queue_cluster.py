"""The queue's per-cluster summary, kept for the "largest cluster first" order."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Index, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from models._columns import enum_column
from models.base import Base
from models.enums import OPEN_TRIAGE_STATES, TriageState
from models.item import Item

__all__ = ["QueueCluster", "refresh_queue_clusters"]


class QueueCluster(Base):
    """How many open items a cluster has per triage state, and its oldest open item.

    A summary kept for the queue's "largest cluster" order, so that order can walk an
    index instead of counting every open item. Rebuilt for the affected clusters by
    ``refresh_queue_clusters`` whenever clustering or a triage decision changes them.
    """

    __tablename__ = "queue_clusters"
    __table_args__ = (Index("ix_queue_clusters_order", "state", "open_count", "head_id"),)

    cluster_id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[TriageState] = mapped_column(enum_column(TriageState), primary_key=True)
    open_count: Mapped[int]
    head_id: Mapped[int]


def refresh_queue_clusters(session: Session, cluster_ids: Iterable[int | None]) -> None:
    """Recount the open items of these clusters (idempotent; safe to call twice)."""
    ids = sorted({c for c in cluster_ids if c is not None})
    if not ids:
        return
    session.flush()
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(Item.cluster_id, Item.triage_state, func.count(), func.min(Item.id))
            .where(Item.cluster_id.in_(chunk), Item.triage_state.in_(OPEN_TRIAGE_STATES))
            .group_by(Item.cluster_id, Item.triage_state)
        ).all()
        live = {(cid, state) for cid, state, _, _ in rows}
        if rows:  # one compiled statement, executed for many rows (not one per shape)
            stmt = insert(QueueCluster)
            stmt = stmt.on_conflict_do_update(
                index_elements=["cluster_id", "state"],
                set_={"open_count": stmt.excluded.open_count, "head_id": stmt.excluded.head_id},
            )
            session.execute(
                stmt,
                [
                    {"cluster_id": cid, "state": state, "open_count": n, "head_id": head}
                    for cid, state, n, head in rows
                ],
            )
        for state in OPEN_TRIAGE_STATES:
            gone = [cid for cid in chunk if (cid, state) not in live]
            if gone:
                session.execute(
                    delete(QueueCluster).where(
                        QueueCluster.state == state, QueueCluster.cluster_id.in_(gone)
                    )
                )
