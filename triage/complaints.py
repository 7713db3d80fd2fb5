"""Complaint use-cases after triage: forward to an SKPD, follow up, finish, re-route.

Shared by the web app, the API and the tests. Every change goes through
``Complaint.change_status`` (transition table, timestamps, event log); an agency
officer may only touch complaints routed to their own SKPD.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from aduan.holidays import HolidayCalendar
from models.agency import Agency
from models.complaint import AWAITING_FOLLOW_UP, Complaint, FollowUp
from models.enums import ComplaintStatus, TriageState, UserRole
from models.event import Event
from models.item import InvalidTransition, Item, TriageDecision
from triage.actions import Actor, TriageError

__all__ = [
    "ComplaintFilter",
    "Deadlines",
    "add_follow_up",
    "can_see",
    "complaint_timeline",
    "filter_complaints",
    "forward_complaint",
    "get_complaint",
    "return_complaint",
    "set_lapor_id",
    "update_status",
]

MAX_NOTE = 5000


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How follow-up deadlines are counted (from settings and the holiday file)."""

    follow_up_days: int
    tz: object
    holidays: HolidayCalendar


@dataclass(slots=True)
class ComplaintFilter:
    status: ComplaintStatus | None = None
    agency_id: int | None = None
    region_id: int | None = None
    topic: str | None = None
    overdue: bool = False
    q: str | None = None  # tracking number, SP4N-LAPOR! id or words of the title
    date_from: datetime | None = None
    date_to: datetime | None = None  # exclusive


def can_see(actor: Actor, complaint: Complaint) -> bool:
    if actor.role is UserRole.AGENCY_OFFICER:
        return complaint.agency_id is not None and complaint.agency_id == actor.agency_id
    return actor.role in (None, UserRole.ADMIN, UserRole.OPERATOR)


def _require_staff(actor: Actor) -> None:
    if actor.role not in (None, UserRole.ADMIN, UserRole.OPERATOR):
        raise TriageError("hanya admin atau operator yang boleh melakukan ini")


def get_complaint(session: Session, complaint_id: int, actor: Actor) -> Complaint:
    """The complaint, locked for update; a complaint the actor may not see does not exist."""
    complaint = session.get(Complaint, complaint_id, with_for_update=True, populate_existing=True)
    if complaint is None or not can_see(actor, complaint):
        raise TriageError(f"aduan #{complaint_id} tidak ada")
    return complaint


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
        stmt = stmt.where(
            Complaint.status.in_(AWAITING_FOLLOW_UP),
            Complaint.due_at.is_not(None),
            Complaint.due_at < now,
        )
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
    if flt.overdue:  # the most overdue first
        return stmt.order_by(Complaint.due_at.asc(), Complaint.id.asc())
    return stmt.order_by(Complaint.created_at.desc(), Complaint.id.desc())


def _relabel_items(
    session: Session, complaint: Complaint, actor: Actor, now: datetime, note: str
) -> None:
    """A correction of the agency is a training label for every item of the complaint."""
    for item in session.scalars(select(Item).where(Item.complaint_id == complaint.id)):
        if item.triage_state not in (TriageState.CONFIRMED, TriageState.MERGED):
            continue
        session.add(
            TriageDecision(
                item_id=item.id,
                user_id=actor.user_id,
                decided_at=now,
                state=item.triage_state,
                topic=complaint.topic,
                agency_id=complaint.agency_id,
                region_id=complaint.region_id,
                complaint_id=complaint.id,
                note=note,
            )
        )


def _change(
    session: Session,
    complaint: Complaint,
    status: ComplaintStatus,
    actor: Actor,
    now: datetime,
    deadlines: Deadlines | None,
    note: str | None = None,
) -> None:
    if deadlines is not None and status is ComplaintStatus.FORWARDED:
        deadlines.holidays.warn_if_incomplete(now.year)
    try:
        complaint.change_status(
            session,
            status,
            actor=actor.name,
            actor_id=actor.user_id,
            note=note,
            now=now,
            follow_up_days=deadlines.follow_up_days if deadlines else 3,
            tz=deadlines.tz if deadlines else None,  # type: ignore[arg-type]
            holidays=deadlines.holidays if deadlines else (),
        )
    except InvalidTransition as exc:
        raise TriageError(str(exc)) from exc


def forward_complaint(
    session: Session,
    complaint_id: int,
    actor: Actor,
    *,
    agency_id: int | None,
    deadlines: Deadlines,
    now: datetime,
    note: str | None = None,
) -> Complaint:
    """Send a verified complaint to an SKPD; the follow-up clock starts now."""
    _require_staff(actor)
    complaint = get_complaint(session, complaint_id, actor)
    agency_id = agency_id or complaint.agency_id
    if agency_id is None or session.get(Agency, agency_id) is None:
        raise TriageError("pilih SKPD tujuan sebelum meneruskan aduan")
    if complaint.status is not ComplaintStatus.VERIFIED:
        raise TriageError(
            f"hanya aduan berstatus 'diverifikasi' yang dapat diteruskan "
            f"(status sekarang: {complaint.status.label})"
        )
    if agency_id != complaint.agency_id:
        before = complaint.agency_id
        complaint.agency_id = agency_id
        actor.log(
            session,
            "complaint",
            complaint.id,
            "reroute",
            now=now,
            before={"agency_id": before},
            after={"agency_id": agency_id},
            note=note,
        )
        _relabel_items(session, complaint, actor, now, "SKPD dikoreksi saat meneruskan")
    _change(session, complaint, ComplaintStatus.FORWARDED, actor, now, deadlines, note)
    return complaint


def return_complaint(
    session: Session, complaint_id: int, actor: Actor, *, reason: str, now: datetime
) -> Complaint:
    """An SKPD answers "bukan wewenang": the complaint goes back to Diskominfo to re-route."""
    complaint = get_complaint(session, complaint_id, actor)
    reason = reason.strip()
    if not reason:
        raise TriageError("tuliskan alasan mengapa aduan ini bukan wewenang SKPD Anda")
    if complaint.status not in (ComplaintStatus.FORWARDED, ComplaintStatus.IN_PROGRESS):
        raise TriageError("hanya aduan yang sedang di SKPD yang dapat dikembalikan")
    _change(
        session,
        complaint,
        ComplaintStatus.VERIFIED,
        actor,
        now,
        None,
        f"bukan wewenang: {reason[:MAX_NOTE]}",
    )
    return complaint


def add_follow_up(
    session: Session,
    complaint_id: int,
    actor: Actor,
    *,
    note: str,
    status: ComplaintStatus | None = None,
    now: datetime,
) -> FollowUp:
    """A follow-up note; optionally moves the complaint to in progress or done."""
    complaint = get_complaint(session, complaint_id, actor)
    note = note.strip()
    if not note:
        raise TriageError("catatan tindak lanjut wajib diisi")
    if len(note) > MAX_NOTE:
        raise TriageError(f"catatan tindak lanjut paling panjang {MAX_NOTE} karakter")
    if complaint.status not in (ComplaintStatus.FORWARDED, ComplaintStatus.IN_PROGRESS):
        raise TriageError(
            f"tindak lanjut hanya untuk aduan yang sudah diteruskan "
            f"(status sekarang: {complaint.status.label})"
        )
    if status not in (None, ComplaintStatus.IN_PROGRESS, ComplaintStatus.DONE):
        raise TriageError("status tindak lanjut hanya 'ditindaklanjuti' atau 'selesai'")
    follow_up = FollowUp(
        complaint_id=complaint.id,
        author_id=actor.user_id,
        agency_id=actor.agency_id or complaint.agency_id,
        note=note,
        created_at=now,
    )
    session.add(follow_up)
    complaint.first_follow_up_at = complaint.first_follow_up_at or now
    target = status or (
        ComplaintStatus.IN_PROGRESS if complaint.status is ComplaintStatus.FORWARDED else None
    )
    if target is not None and target is not complaint.status:
        _change(session, complaint, target, actor, now, None, note[:500])
    else:
        actor.log(session, "complaint", complaint.id, "follow_up", now=now, note=note[:500])
    return follow_up


#: Status changes offered on the complaint page, by who may make them.
STAFF_TARGETS = {
    ComplaintStatus.REJECTED,
    ComplaintStatus.CLOSED,
    ComplaintStatus.VERIFIED,
    ComplaintStatus.NEW,
    ComplaintStatus.IN_PROGRESS,
    ComplaintStatus.DONE,
}
OFFICER_TARGETS = {ComplaintStatus.IN_PROGRESS, ComplaintStatus.DONE}


def update_status(
    session: Session,
    complaint_id: int,
    actor: Actor,
    *,
    status: ComplaintStatus,
    note: str | None = None,
    now: datetime,
) -> Complaint:
    """Any other allowed move (reject, close, reopen, finish) with a note."""
    complaint = get_complaint(session, complaint_id, actor)
    allowed = OFFICER_TARGETS if actor.role is UserRole.AGENCY_OFFICER else STAFF_TARGETS
    if status is ComplaintStatus.FORWARDED:
        raise TriageError("gunakan tombol 'Teruskan ke SKPD'")
    if status not in allowed:
        raise TriageError(f"Anda tidak boleh mengubah status menjadi '{status.label}'")
    if status in (ComplaintStatus.REJECTED, ComplaintStatus.CLOSED) and not (note or "").strip():
        raise TriageError("tuliskan alasan menolak atau menutup aduan")
    _change(session, complaint, status, actor, now, None, (note or "").strip()[:MAX_NOTE] or None)
    return complaint


def set_lapor_id(
    session: Session, complaint_id: int, actor: Actor, *, lapor_id: str, now: datetime
) -> Complaint:
    """Record the SP4N-LAPOR! tracking id once the complaint is entered there."""
    _require_staff(actor)
    complaint = get_complaint(session, complaint_id, actor)
    value = lapor_id.strip()
    if len(value) > 64:
        raise TriageError("ID SP4N-LAPOR! paling panjang 64 karakter")
    before = complaint.lapor_tracking_id
    complaint.lapor_tracking_id = value or None
    actor.log(
        session,
        "complaint",
        complaint.id,
        "lapor_id",
        now=now,
        before={"lapor_tracking_id": before},
        after={"lapor_tracking_id": complaint.lapor_tracking_id},
    )
    return complaint


def complaint_timeline(session: Session, complaint: Complaint) -> list[Event]:
    """Every event of the complaint and of the items that became it, oldest first."""
    item_ids = list(session.scalars(select(Item.id).where(Item.complaint_id == complaint.id)))
    conditions = [(Event.entity_type == "complaint") & (Event.entity_id == complaint.id)]
    if item_ids:
        conditions.append((Event.entity_type == "item") & Event.entity_id.in_(item_ids))
    return list(
        session.scalars(select(Event).where(or_(*conditions)).order_by(Event.occurred_at, Event.id))
    )
