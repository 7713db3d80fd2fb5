"""Complaint use-cases after triage: forward to an SKPD, follow up, finish, re-route.

Shared by the web app, the API and the tests. Every change goes through
``Complaint.change_status`` (transition table, timestamps, event log); an agency
officer may only touch complaints routed to their own SKPD.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aduan.redact import redact
from classifier.taxonomy import load_taxonomy
from models.agency import Agency
from models.complaint import Attachment, Complaint, FollowUp
from models.enums import ComplaintStatus, TriageState, UserRole
from models.item import InvalidTransition, Item, TriageDecision
from models.workdays import Deadlines
from triage.actions import Actor, TriageError
from triage.attachments import MAX_FILES, Upload, check_upload, store_upload
from triage.complaint_query import can_see

__all__ = [
    "OFFICER_TARGETS",
    "STAFF_TARGETS",
    "add_follow_up",
    "edit_complaint",
    "forward_complaint",
    "get_complaint",
    "return_complaint",
    "set_lapor_id",
    "update_status",
]

MAX_NOTE = 5000
MAX_TITLE = 300
MAX_TEXT = 10_000


def _require_staff(actor: Actor) -> None:
    if actor.role not in (None, UserRole.ADMIN, UserRole.OPERATOR):
        raise TriageError("hanya admin atau operator yang boleh melakukan ini")


def get_complaint(session: Session, complaint_id: int, actor: Actor) -> Complaint:
    """The complaint, locked for update; a complaint the actor may not see does not exist."""
    complaint = session.get(Complaint, complaint_id, with_for_update=True, populate_existing=True)
    if complaint is None or not can_see(actor, complaint):
        raise TriageError(f"aduan #{complaint_id} tidak ada")
    return complaint


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
    try:
        complaint.change_status(
            session,
            status,
            actor=actor.name,
            actor_id=actor.user_id,
            note=note,
            now=now,
            deadlines=deadlines,
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
    returned_by = complaint.agency_id
    _change(
        session,
        complaint,
        ComplaintStatus.VERIFIED,
        actor,
        now,
        None,
        f"bukan wewenang: {reason[:MAX_NOTE]}",
    )
    complaint.returned_at = now
    complaint.returned_by_agency_id = returned_by
    complaint.returned_reason = reason[:MAX_NOTE]
    return complaint


def add_follow_up(
    session: Session,
    complaint_id: int,
    actor: Actor,
    *,
    note: str,
    status: ComplaintStatus | None = None,
    now: datetime,
    public: bool = False,
    uploads: Sequence[Upload] = (),
    data_dir: Path | None = None,
    max_upload_bytes: int = 5_000_000,
) -> FollowUp:
    """A follow-up note; optionally moves the complaint to in progress or done.

    A public note is shown to the reporter on /lapor/status (with personal data hidden);
    an internal one only to staff and the SKPD. Attachments (photos, PDF) are checked
    before anything is written and stay visible to authorised roles only.
    """
    complaint = get_complaint(session, complaint_id, actor)
    if len(uploads) > MAX_FILES:
        raise TriageError(f"paling banyak {MAX_FILES} lampiran per catatan")
    if uploads and data_dir is None:
        raise ValueError("attachments need the data folder")
    checked = [check_upload(u, max_bytes=max_upload_bytes) for u in uploads]
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
        is_public=public,
        created_at=now,
    )
    for upload, (filename, content_type) in zip(uploads, checked, strict=True):
        follow_up.attachments.append(
            Attachment(
                filename=filename,
                content_type=content_type,
                size=len(upload.data),
                sha256=store_upload(data_dir, upload.data),  # type: ignore[arg-type]
                created_at=now,
            )
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


def edit_complaint(
    session: Session,
    complaint_id: int,
    actor: Actor,
    *,
    title: str,
    description: str,
    topic: str | None,
    agency_id: int | None,
    region_id: int | None,
    hide_personal_data: bool = True,
    now: datetime,
) -> Complaint:
    """Correct a confirmed complaint: title, text, topic, SKPD and region.

    Diskominfo roles only. Title and text go through the same redaction as at
    confirmation (unless the admin unticks it). The event log records which fields
    changed and, for topic, SKPD and region, the old and new values; it does not copy
    the old title or text, which may hold the personal data the edit removes. A changed
    label is a training decision for every item of the complaint. The SKPD changes here
    only before forwarding; after that, re-routing has its own path (back to
    "diverifikasi", then forward), so the new SKPD's clock starts fresh.
    """
    _require_staff(actor)
    complaint = get_complaint(session, complaint_id, actor)
    title, description = " ".join(title.split()), description.strip()
    if hide_personal_data:
        title, description = redact(title).text, redact(description).text
    if not title or not description:
        raise TriageError("judul dan isi aduan wajib diisi")
    if len(title) > MAX_TITLE:
        raise TriageError(f"judul paling panjang {MAX_TITLE} karakter")
    if len(description) > MAX_TEXT:
        raise TriageError(f"isi aduan paling panjang {MAX_TEXT} karakter")
    if topic is not None and topic not in load_taxonomy().topics:
        raise TriageError("topik tidak dikenal")
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise TriageError("SKPD tidak dikenal")
    if agency_id != complaint.agency_id and complaint.status not in (
        ComplaintStatus.NEW,
        ComplaintStatus.VERIFIED,
    ):
        raise TriageError(
            "aduan sudah diteruskan: untuk mengganti SKPD, ubah status ke 'diverifikasi' "
            "lalu teruskan ulang"
        )
    labels_before = {
        "topic": complaint.topic,
        "agency_id": complaint.agency_id,
        "region_id": complaint.region_id,
    }
    labels_after = {"topic": topic, "agency_id": agency_id, "region_id": region_id}
    changed_labels = [k for k in labels_before if labels_before[k] != labels_after[k]]
    text_changed = [
        name
        for name, old, new in (
            ("title", complaint.title, title),
            ("description", complaint.description, description),
        )
        if old != new
    ]
    if not changed_labels and not text_changed:
        return complaint
    complaint.title, complaint.description = title, description
    complaint.topic, complaint.agency_id, complaint.region_id = topic, agency_id, region_id
    actor.log(
        session,
        "complaint",
        complaint.id,
        "edit",
        now=now,
        before={k: labels_before[k] for k in changed_labels},
        after={
            **{k: labels_after[k] for k in changed_labels},
            **dict.fromkeys(text_changed, "diubah"),
        },
    )
    if changed_labels:
        _relabel_items(session, complaint, actor, now, "label aduan dikoreksi")
    return complaint
