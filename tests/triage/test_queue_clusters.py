"""The per-cluster queue summary stays equal to a recount after clustering and decisions."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from collectors.dedup import cluster_items
from models import Item, QueueCluster, RejectReason, Source, SourceKind, TriageState, utcnow
from triage.actions import Actor, defer_item, merge_item, reject_item
from triage.queue import QueueFilter, list_cards


def _recount(session: Session) -> set[tuple[int, str, int, int]]:
    rows = session.execute(
        select(Item.cluster_id, Item.triage_state, func.count(), func.min(Item.id))
        .where(
            Item.cluster_id.is_not(None),
            Item.triage_state.in_([TriageState.PENDING, TriageState.DEFERRED]),
        )
        .group_by(Item.cluster_id, Item.triage_state)
    ).all()
    return {(c, s.value, n, h) for c, s, n, h in rows}


def _summary(session: Session) -> set[tuple[int, str, int, int]]:
    return {
        (q.cluster_id, q.state.value, q.open_count, q.head_id)
        for q in session.scalars(select(QueueCluster))
    }


def test_summary_follows_clustering_and_decisions(seeded: Engine) -> None:
    now = utcnow()
    actor = Actor("tester")
    with Session(seeded) as s:
        source = Source(kind=SourceKind.X, name="x", config={})
        s.add(source)
        s.flush()
        texts = ["banjir di jalan ahmad yani tidak surut sejak pagi"] * 4 + [
            f"lampu jalan mati nomor {n} di kampung {n}" for n in range(3)
        ]
        ids = []
        for n, text in enumerate(texts):
            item = Item(source_id=source.id, external_id=str(n), content_hash=f"h{n}", text=text)
            s.add(item)
            s.flush()
            ids.append(item.id)
        cluster_items(s, ids, now=now)
        s.commit()
        assert _summary(s) == _recount(s)
        cards, _ = list_cards(s, order="largest")
        assert cards[0].item.id == ids[0] and cards[0].cluster_size == 4

        reject_item(s, ids[0], actor, reason=RejectReason.SPAM, now=now)
        defer_item(s, ids[1], actor, now=now)
        s.commit()
        assert _summary(s) == _recount(s)
        cards, _ = list_cards(s, order="largest")
        assert cards[0].item.id == ids[2]  # the storm's new head, two copies still open
        deferred, _ = list_cards(s, QueueFilter(state=TriageState.DEFERRED), order="largest")
        assert [c.item.id for c in deferred] == [ids[1]]

        from models import Complaint

        complaint = Complaint(title="t", description="d")
        s.add(complaint)
        s.flush()
        for item_id in (ids[2], ids[3], ids[1]):
            merge_item(s, item_id, complaint.id, actor, now=now)
        s.commit()
        assert _summary(s) == _recount(s)
        assert all(q.cluster_id != ids[0] for q in s.scalars(select(QueueCluster)))
