"""Complaint pages: the list (with overdue flags), one complaint with its timeline, and
the lifecycle actions (forward, follow up, finish, re-route)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import func, select

from models.agency import Agency
from models.complaint import Attachment, Complaint
from models.enums import COMPLAINT_TRANSITIONS, ComplaintStatus, UserRole
from models.user import User
from triage.actions import Actor, TriageError
from triage.attachments import MAX_FILES, attachment_path
from triage.complaint_query import (
    ComplaintFilter,
    can_see,
    complaint_timeline,
    filter_complaints,
)
from triage.complaints import (
    OFFICER_TARGETS,
    STAFF_TARGETS,
    add_follow_up,
    edit_complaint,
    forward_complaint,
    return_complaint,
    set_lapor_id,
    update_status,
)
from triage.response_templates import templates_for
from web.core import Ctx, FormError, PageError, allow, clean_text, redirect, run_write
from web.forms import load_choices, page_number, parse_day_range, parse_int, parse_topic

__all__ = ["COMPLAINT_ROLES", "parse_complaint_filter", "router", "scoped_actor"]

router = APIRouter(include_in_schema=False)

COMPLAINT_ROLES = (UserRole.ADMIN, UserRole.OPERATOR, UserRole.AGENCY_OFFICER)
STAFF = (UserRole.ADMIN, UserRole.OPERATOR)
PAGE_SIZE = 50
#: The normal next status offered first by the "Ubah status" form.
NORMAL_NEXT = {
    ComplaintStatus.NEW: ComplaintStatus.VERIFIED,
    ComplaintStatus.DONE: ComplaintStatus.IN_PROGRESS,
    ComplaintStatus.REJECTED: ComplaintStatus.NEW,
}


LIST_PARAMS = ("status", "skpd", "wilayah", "topik", "terlambat", "perlu", "q", "dari", "sampai")


def parse_complaint_filter(params: Any, tz: tzinfo) -> tuple[ComplaintFilter, list[str]]:
    warnings: list[str] = []
    flt = ComplaintFilter()
    status = params.get("status")
    if status:
        try:
            flt.status = ComplaintStatus(status)
        except ValueError:
            warnings.append("status tidak dikenal, diabaikan")
    flt.agency_id = parse_int(params.get("skpd"), warnings, "SKPD")
    flt.region_id = parse_int(params.get("wilayah"), warnings, "wilayah")
    flt.topic = parse_topic(params, warnings)
    flt.overdue = params.get("terlambat") in ("1", "ya", "on")
    flt.needs_action = params.get("perlu") in ("1", "ya", "on")
    q = clean_text(params.get("q") or "").strip()
    flt.q = q[:100] or None
    flt.date_from, flt.date_to = parse_day_range(params, tz, warnings)
    return flt, warnings


def scoped_actor(ctx: Ctx, flt: ComplaintFilter) -> Actor:
    actor = ctx.actor
    if actor.role is UserRole.AGENCY_OFFICER:
        flt.agency_id = None  # their own SKPD only, whatever the URL says
    return actor


@router.get("/aduan")
def complaint_list(request: Request, ctx: Ctx = allow(*COMPLAINT_ROLES)) -> Response:
    params = request.query_params
    flt, warnings = parse_complaint_filter(params, ctx.app.settings.tz)
    actor = scoped_actor(ctx, flt)
    page = page_number(params.get("hal"))
    stmt = filter_complaints(flt, actor, now=ctx.now)
    rows = ctx.db.scalars(stmt.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    total = ctx.db.scalar(
        select(func.count()).select_from(
            stmt.order_by(None).with_only_columns(Complaint.id).subquery()
        )
    )
    overdue_total = ctx.db.scalar(
        select(func.count()).select_from(
            filter_complaints(ComplaintFilter(overdue=True), actor, now=ctx.now)
            .order_by(None)
            .with_only_columns(Complaint.id)
            .subquery()
        )
    )
    kept = {k: params[k] for k in LIST_PARAMS if params.get(k)}
    needs_action_total = ctx.db.scalar(
        select(func.count()).select_from(
            filter_complaints(ComplaintFilter(needs_action=True), actor, now=ctx.now)
            .order_by(None)
            .with_only_columns(Complaint.id)
            .subquery()
        )
    )
    returned_by = {c.returned_by_agency_id for c in rows if c.returned_by_agency_id}
    agency_names = dict(
        ctx.db.execute(select(Agency.id, Agency.name).where(Agency.id.in_(returned_by)))
        .tuples()
        .all()
    )
    return ctx.render(
        "complaints.html",
        needs_action_total=needs_action_total or 0,
        agency_names=agency_names,
        complaints=rows[:PAGE_SIZE],
        has_more=len(rows) > PAGE_SIZE,
        page=page,
        total=total or 0,
        overdue_total=overdue_total or 0,
        params=kept,
        query=urlencode(kept),
        warnings=warnings,
        statuses=list(ComplaintStatus),
        choices=load_choices(ctx.db),
        is_officer=ctx.role is UserRole.AGENCY_OFFICER,
    )


@router.get("/aduan/{complaint_id}")
def complaint_page(complaint_id: int, ctx: Ctx = allow(*COMPLAINT_ROLES)) -> Response:
    complaint = ctx.db.get(Complaint, complaint_id)
    if complaint is None or not can_see(ctx.actor, complaint):
        raise PageError("Aduan tidak ditemukan.", 404)
    timeline = complaint_timeline(ctx.db, complaint)
    actor_names = {
        uid: name
        for uid, name in ctx.db.execute(
            select(User.id, User.username).where(
                User.id.in_({e.actor_id for e in timeline if e.actor_id})
            )
        ).all()
    }
    officer = ctx.role is UserRole.AGENCY_OFFICER
    targets = OFFICER_TARGETS if officer else STAFF_TARGETS
    can_follow_up = complaint.status in (ComplaintStatus.FORWARDED, ComplaintStatus.IN_PROGRESS)
    # Forwarding has its own form, and while the SKPD works on it "ditindaklanjuti" and
    # "selesai" are set with a follow-up note: each status is offered by one form only.
    offered_elsewhere = {ComplaintStatus.FORWARDED}
    if can_follow_up:
        offered_elsewhere |= {ComplaintStatus.IN_PROGRESS, ComplaintStatus.DONE}
    next_statuses = [
        s
        for s in COMPLAINT_TRANSITIONS[complaint.status]
        if s in targets and s not in offered_elsewhere
    ]
    order = list(ComplaintStatus)
    next_statuses.sort(key=order.index)
    return ctx.render(
        "complaint.html",
        complaint=complaint,
        timeline=timeline,
        actor_names=actor_names,
        next_statuses=next_statuses,
        # The next normal step is preselected; a step off the normal path (ditolak,
        # ditutup) is never the default.
        default_status=NORMAL_NEXT.get(complaint.status),
        follow_up_default=(
            ComplaintStatus.DONE
            if complaint.status is ComplaintStatus.IN_PROGRESS
            else ComplaintStatus.IN_PROGRESS
        ),
        can_forward=not officer and complaint.status is ComplaintStatus.VERIFIED,
        can_follow_up=can_follow_up,
        can_return=officer
        and complaint.status in (ComplaintStatus.FORWARDED, ComplaintStatus.IN_PROGRESS),
        is_staff=not officer,
        response_templates=templates_for(ctx.db, complaint.agency_id),
        max_files=MAX_FILES,
        overdue=complaint.is_overdue(ctx.now),
        choices=load_choices(ctx.db),
        items=complaint.items,
    )


def _act(ctx: Ctx, complaint_id: int, action: Callable[[], object], success: str) -> Response:
    try:
        run_write(ctx, action)
    except (TriageError, FormError) as exc:
        ctx.db.rollback()
        return redirect(f"/aduan/{complaint_id}", f"Gagal: {exc}", "error")
    return redirect(f"/aduan/{complaint_id}", success)


@router.post("/aduan/{complaint_id}/teruskan")
def forward(complaint_id: int, ctx: Ctx = allow(*STAFF)) -> Response:
    def run() -> None:
        forward_complaint(
            ctx.db,
            complaint_id,
            ctx.actor,
            agency_id=ctx.int_field("skpd"),
            deadlines=ctx.app.deadlines,
            now=ctx.now,
            note=ctx.field("catatan", max_chars=2000) or None,
        )

    return _act(ctx, complaint_id, run, "Aduan diteruskan ke SKPD; tenggat tindak lanjut dimulai.")


@router.post("/aduan/{complaint_id}/tindak-lanjut")
def follow_up(complaint_id: int, ctx: Ctx = allow(*COMPLAINT_ROLES, files=MAX_FILES)) -> Response:
    def run() -> None:
        status_text = ctx.field("status", max_chars=20)
        status = None
        if status_text:
            try:
                status = ComplaintStatus(status_text)
            except ValueError as exc:
                raise FormError("status tidak dikenal") from exc
        add_follow_up(
            ctx.db,
            complaint_id,
            ctx.actor,
            note=ctx.field("catatan", required=True, max_chars=5000),
            status=status,
            now=ctx.now,
            public=bool(ctx.field("publik", max_chars=5)),
            uploads=ctx.uploads,
            data_dir=ctx.app.settings.resolved_data_dir,
            max_upload_bytes=ctx.app.settings.attachment_max_mb * 1_000_000,
        )

    return _act(ctx, complaint_id, run, "Tindak lanjut dicatat.")


@router.get("/lampiran/{attachment_id}")
def attachment(attachment_id: int, ctx: Ctx = allow(*COMPLAINT_ROLES)) -> Response:
    """An attachment, to the roles that may see its complaint; never rendered as a page
    of this site (own content type, no sniffing, sandboxed)."""
    found = ctx.db.get(Attachment, attachment_id)
    if found is None or not can_see(ctx.actor, found.follow_up.complaint):
        raise PageError("Lampiran tidak ditemukan.", 404)
    path = attachment_path(ctx.app.settings.resolved_data_dir, found.sha256)
    if not path.is_file():
        raise PageError("Berkas lampiran hilang dari folder data.", 410)
    inline = found.content_type.startswith("image/")
    disposition = "inline" if inline else "attachment"
    return FileResponse(
        path,
        media_type=found.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(found.filename)}",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, max-age=3600",
        },
    )


@router.post("/aduan/{complaint_id}/ubah")
def edit(complaint_id: int, ctx: Ctx = allow(*STAFF)) -> Response:
    def run() -> None:
        edit_complaint(
            ctx.db,
            complaint_id,
            ctx.actor,
            title=ctx.field("judul", required=True, max_chars=300),
            description=ctx.field("isi", required=True, max_chars=10_000),
            topic=ctx.field("topik", max_chars=40) or None,
            agency_id=ctx.int_field("skpd"),
            region_id=ctx.int_field("wilayah"),
            hide_personal_data=bool(ctx.field("samarkan", max_chars=5)),
            now=ctx.now,
        )

    return _act(ctx, complaint_id, run, "Aduan diperbarui; perubahan tercatat di riwayat.")


@router.post("/aduan/{complaint_id}/status")
def change_status(complaint_id: int, ctx: Ctx = allow(*COMPLAINT_ROLES)) -> Response:
    def run() -> None:
        try:
            status = ComplaintStatus(ctx.field("status", required=True, max_chars=20))
        except ValueError as exc:
            raise FormError("status tidak dikenal") from exc
        update_status(
            ctx.db,
            complaint_id,
            ctx.actor,
            status=status,
            note=ctx.field("catatan", max_chars=5000) or None,
            now=ctx.now,
        )

    return _act(ctx, complaint_id, run, "Status aduan diubah.")


@router.post("/aduan/{complaint_id}/kembalikan")
def give_back(complaint_id: int, ctx: Ctx = allow(UserRole.AGENCY_OFFICER)) -> Response:
    def run() -> None:
        return_complaint(
            ctx.db,
            complaint_id,
            ctx.actor,
            reason=ctx.field("alasan", required=True, max_chars=2000),
            now=ctx.now,
        )

    response = _act(ctx, complaint_id, run, "Aduan dikembalikan ke Diskominfo (bukan wewenang).")
    if response.headers.get("location") == f"/aduan/{complaint_id}":
        # The officer no longer sees it once re-routed elsewhere; back to the list.
        response.headers["location"] = "/aduan"
    return response


@router.post("/aduan/{complaint_id}/lapor-id")
def lapor_id(complaint_id: int, ctx: Ctx = allow(*STAFF)) -> Response:
    def run() -> None:
        set_lapor_id(
            ctx.db,
            complaint_id,
            ctx.actor,
            lapor_id=ctx.field("lapor_id", max_chars=64),
            now=ctx.now,
        )

    return _act(ctx, complaint_id, run, "ID SP4N-LAPOR! disimpan.")
