"""The triage queue as plain rows: pending items with their current suggestion."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from models.agency import Agency
from models.complaint import Complaint
from models.enums import OPEN_TRIAGE_STATES, SourceKind, TriageState
from models.item import Item, ItemSuggestion
from models.queue_cluster import QueueCluster
from models.region import Region
from models.source import Source

__all__ = [
    "CARD_ORDERS",
    "ORDERS",
    "QueueCard",
    "QueueEntry",
    "QueueFilter",
    "count_queue",
    "list_cards",
    "list_queue",
]


@dataclass(frozen=True, slots=True)
class QueueEntry:
    id: int
    source_kind: str
    source_name: str
    title: str | None
    text: str
    url: str | None
    published_at: datetime | None
    cluster_id: int | None
    suggested_topic: str | None
    suggested_agency: str | None
    suggested_agency_code: str | None
    suggested_region: str | None
    topic_confidence: float | None
    agency_confidence: float | None
    confidence: float | None  # the lower of the two: how sure the whole suggestion is
    relevance: float | None
    needs_review: bool | None
    model_version: str | None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        return data


def count_queue(session: Session) -> int:
    pending = Item.awaiting_triage().order_by(None).subquery()
    return session.scalar(select(func.count()).select_from(pending)) or 0


ORDERS = ("newest", "uncertain")


def list_queue(
    session: Session, *, limit: int = 50, offset: int = 0, order: str = "newest"
) -> list[QueueEntry]:
    """Pending items with their current suggestion.

    ``order="uncertain"`` puts the items the model is least sure of first (active
    learning: an admin's decision teaches the most there).
    """
    if order not in ORDERS:
        raise ValueError(f"urutan tidak dikenal: {order} (pilihan: {', '.join(ORDERS)})")
    suggestion = ItemSuggestion
    stmt = (
        Item.awaiting_triage()
        .join(Source, Source.id == Item.source_id)
        .outerjoin(suggestion, suggestion.is_current(Item.id))
        .outerjoin(Agency, Agency.id == suggestion.agency_id)
        .outerjoin(Region, Region.id == suggestion.region_id)
        .with_only_columns(
            Item.id,
            Source.kind,
            Source.name,
            Item.title,
            Item.text,
            Item.url,
            Item.published_at,
            Item.cluster_id,
            suggestion.topic,
            Agency.name,
            Agency.code,
            Region.name,
            suggestion.topic_confidence,
            suggestion.agency_confidence,
            suggestion.relevance,
            suggestion.needs_review,
            suggestion.model_version,
            suggestion.confidence,
        )
        .limit(limit)
        .offset(offset)
    )
    if order == "uncertain":
        # Items not yet tagged first: the model has said nothing about them.
        stmt = stmt.order_by(None).order_by(
            suggestion.id.is_(None).desc(), *ItemSuggestion.least_confident_first()
        )
    rows = session.execute(stmt).all()
    return [
        QueueEntry(
            id=r[0],
            source_kind=r[1].value,
            source_name=r[2],
            title=r[3],
            text=r[4],
            url=r[5],
            published_at=r[6],
            cluster_id=r[7],
            suggested_topic=r[8],
            suggested_agency=r[9],
            suggested_agency_code=r[10],
            suggested_region=r[11],
            topic_confidence=r[12],
            agency_confidence=r[13],
            confidence=r[17],
            relevance=r[14],
            needs_review=r[15],
            model_version=r[16],
        )
        for r in rows
    ]


# --- Cards: one per duplicate cluster, with filters (the web queue) -----------------

CARD_ORDERS = {
    "newest": "terbaru",
    "uncertain": "paling tidak yakin",
    "largest": "kluster terbesar",
}


@dataclass(slots=True)
class QueueFilter:
    """What the admin narrowed the queue to; every field is optional."""

    state: TriageState = TriageState.PENDING
    source_kind: SourceKind | None = None
    topic: str | None = None
    agency_id: int | None = None
    region_id: int | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None  # exclusive


@dataclass(slots=True)
class QueueCard:
    """The oldest open item of a cluster stands for the cluster."""

    item: Item
    suggestion: ItemSuggestion | None
    cluster_size: int = 1
    source_kinds: list[str] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)  # open items the card acts on
    linked_complaint: Complaint | None = None  # the cluster already became this complaint

    @property
    def confidence(self) -> float | None:
        return None if self.suggestion is None else self.suggestion.confidence


def list_cards(
    session: Session,
    flt: QueueFilter | None = None,
    *,
    order: str = "newest",
    limit: int = 25,
    offset: int = 0,
) -> tuple[list[QueueCard], bool]:
    """One page of cards and whether another page follows.

    A card is the open item with the smallest id of its cluster (a per-row index probe,
    so the first pages stay fast however long the queue is); filters apply to that item
    and its current suggestion.
    """
    if order not in CARD_ORDERS:
        raise ValueError(f"urutan tidak dikenal: {order}")
    flt = flt or QueueFilter()
    if flt.state not in OPEN_TRIAGE_STATES:
        raise ValueError(f"status antrean tidak dikenal: {flt.state}")
    other = aliased(Item)
    suggestion = ItemSuggestion
    current = suggestion.is_current(Item.id)
    stmt = select(Item, suggestion).options(joinedload(Item.source))
    if order == "largest":
        # Walks the per-cluster summary (state, open_count, head_id) index; a head that
        # was decided since the summary was written is skipped by the state check.
        # Items not yet clustered wait for the clustering step of the same flow run.
        stmt = (
            stmt.select_from(QueueCluster)
            .join(Item, Item.id == QueueCluster.head_id)
            .outerjoin(suggestion, current)
            .where(QueueCluster.state == flt.state, Item.triage_state == flt.state)
            .order_by(QueueCluster.open_count.desc(), QueueCluster.head_id.desc())
        )
    else:
        head = or_(
            Item.cluster_id.is_(None),
            ~exists().where(
                other.cluster_id == Item.cluster_id,
                other.triage_state == flt.state,
                other.id < Item.id,
            ),
        )
        if order == "uncertain":
            # Walks the (superseded_at, confidence) index: the first page costs a few
            # probes however long the queue is. Items not yet tagged have no place in
            # this order; "newest" lists them.
            stmt = (
                stmt.select_from(suggestion)
                .join(Item, Item.id == suggestion.item_id)
                .where(suggestion.is_current())
                .order_by(*ItemSuggestion.least_confident_first())
            )
        else:
            stmt = stmt.outerjoin(suggestion, current).order_by(
                Item.published_at.desc().nulls_last(), Item.id.desc()
            )
        stmt = stmt.where(Item.triage_state == flt.state, head)
    if flt.source_kind is not None:
        stmt = stmt.where(
            Item.source_id.in_(select(Source.id).where(Source.kind == flt.source_kind))
        )
    if flt.topic:
        stmt = stmt.where(suggestion.topic == flt.topic)
    if flt.agency_id is not None:
        stmt = stmt.where(suggestion.agency_id == flt.agency_id)
    if flt.region_id is not None:
        stmt = stmt.where(suggestion.region_id == flt.region_id)
    if flt.min_confidence is not None:
        stmt = stmt.where(suggestion.confidence >= flt.min_confidence)
    if flt.max_confidence is not None:
        stmt = stmt.where(suggestion.confidence <= flt.max_confidence)
    if flt.date_from is not None:
        stmt = stmt.where(Item.published_at >= flt.date_from)
    if flt.date_to is not None:
        stmt = stmt.where(Item.published_at < flt.date_to)
    rows = session.execute(stmt.limit(limit + 1).offset(offset)).all()
    has_more = len(rows) > limit
    cards = [QueueCard(item=item, suggestion=sugg) for item, sugg in rows[:limit]]
    _fill_clusters(session, cards, flt.state)
    return cards, has_more


def _fill_clusters(session: Session, cards: list[QueueCard], state: TriageState) -> None:
    cluster_ids = {c.item.cluster_id for c in cards if c.item.cluster_id is not None}
    members: dict[int, list[tuple[int, TriageState, str, int | None]]] = {}
    if cluster_ids:
        rows = session.execute(
            select(Item.cluster_id, Item.id, Item.triage_state, Source.kind, Item.complaint_id)
            .join(Source, Source.id == Item.source_id)
            .where(Item.cluster_id.in_(cluster_ids))
            .order_by(Item.id)
        ).all()
        for cid, iid, st, kind, complaint_id in rows:
            members.setdefault(cid, []).append((iid, st, kind.value, complaint_id))
    complaint_ids = {m[3] for ms in members.values() for m in ms if m[3] is not None}
    complaints = (
        {c.id: c for c in session.scalars(select(Complaint).where(Complaint.id.in_(complaint_ids)))}
        if complaint_ids
        else {}
    )
    for card in cards:
        group = members.get(card.item.cluster_id or -1) or [
            (card.item.id, card.item.triage_state, card.item.source.kind.value, None)
        ]
        card.cluster_size = len(group)
        card.source_kinds = sorted({m[2] for m in group})
        card.member_ids = [m[0] for m in group if m[1] is state]
        linked = [m[3] for m in group if m[3] is not None]
        card.linked_complaint = complaints.get(linked[-1]) if linked else None
