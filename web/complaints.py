"""Complaint pages: the list (with overdue flags and exports), one complaint with its
timeline, and the lifecycle actions (forward, follow up, finish, re-route)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from openpyxl import Workbook
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from classifier.taxonomy import load_taxonomy
from models.agency import Agency
from models.complaint import AWAITING_FOLLOW_UP, Complaint
from models.enums import ComplaintStatus, UserRole
from models.region import Region
from models.user import User
from triage.actions import Actor, TriageError
from triage.complaints import (
    OFFICER_TARGETS,
    STAFF_TARGETS,
    ComplaintFilter,
    add_follow_up,
    can_see,
    complaint_timeline,
    filter_complaints,
    forward_complaint,
    return_complaint,
    set_lapor_id,
    update_status,
)
from web.core import Ctx, FormError, PageError, allow, clean_text, redirect
from web.pages import load_choices, parse_day_range, parse_int, parse_topic

__all__ = ["EXPORT_COLUMNS", "export_rows", "parse_complaint_filter", "router"]

router = APIRouter(include_in_schema=False)

COMPLAINT_ROLES = (UserRole.ADMIN, UserRole.OPERATOR, UserRole.AGENCY_OFFICER)
STAFF = (UserRole.ADMIN, UserRole.OPERATOR)
REPORT_ROLES = (UserRole.ADMIN, UserRole.OPERATOR, UserRole.VIEWER)
PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
LIST_PARAMS = ("status", "skpd", "wilayah", "topik", "terlambat", "q", "dari", "sampai")


def parse_complaint_filter(params: Any, tz: Any) -> tuple[ComplaintFilter, list[str]]:
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
    q = clean_text(params.get("q") or "").strip()
    flt.q = q[:100] or None
    flt.date_from, flt.date_to = parse_day_range(params, tz, warnings)
    return flt, warnings


def _scoped_filter(ctx: Ctx, flt: ComplaintFilter) -> Actor:
    actor = ctx.actor
    if actor.role is UserRole.AGENCY_OFFICER:
        flt.agency_id = None  # their own SKPD only, whatever the URL says
    return actor


@router.get("/aduan")
def complaint_list(request: Request, ctx: Ctx = allow(*COMPLAINT_ROLES)) -> Response:
    params = request.query_params
    flt, warnings = parse_complaint_filter(params, ctx.app.settings.tz)
    actor = _scoped_filter(ctx, flt)
    page_text = params.get("hal") or "1"
    page = max(1, int(page_text)) if page_text.isdigit() and len(page_text) < 6 else 1
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
    return ctx.render(
        "complaints.html",
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
    from models.enums import COMPLAINT_TRANSITIONS

    next_statuses = [
        s
        for s in COMPLAINT_TRANSITIONS[complaint.status]
        if s in targets and s is not ComplaintStatus.FORWARDED
    ]
    order = list(ComplaintStatus)
    next_statuses.sort(key=order.index)
    return ctx.render(
        "complaint.html",
        complaint=complaint,
        timeline=timeline,
        actor_names=actor_names,
        next_statuses=next_statuses,
        can_forward=not officer and complaint.status is ComplaintStatus.VERIFIED,
        can_follow_up=complaint.status in (ComplaintStatus.FORWARDED, ComplaintStatus.IN_PROGRESS),
        can_return=officer
        and complaint.status in (ComplaintStatus.FORWARDED, ComplaintStatus.IN_PROGRESS),
        is_staff=not officer,
        overdue=complaint.status in AWAITING_FOLLOW_UP
        and complaint.due_at is not None
        and complaint.due_at < ctx.now,
        choices=load_choices(ctx.db),
        items=complaint.items,
    )


def _act(ctx: Ctx, complaint_id: int, action: Any, success: str) -> Response:
    try:
        action()
        ctx.db.commit()
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
def follow_up(complaint_id: int, ctx: Ctx = allow(*COMPLAINT_ROLES)) -> Response:
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
        )

    return _act(ctx, complaint_id, run, "Tindak lanjut dicatat.")


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


# --- export ----------------------------------------------------------------------------

#: Column order follows what an admin types into SP4N-LAPOR!'s form.
EXPORT_COLUMNS = (
    "Nomor Aduan",
    "ID SP4N-LAPOR!",
    "Tanggal Masuk",
    "Judul Laporan",
    "Isi Laporan",
    "Kategori",
    "Instansi Tujuan",
    "Lokasi Kabupaten/Kota",
    "Status",
    "Anonim",
    "Rahasia",
    "Kontak Pelapor",
    "Diteruskan",
    "Tenggat Tindak Lanjut",
    "Terlambat",
)


def export_rows(
    db: Session, flt: ComplaintFilter, actor: Actor, *, now: datetime, tz: Any
) -> list[list[str]]:
    taxonomy = load_taxonomy()
    stmt = filter_complaints(flt, actor, now=now).limit(EXPORT_LIMIT)

    def when(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = []
    for c in db.scalars(stmt):
        overdue = c.status in AWAITING_FOLLOW_UP and c.due_at is not None and c.due_at < now
        rows.append(
            [
                c.tracking_number or "",
                c.lapor_tracking_id or "",
                when(c.created_at),
                c.title,
                c.description,
                taxonomy.topic_label(c.topic),
                c.agency.name if c.agency else "",
                c.region.name if c.region else "",
                c.status.label,
                "Ya" if c.is_anonymous else "Tidak",
                "Ya" if c.is_confidential else "Tidak",
                "" if (c.is_anonymous or c.is_confidential) else (c.reporter_contact or ""),
                when(c.forwarded_at),
                when(c.due_at),
                "Ya" if overdue else "Tidak",
            ]
        )
    return rows


def _csv_safe(value: str) -> str:
    """Spreadsheet apps run cells starting with = + - @ as formulas; keep them text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _export_filename(ctx: Ctx, ext: str) -> str:
    return f"aduan-{ctx.now.astimezone(ctx.app.settings.tz):%Y%m%d-%H%M}.{ext}"


@router.get("/aduan-ekspor.csv")
def export_csv(request: Request, ctx: Ctx = allow(*COMPLAINT_ROLES)) -> Response:
    flt, _ = parse_complaint_filter(request.query_params, ctx.app.settings.tz)
    actor = _scoped_filter(ctx, flt)
    rows = export_rows(ctx.db, flt, actor, now=ctx.now, tz=ctx.app.settings.tz)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows([_csv_safe(v) for v in row] for row in rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_export_filename(ctx, "csv")}"'},
    )


@router.get("/aduan-ekspor.xlsx")
def export_xlsx(request: Request, ctx: Ctx = allow(*COMPLAINT_ROLES)) -> Response:
    flt, _ = parse_complaint_filter(request.query_params, ctx.app.settings.tz)
    actor = _scoped_filter(ctx, flt)
    rows = export_rows(ctx.db, flt, actor, now=ctx.now, tz=ctx.app.settings.tz)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Aduan")
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append([_csv_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return StreamingResponse(
        out,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_export_filename(ctx, "xlsx")}"'},
    )


# --- follow-up rates (the viewer's page) -------------------------------------------------


def follow_up_rates(db: Session, group: str, *, now: datetime) -> list[dict[str, Any]]:
    """Per SKPD or per kabupaten/kota: forwarded complaints and how they were followed up."""
    key, label_col, join_to = (
        (Complaint.agency_id, Agency.name, Agency)
        if group == "skpd"
        else (Complaint.region_id, Region.name, Region)
    )
    sent = (
        ComplaintStatus.FORWARDED,
        ComplaintStatus.IN_PROGRESS,
        ComplaintStatus.DONE,
    )
    overdue = case(
        (
            (Complaint.status.in_(AWAITING_FOLLOW_UP)) & (Complaint.due_at < now),
            1,
        ),
        else_=0,
    )
    rows = db.execute(
        select(
            label_col,
            func.count(),
            func.sum(case((Complaint.status == ComplaintStatus.IN_PROGRESS, 1), else_=0)),
            func.sum(case((Complaint.status == ComplaintStatus.DONE, 1), else_=0)),
            func.sum(overdue),
        )
        .join(join_to, join_to.id == key)
        .where(Complaint.status.in_(sent))
        .group_by(label_col)
        .order_by(label_col)
    ).all()
    out = []
    for name, total, in_progress, done, late in rows:
        followed = (in_progress or 0) + (done or 0)
        out.append(
            {
                "name": name,
                "total": total,
                "followed": followed / total if total else None,
                "done": (done or 0) / total if total else None,
                "in_progress": (in_progress or 0) / total if total else None,
                "waiting": total - followed,
                "overdue": late or 0,
            }
        )
    return out


@router.get("/laporan")
def report_page(ctx: Ctx = allow(*REPORT_ROLES)) -> Response:
    return ctx.render(
        "report.html",
        by_agency=follow_up_rates(ctx.db, "skpd", now=ctx.now),
        by_region=follow_up_rates(ctx.db, "wilayah", now=ctx.now),
    )
