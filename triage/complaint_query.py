"""Which complaints someone may see and find: the list filter, the visibility rule and
the timeline of one complaint. Read-only; the lifecycle lives in ``triage.complaints``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from models.complaint import Complaint
from models.enums import ComplaintStatus, UserRole
from models.event import Event
from models.item import Item
from triage.actions import Actor

__all__ = ["ComplaintFilter", "can_see", "complaint_timeline", "filter_complaints"]


@dataclass(slots=True)
class ComplaintFilter:
    status: ComplaintStatus | None = None
    agency_id: int | None = None
    region_id: int | None = None
    topic: str | None = None
    overdue: bool = False
    needs_action: bool = False  # "perlu tindakan": at the SKPD, not yet followed up
    q: str | None = None  # tracking number, SP4N-LAPOR! id or words of the title
    date_from: datetime | None = None
    date_to: datetime | None = None  # exclusive


def can_see(actor: Actor, complaint: Complaint) -> bool:
    if actor.role is UserRole.AGENCY_OFFICER:
        return complaint.agency_id is not None and complaint.agency_id == actor.agency_id
    return actor.role in (None, UserRole.ADMIN, UserRole.OPERATOR)


def filter_complaints(
    flt: ComplaintFilter, actor: Actor, *, now: datetime
) -> Select[tuple[Complaint]]:
    """The complaints list query, scoped to what ``actor`` may see (newest first)."""
    stmt = select(Complaint).options(joinedload(Complaint.agency), joinedload(Complaint.region))
    if actor.role is UserRole.AGENCY_OFFICER:
        stmt = stmt.where(Complaint.agency_id == (actor.agency_id or -1))
    elif actor.role not in (None, UserRole.ADMIN, UserRole.OPERATOR, UserRole.VIEWER):
        stmt = stmt.where(Complaint.id < 0)
    if flt.status is not None:
        stmt = stmt.where(Complaint.status == flt.status)
    if flt.agency_id is not None:
        stmt = stmt.where(Complaint.agency_id == flt.agency_id)
    if flt.region_id is not None:
        stmt = stmt.where(Complaint.region_id == flt.region_id)
    if flt.topic:
        stmt = stmt.where(Complaint.topic == flt.topic)
    if flt.overdue:
        stmt = stmt.where(Complaint.is_overdue(now))
    if flt.needs_action:
        stmt = stmt.where(Complaint.status == ComplaintStatus.FORWARDED)
    if flt.date_from is not None:
        stmt = stmt.where(Complaint.created_at >= flt.date_from)
    if flt.date_to is not None:
        stmt = stmt.where(Complaint.created_at < flt.date_to)
    if flt.q:
        term = flt.q.strip()
        like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                Complaint.tracking_number == term.upper(),
                Complaint.lapor_tracking_id == term,
                func.lower(Complaint.title).like(like.lower(), escape="\\"),
            )
        )
    if flt.overdue or flt.needs_action:  # the most overdue first, then the least time left
        return stmt.order_by(Complaint.due_at.asc(), Complaint.id.asc())
    if actor.role is not UserRole.AGENCY_OFFICER:  # returned "bukan wewenang" first
        stmt = stmt.order_by(Complaint.returned_at.is_(None), Complaint.returned_at.asc())
    return stmt.order_by(Complaint.created_at.desc(), Complaint.id.desc())


def complaint_timeline(session: Session, complaint: Complaint) -> list[Event]:
    """Every event of the complaint and of the items that became it, oldest first."""
    item_ids = list(session.scalars(select(Item.id).where(Item.complaint_id == complaint.id)))
    conditions = [(Event.entity_type == "complaint") & (Event.entity_id == complaint.id)]
    if item_ids:
        conditions.append((Event.entity_type == "item") & Event.entity_id.in_(item_ids))
    return list(
        session.scalars(select(Event).where(or_(*conditions)).order_by(Event.occurred_at, Event.id))
    )
