"""Overdue reminders: what the hourly check sends, to whom, and the record that it did.

- to the officers of an SKPD, when a complaint is forwarded to it (one mail per complaint);
- to the officers of each SKPD, a digest of its complaints due within one working day and
  of those already late;
- to every Diskominfo admin, a digest of all late complaints.

Each complaint is in a given kind of reminder to a given address once per forwarding
(``ReminderSent``, unique), so an hourly run sends only what is new. The record is
written in the same transaction as the mail is sent: a mail that fails is not recorded
and goes out with the next run. Without SMTP the reminders are recorded as "log" and
listed in the flow run's artifact instead. Addresses come from ``users.email``.
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.complaint import Complaint
from models.enums import ComplaintStatus, UserRole
from models.event import record_event
from models.reminder import ReminderSent
from models.user import User
from models.workdays import Deadlines, add_working_days

__all__ = ["Mail", "Smtp", "deliver", "plan_reminders"]

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


@dataclass(frozen=True, slots=True)
class Smtp:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool
    sender: str


@dataclass(slots=True)
class Mail:
    kind: str  # a key of models.reminder.REMINDER_KINDS, or "skpd_digest"
    to: list[str]
    subject: str
    body: str
    # (kind, complaint id, forwarded_at) for every complaint line of the mail
    covers: list[tuple[str, int, datetime]] = field(default_factory=list)


def _when(value: datetime | None, deadlines: Deadlines) -> str:
    if value is None:
        return "-"
    local = value.astimezone(deadlines.tz)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} {local:%H:%M} WITA"


def _line(c: Complaint, deadlines: Deadlines, base_url: str) -> str:
    return (
        f"- {c.tracking_number or '#' + str(c.id)} · {c.title[:120]}\n"
        f"  tenggat {_when(c.due_at, deadlines)} · {base_url}/aduan/{c.id}"
    )


def _sent(session: Session) -> set[tuple[str, int, str, datetime]]:
    return {
        (k, cid, to, fwd)
        for k, cid, to, fwd in session.execute(
            select(
                ReminderSent.kind,
                ReminderSent.complaint_id,
                ReminderSent.recipient,
                ReminderSent.forwarded_at,
            )
            .join(Complaint, Complaint.id == ReminderSent.complaint_id)
            .where(Complaint.status == ComplaintStatus.FORWARDED)
        )
    }


def plan_reminders(
    session: Session, *, now: datetime, deadlines: Deadlines, base_url: str
) -> tuple[list[Mail], list[str]]:
    """The mails the check would send now, and the SKPD that have nobody to send to."""
    base_url = base_url.rstrip("/")
    officers: dict[int, list[str]] = defaultdict(list)
    admins: list[str] = []
    for role, agency_id, email in session.execute(
        select(User.role, User.agency_id, User.email).where(
            User.is_active.is_(True), User.email.is_not(None), User.email != ""
        )
    ):
        if role is UserRole.AGENCY_OFFICER and agency_id is not None:
            officers[agency_id].append(email)
        elif role is UserRole.ADMIN:
            admins.append(email)
    sent = _sent(session)
    waiting = list(
        session.scalars(
            select(Complaint)
            .where(
                Complaint.status == ComplaintStatus.FORWARDED, Complaint.forwarded_at.is_not(None)
            )
            .order_by(Complaint.due_at, Complaint.id)
        )
    )
    soon_limit = add_working_days(now, 1, tz=deadlines.tz, holidays=deadlines.holidays)
    names = dict(session.execute(select(Agency.id, Agency.name)).tuples().all())
    mails: list[Mail] = []
    unreachable: set[str] = set()

    def new(kind: str, c: Complaint, to: Iterable[str]) -> list[str]:
        return [a for a in to if (kind, c.id, a, c.forwarded_at) not in sent]

    per_agency: dict[int, dict[str, list[Complaint]]] = defaultdict(lambda: defaultdict(list))
    for c in waiting:
        if c.forwarded_at is None:
            continue
        to = officers.get(c.agency_id or -1, [])
        if not to:
            unreachable.add(names.get(c.agency_id or -1, "(tanpa SKPD)"))
        if new("forwarded", c, to):
            mails.append(
                Mail(
                    "forwarded",
                    new("forwarded", c, to),
                    f"[LAPOR PAMAN] Aduan baru untuk {names.get(c.agency_id or -1, 'SKPD')}: "
                    f"{c.tracking_number or c.id}",
                    "Yth. petugas SKPD,\n\nAduan berikut diteruskan kepada SKPD Anda dan perlu "
                    f"ditindaklanjuti paling lambat {_when(c.due_at, deadlines)}.\n\n"
                    f"{_line(c, deadlines, base_url)}\n",
                    [("forwarded", c.id, c.forwarded_at)],
                )
            )
        if c.is_overdue(now):
            per_agency[c.agency_id or -1]["late"].append(c)
        elif c.due_at is not None and c.due_at <= soon_limit:
            per_agency[c.agency_id or -1]["due_soon"].append(c)
    for agency_id, groups in per_agency.items():
        to = officers.get(agency_id, [])
        fresh = {k: [c for c in cs if new(k, c, to)] for k, cs in groups.items()}
        if not to or not any(fresh.values()):
            continue
        late, soon = fresh.get("late", []), fresh.get("due_soon", [])
        parts = ["Yth. petugas SKPD,\n"]
        if late:
            parts.append(f"Aduan yang sudah melewati tenggat ({len(late)}):")
            parts += [_line(c, deadlines, base_url) for c in late]
        if soon:
            parts.append(f"\nAduan yang jatuh tempo dalam satu hari kerja ({len(soon)}):")
            parts += [_line(c, deadlines, base_url) for c in soon]
        mails.append(
            Mail(
                "skpd_digest",
                to,
                f"[LAPOR PAMAN] {names.get(agency_id, 'SKPD')}: {len(late)} terlambat, "
                f"{len(soon)} jatuh tempo",
                "\n".join(parts) + "\n",
                [("late", c.id, c.forwarded_at) for c in late if c.forwarded_at]
                + [("due_soon", c.id, c.forwarded_at) for c in soon if c.forwarded_at],
            )
        )
    all_late = [c for g in per_agency.values() for c in g.get("late", [])]
    for admin in admins:
        late = [c for c in all_late if new("admin_late", c, [admin])]
        if late:
            lines = [
                f"{_line(c, deadlines, base_url)} · {names.get(c.agency_id or -1, '-')}"
                for c in late
            ]
            mails.append(
                Mail(
                    "admin_late",
                    [admin],
                    f"[LAPOR PAMAN] {len(late)} aduan terlambat ditindaklanjuti",
                    "Aduan yang melewati tenggat tindak lanjut:\n\n" + "\n".join(lines) + "\n",
                    [("admin_late", c.id, c.forwarded_at) for c in late if c.forwarded_at],
                )
            )
    return mails, sorted(unreachable)


def _send(smtp: Smtp, mail: Mail) -> None:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        client.send_message(message)


def deliver(
    session: Session,
    mails: list[Mail],
    *,
    smtp: Smtp | None,
    now: datetime,
    send: Callable[[Smtp, Mail], None] = _send,
) -> list[dict[str, Any]]:
    """Send (or, without SMTP, list) each mail and record it; the caller commits after
    each mail through ``session`` being a fresh transaction per call site. Returns one
    row per mail for the flow's artifact."""
    rows = []
    for mail in mails:
        channel = "email" if smtp else "log"
        error = ""
        try:
            with session.begin_nested():
                for kind, cid, fwd in mail.covers:
                    for to in mail.to:
                        session.add(
                            ReminderSent(
                                kind=kind,
                                complaint_id=cid,
                                recipient=to,
                                forwarded_at=fwd,
                                channel=channel,
                                sent_at=now,
                            )
                        )
                session.flush()
                if smtp:
                    send(smtp, mail)
                for cid in sorted({cid for _, cid, _ in mail.covers}):
                    record_event(
                        session,
                        actor="pengingat",
                        entity_type="complaint",
                        entity_id=cid,
                        action="reminder",
                        after={"kind": mail.kind, "to": mail.to, "channel": channel},
                        note=mail.subject,
                        now=now,
                    )
            session.commit()
        except (OSError, smtplib.SMTPException) as exc:
            session.rollback()
            error = f"gagal dikirim: {exc}"
        rows.append(
            {
                "jenis": mail.kind,
                "kepada": ", ".join(mail.to),
                "judul": mail.subject,
                "aduan": len({cid for _, cid, _ in mail.covers}),
                "cara": channel,
                "galat": error,
            }
        )
    return rows
