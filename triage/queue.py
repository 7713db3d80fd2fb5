"""The triage queue as plain rows: pending items with their current suggestion."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.item import Item, ItemSuggestion
from models.region import Region
from models.source import Source

# The web's card queue lives in triage.queue_cards; re-exported for one import place.
from triage.queue_cards import CARD_ORDERS, QueueCard, QueueFilter, list_cards

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
