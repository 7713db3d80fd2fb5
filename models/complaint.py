"""Complaints (what gets forwarded to an SKPD) and the follow-up notes agencies add."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, ForeignKey, Index, String, Text, and_, false, select
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.sql import Select

from models._columns import enum_column
from models.base import Base, utcnow
from models.enums import COMPLAINT_TRANSITIONS, ComplaintStatus
from models.event import record_event
from models.item import InvalidTransition
from models.workdays import Deadlines

if TYPE_CHECKING:
    from models.agency import Agency
    from models.item import Item
    from models.region import Region

__all__ = ["Attachment", "Complaint", "FollowUp", "IntakeReceipt", "ResponseTemplate"]

#: Statuses in which the SKPD still owes a follow-up.
AWAITING_FOLLOW_UP = (ComplaintStatus.FORWARDED,)


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_due_at", "status", "due_at"),
        # Follow-up reports select the complaints forwarded in a period.
        Index("ix_complaints_forwarded_at", "forwarded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(40), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    status: Mapped[ComplaintStatus] = mapped_column(
        enum_column(ComplaintStatus), default=ComplaintStatus.NEW, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    verified_at: Mapped[datetime | None]
    forwarded_at: Mapped[datetime | None]
    first_follow_up_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    lapor_tracking_id: Mapped[str | None] = mapped_column(String(64))  # SP4N-LAPOR! id
    # An SKPD answered "bukan wewenang": when, which SKPD, why. Cleared when it is
    # forwarded again; until then operators see it marked and first in their list. (No
    # foreign key: adding one makes SQLite rebuild the table and empty its children.)
    returned_at: Mapped[datetime | None]
    returned_by_agency_id: Mapped[int | None]
    returned_reason: Mapped[str | None] = mapped_column(Text)
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    is_confidential: Mapped[bool] = mapped_column(default=False)
    reporter_contact: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    agency: Mapped[Agency | None] = relationship()
    region: Mapped[Region | None] = relationship()
    items: Mapped[list[Item]] = relationship(back_populates="complaint")
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="complaint", order_by="FollowUp.created_at"
    )

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("status", ComplaintStatus.NEW)
        kwargs.setdefault("created_at", utcnow())
        super().__init__(**kwargs)

    def _is_overdue(self, now: datetime) -> bool:
        return self.status in AWAITING_FOLLOW_UP and self.due_at is not None and self.due_at < now

    @classmethod
    def _is_overdue_expression(cls, now: datetime) -> ColumnElement[bool]:
        return and_(cls.status.in_(AWAITING_FOLLOW_UP), cls.due_at.is_not(None), cls.due_at < now)

    #: The one rule for "late": forwarded, no follow-up yet, and past the due time. On an
    #: instance a bool (``c.is_overdue(now)``), on the class a SQL condition.
    is_overdue = hybrid_method(_is_overdue, _is_overdue_expression)

    @classmethod
    def overdue(cls, now: datetime) -> Select[tuple[Complaint]]:
        """Late complaints, the most overdue first."""
        return select(cls).where(cls.is_overdue(now)).order_by(cls.due_at, cls.id)

    def assign_tracking_number(self) -> None:
        """``ADU-<year>-<id>``; needs the id, so call after a flush."""
        if self.tracking_number is None and self.id is not None:
            self.tracking_number = f"ADU-{self.created_at.year}-{self.id:06d}"

    def change_status(
        self,
        session: Session,
        new_status: ComplaintStatus,
        *,
        actor: str,
        actor_id: int | None = None,
        note: str | None = None,
        now: datetime | None = None,
        deadlines: Deadlines | None = None,
    ) -> None:
        """The only way a complaint's status changes: checked, timestamped and logged.

        Forwarding starts the follow-up clock, so it needs ``deadlines``.
        """
        if new_status not in COMPLAINT_TRANSITIONS[self.status]:
            raise InvalidTransition(
                f"status aduan tidak boleh berubah dari '{self.status.label}' "
                f"ke '{new_status.label}'"
            )
        if new_status is ComplaintStatus.FORWARDED and deadlines is None:
            raise ValueError("forwarding a complaint needs the deadline rules (Deadlines)")
        now = now or utcnow()
        before = {"status": self.status.value}
        self.status = new_status
        if new_status is ComplaintStatus.VERIFIED:
            self.verified_at = now
            # Re-routing starts a new forwarding: the next SKPD's clock and follow-up.
            self.forwarded_at = None
            self.due_at = None
            self.first_follow_up_at = None
            self.finished_at = None
        elif new_status is ComplaintStatus.FORWARDED and deadlines is not None:
            self.forwarded_at = now
            self.due_at = deadlines.due_at(now)
            self.returned_at = self.returned_by_agency_id = self.returned_reason = None
        elif new_status is ComplaintStatus.IN_PROGRESS:
            self.first_follow_up_at = self.first_follow_up_at or now
        elif new_status is ComplaintStatus.DONE:
            self.first_follow_up_at = self.first_follow_up_at or now
            self.finished_at = now
        record_event(
            session,
            actor=actor,
            actor_id=actor_id,
            entity_type="complaint",
            entity_id=self.id,
            action="status",
            before=before,
            after={"status": new_status.value},
            note=note,
            now=now,
        )


# The staff's complaint list: returned "bukan wewenang" first, then newest first
# (triage.complaint_query); an index on the same expressions serves it with no sort
# (50,000 complaints: 0.1 s -> under 1 ms on SQLite).
Index(
    "ix_complaints_list_order",
    Complaint.returned_at.is_(None),
    Complaint.returned_at,
    Complaint.created_at.desc(),
    Complaint.id.desc(),
)


class FollowUp(Base):
    """A note from the agency (or Diskominfo) on what was done about a complaint."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    note: Mapped[str] = mapped_column(Text)
    #: Shown to the reporter on /lapor/status; internal notes never leave the staff pages.
    is_public: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="follow_ups")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="follow_up", order_by="Attachment.id", cascade="all, delete-orphan"
    )


class Attachment(Base):
    """A photo or PDF sent with a follow-up note. The file lives under the data folder
    (``attachments/<sha256>``, content-addressed); the row keeps the name the officer
    gave it, its checked type and size."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(
        ForeignKey("follow_ups.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    follow_up: Mapped[FollowUp] = relationship(back_populates="attachments")


class ResponseTemplate(Base):
    """A reusable follow-up text of one SKPD (or, without an SKPD, of every SKPD) that an
    officer picks and edits before saving the note."""

    __tablename__ = "response_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntakeReceipt(Base):
    """The receipt of a public-form report: its number and the hash of the short secret
    shown once to the citizen, which together open /lapor/status."""

    __tablename__ = "intake_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
