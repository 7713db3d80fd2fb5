"""Response templates: follow-up texts an SKPD reuses ("Laporan sudah kami terima dan
tim kami menjadwalkan perbaikan ..."). An officer manages their own SKPD's templates;
Diskominfo staff manage every SKPD's and the shared ones (no SKPD)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.complaint import ResponseTemplate
from models.enums import UserRole
from triage.actions import Actor, TriageError

__all__ = ["delete_template", "save_template", "templates_for", "visible_templates"]

MAX_BODY = 5000


def templates_for(session: Session, agency_id: int | None) -> list[ResponseTemplate]:
    """One SKPD's templates, then the shared ones (what its follow-up form offers)."""
    return list(
        session.scalars(
            select(ResponseTemplate)
            .where((ResponseTemplate.agency_id == agency_id) | ResponseTemplate.agency_id.is_(None))
            .order_by(ResponseTemplate.agency_id.is_(None), ResponseTemplate.title)
        )
    )


def visible_templates(session: Session, actor: Actor) -> list[ResponseTemplate]:
    if actor.role is UserRole.AGENCY_OFFICER:
        return templates_for(session, actor.agency_id)
    stmt = select(ResponseTemplate).order_by(
        ResponseTemplate.agency_id.is_(None), ResponseTemplate.agency_id, ResponseTemplate.title
    )
    return list(session.scalars(stmt))


def _may_edit(actor: Actor, agency_id: int | None) -> bool:
    if actor.role in (None, UserRole.ADMIN, UserRole.OPERATOR):
        return True
    return (
        actor.role is UserRole.AGENCY_OFFICER
        and agency_id is not None
        and (agency_id == actor.agency_id)
    )


def save_template(
    session: Session,
    actor: Actor,
    *,
    title: str,
    body: str,
    agency_id: int | None,
    template_id: int | None = None,
    now: datetime,
) -> ResponseTemplate:
    """Create (``template_id`` None) or change a template."""
    title, body = " ".join(title.split()), body.strip()
    if not title or not body:
        raise TriageError("judul dan isi templat wajib diisi")
    if len(title) > 120 or len(body) > MAX_BODY:
        raise TriageError(f"judul maksimal 120 karakter, isi maksimal {MAX_BODY} karakter")
    if actor.role is UserRole.AGENCY_OFFICER:
        agency_id = actor.agency_id  # an officer writes for their own SKPD
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise TriageError("SKPD tidak dikenal")
    if not _may_edit(actor, agency_id):
        raise TriageError("Anda tidak boleh mengubah templat ini")
    if template_id is None:
        template = ResponseTemplate(created_by_id=actor.user_id)
        session.add(template)
        action = "create"
    else:
        found = session.get(ResponseTemplate, template_id, with_for_update=True)
        if found is None or not _may_edit(actor, found.agency_id):
            raise TriageError("templat tidak ditemukan")
        template, action = found, "edit"
    template.title, template.body, template.agency_id = title, body, agency_id
    template.updated_at = now
    session.flush()
    actor.log(session, "response_template", template.id, action, now=now, after={"title": title})
    return template


def delete_template(session: Session, actor: Actor, template_id: int, *, now: datetime) -> None:
    found = session.get(ResponseTemplate, template_id, with_for_update=True)
    if found is None or not _may_edit(actor, found.agency_id):
        raise TriageError("templat tidak ditemukan")
    actor.log(
        session, "response_template", found.id, "delete", now=now, before={"title": found.title}
    )
    session.delete(found)
