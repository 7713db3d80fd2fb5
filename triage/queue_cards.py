"""The web queue: one card per duplicate cluster, with filters, orders and counts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload
from sqlalchemy.sql import Select

from models.complaint import Complaint
from models.enums import OPEN_TRIAGE_STATES, SourceKind, TriageState
from models.item import Item, ItemSuggestion
from models.queue_cluster import QueueCluster
from models.source import Source

__all__ = [
    "ALWAYS_MAIN",
    "CARD_ORDERS",
    "VIEWS",
    "QueueCard",
    "QueueFilter",
    "count_filtered",
    "count_views",
    "list_cards",
    "low_relevance",
]

CARD_ORDERS = {
    "newest": "terbaru",
    "uncertain": "paling tidak yakin",
    "largest": "kluster terbesar",
    "relevant": "paling relevan",
}
#: The queue's two views: the main queue, and items the relevance model thinks are not
#: complaints (news about ceremonies, sports, ads), swept in bulk by an admin.
VIEWS = {"main": "antrean utama", "low": "kemungkinan bukan aduan", "all": "semua"}
#: Reports a person sent on purpose always enter the main queue.
ALWAYS_MAIN = (SourceKind.WEB_FORM, SourceKind.MANUAL)


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
    view: str = "all"  # a key of VIEWS; the web queue opens on "main"
    relevance_threshold: float = 0.5
    needs_review: bool | None = None


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
        elif order == "relevant":
            stmt = stmt.outerjoin(suggestion, current).order_by(
                suggestion.relevance.desc().nulls_last(), Item.id.desc()
            )
        else:
            stmt = stmt.outerjoin(suggestion, current).order_by(
                Item.published_at.desc().nulls_last(), Item.id.desc()
            )
        stmt = stmt.where(Item.triage_state == flt.state, head)
    stmt = _filtered(stmt, flt)
    rows = session.execute(stmt.limit(limit + 1).offset(offset)).all()
    has_more = len(rows) > limit
    cards = [QueueCard(item=item, suggestion=sugg) for item, sugg in rows[:limit]]
    _fill_clusters(session, cards, flt.state)
    return cards, has_more


def low_relevance(threshold: float) -> ColumnElement[bool]:
    """An item in "kemungkinan bukan aduan": scored below the threshold, not brought back
    by an admin, and not sent on purpose (public form, import). Needs the current
    suggestion joined as ``ItemSuggestion``."""
    return and_(
        ItemSuggestion.relevance < threshold,
        Item.kept_in_queue.is_(False),
        Item.source_id.not_in(select(Source.id).where(Source.kind.in_(ALWAYS_MAIN))),
    )


def _filtered(stmt: Select[Any], flt: QueueFilter) -> Select[Any]:
    """The filter's conditions on an item and its current suggestion (joined as is)."""
    suggestion = ItemSuggestion
    if flt.view == "low":
        stmt = stmt.where(low_relevance(flt.relevance_threshold))
    elif flt.view == "main":
        # The exact complement of low_relevance, NULL-safe: an item not yet tagged is here.
        stmt = stmt.where(
            or_(
                suggestion.id.is_(None),
                suggestion.relevance.is_(None),
                suggestion.relevance >= flt.relevance_threshold,
                Item.kept_in_queue.is_(True),
                Item.source_id.in_(select(Source.id).where(Source.kind.in_(ALWAYS_MAIN))),
            )
        )
    if flt.needs_review is not None:
        stmt = stmt.where(suggestion.needs_review.is_(flt.needs_review))
    if flt.source_kind is not None:
        stmt = stmt.where(
            Item.source_id.in_(select(Source.id).where(Source.kind == flt.source_kind))
        )
    for column, value in (
        (suggestion.topic, flt.topic or None),
        (suggestion.agency_id, flt.agency_id),
        (suggestion.region_id, flt.region_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if flt.min_confidence is not None:
        stmt = stmt.where(suggestion.confidence >= flt.min_confidence)
    if flt.max_confidence is not None:
        stmt = stmt.where(suggestion.confidence <= flt.max_confidence)
    if flt.date_from is not None:
        stmt = stmt.where(Item.published_at >= flt.date_from)
    if flt.date_to is not None:
        stmt = stmt.where(Item.published_at < flt.date_to)
    return stmt


def count_filtered(session: Session, flt: QueueFilter) -> int:
    """How many open items (not cards) the filtered view holds: the page's "N menunggu"."""
    if flt.view == "all" and not _on_suggestion(flt):
        # Nothing asks for the suggestion: the items alone (an index count, not a join).
        return (
            session.scalar(
                _filtered(select(func.count(Item.id)).where(Item.triage_state == flt.state), flt)
            )
            or 0
        )
    stmt = (
        select(func.count(Item.id))
        .select_from(Item)
        .outerjoin(ItemSuggestion, ItemSuggestion.is_current(Item.id))
        .where(Item.triage_state == flt.state)
    )
    return session.scalar(_filtered(stmt, flt)) or 0


def count_views(session: Session, flt: QueueFilter) -> dict[str, int]:
    """Open items of the filter in each view: "low" counted, "main" the rest ("main" is the
    exact complement of "low", NULL-safe: ``_filtered``), "all" both. Two counts, not three
    joins: on 100,000 open items the main view's own count took 0.1-0.17 s."""
    everything = count_filtered(session, replace(flt, view="all"))
    low = count_filtered(session, replace(flt, view="low"))
    return {"all": everything, "main": everything - low, "low": low}


def _on_suggestion(flt: QueueFilter) -> bool:
    """Whether the filter reads the current suggestion (else the items alone answer)."""
    return any(
        value not in (None, "")
        for value in (
            flt.needs_review,
            flt.topic,
            flt.agency_id,
            flt.region_id,
            flt.min_confidence,
            flt.max_confidence,
        )
    )


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
