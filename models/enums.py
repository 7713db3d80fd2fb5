"""Every domain state and kind, with the Indonesian label an admin reads, in one place."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "COMPLAINT_TRANSITIONS",
    "OPEN_TRIAGE_STATES",
    "TRIAGE_TRANSITIONS",
    "AgencyLevel",
    "ComplaintStatus",
    "RegionLevel",
    "RejectReason",
    "SourceKind",
    "SourceRunStatus",
    "TriageState",
    "UserRole",
]


class _Labelled(StrEnum):
    """A StrEnum whose members carry a user-facing label (``.label``)."""

    @property
    def label(self) -> str:
        return _LABELS[self]


class SourceKind(_Labelled):
    X = "x"
    RSS = "rss"
    ARTICLE = "article"
    MANUAL = "manual"
    WEB_FORM = "web_form"


class SourceRunStatus(_Labelled):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    PARTIAL = "partial"  # some entries were skipped, the rest stored
    FAILED = "failed"
    SKIPPED = "skipped"  # disabled, or no credentials


class RegionLevel(_Labelled):
    PROVINCE = "province"
    REGENCY = "regency"  # kabupaten
    CITY = "city"  # kota
    DISTRICT = "district"  # kecamatan
    VILLAGE = "village"  # desa or kelurahan (loaded with the official table, for detection)


class AgencyLevel(_Labelled):
    PROVINCE = "province"
    REGENCY_CITY = "regency_city"
    #: A kecamatan office (a perangkat daerah of its kabupaten/kota): where the written
    #: local-office rule sends a complaint; never chosen by urusan.
    DISTRICT = "district"


class TriageState(_Labelled):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    MERGED = "merged"
    REJECTED = "rejected"
    DEFERRED = "deferred"


class RejectReason(_Labelled):
    NOT_COMPLAINT = "not_complaint"
    SPAM = "spam"
    NOT_OUR_AUTHORITY = "not_our_authority"
    DUPLICATE = "duplicate"


class ComplaintStatus(_Labelled):
    NEW = "new"
    VERIFIED = "verified"
    FORWARDED = "forwarded"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REJECTED = "rejected"
    CLOSED = "closed"


class UserRole(_Labelled):
    ADMIN = "admin"
    OPERATOR = "operator"
    AGENCY_OFFICER = "agency_officer"
    VIEWER = "viewer"


_LABELS: dict[StrEnum, str] = {
    SourceKind.X: "X (Twitter)",
    SourceKind.RSS: "Berita (RSS/Atom)",
    SourceKind.ARTICLE: "Halaman berita",
    SourceKind.MANUAL: "Input manual",
    SourceKind.WEB_FORM: "Formulir publik",
    SourceRunStatus.OK: "berhasil",
    SourceRunStatus.NOT_MODIFIED: "tidak berubah",
    SourceRunStatus.PARTIAL: "sebagian",
    SourceRunStatus.FAILED: "gagal",
    SourceRunStatus.SKIPPED: "dilewati",
    RegionLevel.PROVINCE: "Provinsi",
    RegionLevel.REGENCY: "Kabupaten",
    RegionLevel.CITY: "Kota",
    RegionLevel.DISTRICT: "Kecamatan",
    RegionLevel.VILLAGE: "Desa/Kelurahan",
    AgencyLevel.PROVINCE: "Provinsi",
    AgencyLevel.REGENCY_CITY: "Kabupaten/Kota",
    AgencyLevel.DISTRICT: "Kecamatan",
    TriageState.PENDING: "menunggu",
    TriageState.CONFIRMED: "dijadikan aduan",
    TriageState.MERGED: "digabung",
    TriageState.REJECTED: "ditolak",
    TriageState.DEFERRED: "ditunda",
    RejectReason.NOT_COMPLAINT: "bukan aduan",
    RejectReason.SPAM: "spam",
    RejectReason.NOT_OUR_AUTHORITY: "bukan wewenang",
    RejectReason.DUPLICATE: "duplikat",
    ComplaintStatus.NEW: "baru",
    ComplaintStatus.VERIFIED: "diverifikasi",
    ComplaintStatus.FORWARDED: "diteruskan ke SKPD",
    ComplaintStatus.IN_PROGRESS: "ditindaklanjuti",
    ComplaintStatus.DONE: "selesai",
    ComplaintStatus.REJECTED: "ditolak",
    ComplaintStatus.CLOSED: "ditutup",
    UserRole.ADMIN: "Admin Diskominfo",
    UserRole.OPERATOR: "Operator",
    UserRole.AGENCY_OFFICER: "Petugas SKPD",
    UserRole.VIEWER: "Pemantau",
}

#: Triage states in which an item still waits for a decision (the queue's two views).
OPEN_TRIAGE_STATES: tuple[TriageState, ...] = (TriageState.PENDING, TriageState.DEFERRED)

#: Allowed triage moves. Deferred items come back to the queue; decisions are final
#: except that an admin may reopen one (back to pending).
TRIAGE_TRANSITIONS: dict[TriageState, frozenset[TriageState]] = {
    TriageState.PENDING: frozenset(
        {TriageState.CONFIRMED, TriageState.MERGED, TriageState.REJECTED, TriageState.DEFERRED}
    ),
    TriageState.DEFERRED: frozenset(
        {TriageState.PENDING, TriageState.CONFIRMED, TriageState.MERGED, TriageState.REJECTED}
    ),
    TriageState.CONFIRMED: frozenset({TriageState.PENDING}),
    TriageState.MERGED: frozenset({TriageState.PENDING}),
    TriageState.REJECTED: frozenset({TriageState.PENDING}),
}

#: Complaint lifecycle: baru -> diverifikasi -> diteruskan -> ditindaklanjuti -> selesai,
#: plus ditolak / ditutup. "Forwarded -> verified" is the re-routing path when an SKPD
#: answers "bukan wewenang".
COMPLAINT_TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    ComplaintStatus.NEW: frozenset(
        {ComplaintStatus.VERIFIED, ComplaintStatus.REJECTED, ComplaintStatus.CLOSED}
    ),
    ComplaintStatus.VERIFIED: frozenset(
        {ComplaintStatus.FORWARDED, ComplaintStatus.REJECTED, ComplaintStatus.CLOSED}
    ),
    ComplaintStatus.FORWARDED: frozenset(
        {
            ComplaintStatus.IN_PROGRESS,
            ComplaintStatus.DONE,
            ComplaintStatus.VERIFIED,
            ComplaintStatus.CLOSED,
        }
    ),
    ComplaintStatus.IN_PROGRESS: frozenset(
        {ComplaintStatus.DONE, ComplaintStatus.VERIFIED, ComplaintStatus.CLOSED}
    ),
    ComplaintStatus.DONE: frozenset({ComplaintStatus.IN_PROGRESS}),
    ComplaintStatus.REJECTED: frozenset({ComplaintStatus.NEW}),
    ComplaintStatus.CLOSED: frozenset(),
}
