"""Receipts of the public form and what a citizen may see about their report.

The form shows a receipt number and a short secret once. The secret is stored only as a
keyed hash; the two together open ``/lapor/status``, which shows where the report is
(being checked, not forwarded and why, forwarded to which SKPD, followed up, done) and
the SKPD's *public* follow-up notes with personal data hidden — never internal notes,
staff names, other reports or the reporter's own contact details.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aduan.redact import redact
from models.agency import Agency
from models.complaint import Complaint, FollowUp, IntakeReceipt
from models.enums import ComplaintStatus, TriageState
from models.item import Item, TriageDecision

__all__ = ["PublicNote", "PublicStatus", "issue_receipt", "lookup_status", "normalise_secret"]

# No 0/O, 1/I/L: read aloud over the phone or copied from a screenshot without mistakes.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SECRET_LENGTH = 8

_REJECTED = {
    "not_complaint": "laporan dinilai bukan aduan layanan publik",
    "spam": "laporan dinilai sebagai spam",
    "not_our_authority": "di luar kewenangan pemerintah daerah Kalimantan Selatan",
    "duplicate": "masalah yang sama sudah dilaporkan dan sedang ditangani",
}
_COMPLAINT = {
    ComplaintStatus.NEW: "Diterima, sedang diverifikasi petugas",
    ComplaintStatus.VERIFIED: "Diverifikasi, segera diteruskan ke SKPD yang berwenang",
    ComplaintStatus.FORWARDED: "Diteruskan ke SKPD, menunggu tindak lanjut",
    ComplaintStatus.IN_PROGRESS: "Sedang ditindaklanjuti SKPD",
    ComplaintStatus.DONE: "Selesai ditindaklanjuti",
    ComplaintStatus.REJECTED: "Tidak dapat diproses",
    ComplaintStatus.CLOSED: "Ditutup",
}


@dataclass(frozen=True, slots=True)
class PublicNote:
    at: datetime
    agency: str | None
    text: str


@dataclass(slots=True)
class PublicStatus:
    number: str
    received_at: datetime
    stage: str
    explanation: str | None = None
    agency: str | None = None
    complaint_number: str | None = None
    notes: list[PublicNote] = field(default_factory=list)


def normalise_secret(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def _digest(key: bytes, number: str, secret: str) -> str:
    message = f"{number}:{normalise_secret(secret)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def issue_receipt(session: Session, *, item_id: int, number: str, key: bytes, now: datetime) -> str:
    """Store the receipt of a new public report; returns the secret (shown once)."""
    secret = "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LENGTH))
    session.add(
        IntakeReceipt(
            number=number,
            item_id=item_id,
            secret_hash=_digest(key, number, secret),
            created_at=now,
        )
    )
    return f"{secret[:4]}-{secret[4:]}"


def lookup_status(session: Session, *, number: str, secret: str, key: bytes) -> PublicStatus | None:
    """The public status of a report, or None when the number and secret do not match
    (an unknown number and a wrong secret look the same)."""
    number = number.strip().upper()
    receipt = session.scalar(select(IntakeReceipt).where(IntakeReceipt.number == number))
    expected = receipt.secret_hash if receipt is not None else "0" * 64
    if not hmac.compare_digest(expected, _digest(key, number, secret)) or receipt is None:
        return None
    item = session.get(Item, receipt.item_id)
    if item is None:
        return None
    status = PublicStatus(number=receipt.number, received_at=receipt.created_at, stage="")
    if item.triage_state is TriageState.REJECTED:
        status.stage = "Tidak diteruskan"
        reason = session.scalar(
            select(TriageDecision.reject_reason)
            .where(TriageDecision.item_id == item.id, TriageDecision.state == TriageState.REJECTED)
            .order_by(TriageDecision.id.desc())
            .limit(1)
        )
        status.explanation = _REJECTED.get(
            reason.value if reason else "", "laporan tidak dapat diproses"
        )
        return status
    complaint = session.get(Complaint, item.complaint_id) if item.complaint_id else None
    if complaint is None:
        status.stage = "Diterima, menunggu pemeriksaan petugas"
        return status
    status.stage = _COMPLAINT[complaint.status]
    status.complaint_number = complaint.tracking_number
    if complaint.agency is not None and complaint.forwarded_at is not None:
        status.agency = complaint.agency.name
    notes = session.scalars(
        select(FollowUp)
        .where(FollowUp.complaint_id == complaint.id, FollowUp.is_public.is_(True))
        .order_by(FollowUp.created_at, FollowUp.id)
    ).all()
    ids = {n.agency_id for n in notes if n.agency_id}
    names = dict(
        session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids))).tuples().all()
    )
    for note in notes:
        agency = names.get(note.agency_id) if note.agency_id else None
        status.notes.append(PublicNote(note.created_at, agency, redact(note.note).text))
    return status
