"""Collected items (posts, articles, manual reports), the classifier's suggestions for
them, and the triage decisions admins make on them (which double as training labels)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.sql import Select

from models._columns import enum_column
from models.base import Base, utcnow
from models.enums import OPEN_TRIAGE_STATES, TRIAGE_TRANSITIONS, RejectReason, TriageState

if TYPE_CHECKING:
    from models.agency import Agency
    from models.complaint import Complaint
    from models.region import Region
    from models.source import Source

__all__ = [
    "InvalidTransition",
    "Item",
    "ItemSuggestion",
    "TriageDecision",
]


class InvalidTransition(ValueError):
    """A state change that the transition table does not allow."""


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id"),
        Index("ix_items_triage_state_published_at", "triage_state", "published_at"),
        # The queue shows the oldest open item of each cluster: a probe per candidate row.
        Index("ix_items_cluster_state", "cluster_id", "triage_state", "id"),
        Index("ix_items_place_key", "place_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(512))
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(String(2048), index=True)
    author: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    cluster_id: Mapped[int | None] = mapped_column(index=True)
    # Items that are the same conversation by construction (a retweet and its original):
    # "x:<original tweet id>". Clustering joins items with the same key first.
    group_key: Mapped[str | None] = mapped_column(String(128), index=True)
    # Feed entries whose article page is still to be fetched: "pending" from storing until
    # enrichment records "done", "failed" or "skipped" (not worth it). A run that was
    # killed in between leaves "pending", and the next run catches up.
    enrich_state: Mapped[str | None] = mapped_column(String(16), index=True)
    # The named road, landmark or facility the post is about (classifier/places.py), ""
    # when it names none, NULL until looked at; the kecamatan it names, when it does.
    # Recurring-issue reports group on them.
    place_key: Mapped[str | None] = mapped_column(String(160))
    # (No foreign key: adding one makes SQLite rebuild the items table, whose ON DELETE
    # CASCADE children would be emptied; the id comes from the regions table only.)
    place_district_id: Mapped[int | None]

    triage_state: Mapped[TriageState] = mapped_column(
        enum_column(TriageState), default=TriageState.PENDING
    )
    triaged_at: Mapped[datetime | None]
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    triage_note: Mapped[str | None] = mapped_column(Text)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claim_expires_at: Mapped[datetime | None]
    #: An admin brought it back from "kemungkinan bukan aduan": main queue whatever the
    #: relevance score says.
    kept_in_queue: Mapped[bool] = mapped_column(default=False, server_default=false())

    source: Mapped[Source] = relationship()
    complaint: Mapped[Complaint | None] = relationship(back_populates="items")
    suggestions: Mapped[list[ItemSuggestion]] = relationship(
        back_populates="item", order_by="ItemSuggestion.id", passive_deletes=True
    )

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("triage_state", TriageState.PENDING)
        super().__init__(**kwargs)

    @classmethod
    def awaiting_triage(cls) -> Select[tuple[Item]]:
        """The one rule for what is in the triage queue: pending items, newest first."""
        return (
            select(cls)
            .where(cls.triage_state == TriageState.PENDING)
            .order_by(cls.published_at.desc().nulls_last(), cls.id.desc())
        )

    @classmethod
    def awaiting_article(cls) -> Select[tuple[int]]:
        """The one rule for "still wants its article page"."""
        return select(cls.id).where(cls.enrich_state == "pending").order_by(cls.id)

    @property
    def is_open(self) -> bool:
        """Still waiting for a triage decision (pending or deferred)."""
        return self.triage_state in OPEN_TRIAGE_STATES

    @property
    def current_suggestion(self) -> ItemSuggestion | None:
        current = [s for s in self.suggestions if s.superseded_at is None]
        return current[-1] if current else None

    @classmethod
    def lock(cls, session: Session, item_ids: Iterable[int]) -> None:
        """Lock these items and every item of their clusters, in id order.

        One global order (by id) means two transactions never wait for each other in a
        circle (PostgreSQL); on SQLite the write transaction already holds the lock.
        """
        ids = sorted(set(item_ids))
        if not ids:
            return
        clusters = select(cls.cluster_id).where(cls.id.in_(ids), cls.cluster_id.is_not(None))
        session.execute(
            select(cls.id)
            .where(or_(cls.id.in_(ids), cls.cluster_id.in_(clusters)))
            .order_by(cls.id)
            .with_for_update()
        ).all()

    def decide(self, session: Session, new_state: TriageState) -> None:
        """Move to ``new_state`` only if nobody moved the item since it was read.

        The gate is one conditional UPDATE (``WHERE triage_state = <state read>``): of two
        admins deciding the same item at once, exactly one changes a row; the other gets
        InvalidTransition, on SQLite and PostgreSQL alike.
        """
        self._check_move(new_state)  # before the UPDATE: an autoflush must not write it
        gate = session.execute(
            update(Item)
            .where(Item.id == self.id, Item.triage_state == self.triage_state)
            .values(triage_state=new_state)
            .execution_options(synchronize_session=False)
        )
        if getattr(gate, "rowcount", 0) != 1:
            raise InvalidTransition(f"item #{self.id} sudah diproses oleh admin lain")
        self.triage_state = new_state

    def move_to(self, new_state: TriageState) -> None:
        """Change the triage state, only along ``TRIAGE_TRANSITIONS``."""
        self._check_move(new_state)
        self.triage_state = new_state

    def _check_move(self, new_state: TriageState) -> None:
        if new_state not in TRIAGE_TRANSITIONS[self.triage_state]:
            raise InvalidTransition(
                f"status triase tidak boleh berubah dari '{self.triage_state.label}' "
                f"ke '{new_state.label}'"
            )

    @classmethod
    def reported_at(cls) -> ColumnElement[datetime]:
        """When the post appeared: its publication time, or when we fetched it."""
        return func.coalesce(cls.published_at, cls.fetched_at)

    def __repr__(self) -> str:
        return f"<Item {self.id} {self.external_id[:40]!r}>"


class ItemSuggestion(Base):
    """What a model suggested for an item; older suggestions are kept, marked superseded."""

    __tablename__ = "item_suggestions"
    __table_args__ = (
        Index("ix_item_suggestions_item_current", "item_id", "superseded_at"),
        # The queue's "least confident first" order walks this index.
        Index("ix_item_suggestions_current_confidence", "superseded_at", "confidence"),
        # The "kemungkinan bukan aduan" count walks the low-relevance current suggestions.
        Index("ix_item_suggestions_current_relevance", "superseded_at", "relevance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    topic: Mapped[str | None] = mapped_column(String(40), index=True)
    topic_confidence: Mapped[float] = mapped_column(default=0.0)
    function: Mapped[str | None] = mapped_column(String(40))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    agency_confidence: Mapped[float] = mapped_column(default=0.0)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    region_confidence: Mapped[float] = mapped_column(default=0.0)
    relevance: Mapped[float] = mapped_column(default=0.0)
    # The lower of topic and agency confidence: how sure the whole suggestion is.
    confidence: Mapped[float] = mapped_column(default=0.0)
    needs_review: Mapped[bool] = mapped_column(default=True)
    model_version: Mapped[str] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # top-3, reasons, mentions
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime | None]

    item: Mapped[Item] = relationship(back_populates="suggestions")
    agency: Mapped[Agency | None] = relationship()

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "confidence",
            min(kwargs.get("topic_confidence", 0.0), kwargs.get("agency_confidence", 0.0)),
        )
        super().__init__(**kwargs)

    region: Mapped[Region | None] = relationship()

    @classmethod
    def is_current(cls, item_id: Any = None) -> ColumnElement[bool]:
        """The one rule for "the current suggestion": not superseded (of ``item_id``, an id
        or a column such as ``Item.id``, when given)."""
        current = cls.superseded_at.is_(None)
        return current if item_id is None else and_(cls.item_id == item_id, current)

    @classmethod
    def current_id(cls, session: Session, item_id: int) -> int | None:
        return session.scalar(select(cls.id).where(cls.is_current(item_id)))

    @classmethod
    def current_version(cls, session: Session, item_id: int) -> str | None:
        return session.scalar(select(cls.model_version).where(cls.is_current(item_id)))

    @classmethod
    def supersede(cls, session: Session, item_ids: Iterable[int], *, now: datetime) -> None:
        """Mark these items' current suggestions as replaced (before adding new ones)."""
        ids = list(item_ids)
        if ids:
            session.execute(
                update(cls)
                .where(cls.is_current(), cls.item_id.in_(ids))
                .values(superseded_at=now)
                .execution_options(synchronize_session=False)
            )

    @classmethod
    def least_confident_first(cls) -> tuple[ColumnElement[Any], ...]:
        """The one "uncertain" order of the queue (CLI and web): the suggestions the model
        is least sure of first, where an admin's decision teaches the most."""
        return (cls.confidence.asc(), cls.id.asc())


class TriageDecision(Base):
    """One admin decision on an item: who, when, why, and the labels it sets.

    Append-only; the classifier's learning loop reads its labels from here.
    """

    __tablename__ = "triage_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    state: Mapped[TriageState] = mapped_column(enum_column(TriageState))
    reject_reason: Mapped[RejectReason | None] = mapped_column(enum_column(RejectReason))
    note: Mapped[str | None] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(40))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    suggestion_id: Mapped[int | None] = mapped_column(ForeignKey("item_suggestions.id"))


# Reports select items by when they were reported (a period, the last 60 days).
Index("ix_items_reported_at", Item.reported_at())
