"""Report pages: the period report with charts (viewers, operators, admins; agency
officers see their own SKPD), the list behind each number, charts and file downloads."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from fastapi import APIRouter, Request
from fastapi.responses import Response

from models.enums import UserRole
from models.workdays import load_holidays
from reports.build import Report, build_report, calendar_ready, prepare_calendar
from reports.charts import CHARTS, render_chart
from reports.drill import NULL, Drill, drill_complaints, drill_items
from reports.facts import ReportScope
from reports.files import FORMATS, render_report
from reports.performance import measures
from reports.periods import Period, PeriodError, current_month, month, parse_period
from reports.topics import window_for
from web.core import Ctx, PageError, allow
from web.forms import load_choices, page_number, parse_int

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

REPORT_ROLES = (UserRole.ADMIN, UserRole.OPERATOR, UserRole.VIEWER, UserRole.AGENCY_OFFICER)
#: An SVG made by matplotlib styles itself with inline style attributes; as an <img> it
#: can run no script, so its own policy allows those styles and nothing else.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}


def _period(ctx: Ctx, params: Any, warnings: list[str]) -> Period:
    code = (params.get("periode") or "").strip()[:40]
    if not code:
        return current_month(ctx.now, ctx.app.settings.tz)
    try:
        return parse_period(code, ctx.app.settings.tz)
    except PeriodError as exc:
        warnings.append(f"{exc}; ditampilkan bulan ini")
        return current_month(ctx.now, ctx.app.settings.tz)


def _scope(ctx: Ctx, params: Any, warnings: list[str]) -> ReportScope:
    if ctx.role is UserRole.AGENCY_OFFICER:  # their own SKPD, whatever the URL says
        return ReportScope(None, ctx.actor.agency_id or -1)
    return ReportScope(
        parse_int(params.get("wilayah"), warnings, "kabupaten/kota"),
        parse_int(params.get("skpd"), warnings, "SKPD"),
    )


def _asked(ctx: Ctx, params: Any) -> tuple[Period, ReportScope, list[str]]:
    """The period and scope a request asks for (officers: their own SKPD), and what was
    wrong with them."""
    warnings: list[str] = []
    return _period(ctx, params, warnings), _scope(ctx, params, warnings), warnings


def _report(ctx: Ctx, period: Period, scope: ReportScope) -> Report:
    holidays = load_holidays(ctx.app.settings.holidays_file)
    if not calendar_ready(ctx.db, period, ctx.now, holidays):
        ctx.write(lambda s: prepare_calendar(s, period, ctx.now, holidays))
        ctx.db.rollback()  # the next read sees the calendar just written
    return build_report(ctx.db, period, now=ctx.now, scope=scope)


def _data_uri(report: Report, name: str) -> str:
    """A chart inline in the page (``img-src data:``): built with the page's own report,
    so the page costs one report, not one per chart."""
    return "data:image/svg+xml;base64," + base64.b64encode(render_chart(report, name)).decode()


def _recent_periods(ctx: Ctx) -> list[tuple[str, str]]:
    """The last 12 months and the last 8 weeks, for the period picker."""
    tz = ctx.app.settings.tz
    today = ctx.now.astimezone(tz).date()
    out = []
    for back in range(12):
        first = today.replace(day=1) - relativedelta(months=back)
        p = month(first.year, first.month, tz)
        out.append((p.code, p.label))
    monday = today - timedelta(days=today.weekday())
    for back in range(8):
        iso = (monday - timedelta(weeks=back)).isocalendar()
        code = f"{iso.year}-W{iso.week:02d}"
        out.append((code, parse_period(code, tz).label))
    return out


@router.get("/laporan")
def report_page(request: Request, ctx: Ctx = allow(*REPORT_ROLES)) -> Response:
    params = request.query_params
    period, scope, warnings = _asked(ctx, params)
    report = _report(ctx, period, scope)
    base = {"periode": period.code, **scope.as_params()}
    if ctx.role is UserRole.AGENCY_OFFICER:
        base.pop("skpd", None)

    def link(**extra: Any) -> str:
        query = {**base, **{k: v for k, v in extra.items() if v is not None}}
        return "/laporan/daftar?" + urlencode(query)

    def key(value: Any) -> str:
        return NULL if value is None else str(value)

    return ctx.render(
        "report.html",
        report=report,
        period=period,
        scope=scope,
        warnings=warnings,
        link=link,
        key=key,
        query=urlencode(base),
        charts=[(name, alt, _data_uri(report, name)) for name, (_, alt) in CHARTS.items()],
        periods=_recent_periods(ctx),
        choices=load_choices(ctx.db),
        formats=FORMATS,
    )


@router.get("/laporan/grafik/{name}.svg")
def report_chart(name: str, request: Request, ctx: Ctx = allow(*REPORT_ROLES)) -> Response:
    if name not in CHARTS:
        raise PageError("Grafik tidak ditemukan.", 404)
    period, scope, _ = _asked(ctx, request.query_params)
    report = _report(ctx, period, scope)
    return Response(
        render_chart(report, name),
        media_type="image/svg+xml",
        headers={"Content-Security-Policy": SVG_CSP, "Cache-Control": "private, max-age=60"},
    )


@router.get("/laporan/unduh")
def report_download(request: Request, ctx: Ctx = allow(*REPORT_ROLES)) -> Response:
    fmt = request.query_params.get("format", "xlsx")
    if fmt not in FORMATS:
        raise PageError(f"Format tidak dikenal; pilih {', '.join(FORMATS)}.", 400)
    period, scope, _ = _asked(ctx, request.query_params)
    report = _report(ctx, period, scope)
    data = render_report(report, fmt, ctx.app.settings.tz)
    name = f"laporan-aduan-{period.code.replace('..', '_')}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "html":  # a standalone file with inline styles, opened from disk
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return Response(data, media_type=MEDIA[fmt], headers=headers)


@router.get("/laporan/daftar")
def report_list(request: Request, ctx: Ctx = allow(*REPORT_ROLES)) -> Response:
    params = request.query_params
    period, scope, warnings = _asked(ctx, params)
    measure = params.get("ukuran") or None
    if measure is not None and measure not in measures(ctx.now):
        raise PageError("Ukuran tidak dikenal.", 400)
    drill = Drill(
        topic=(params.get("topik") or None),
        agency=(params.get("per_skpd") or None),
        region=(params.get("per_wilayah") or None),
        place=(params.get("tempat") or "")[:160] or None,
        previous=params.get("sebelumnya") == "1",
        measure=measure,
    )
    kind = "aduan" if params.get("jenis") == "aduan" or measure else "item"
    win = window_for(period, ctx.now)
    page = page_number(params.get("hal"))
    if kind == "aduan":
        rows, total = drill_complaints(ctx.db, win, drill, now=ctx.now, scope=scope, page=page)
    else:
        rows, total = drill_items(ctx.db, win, drill, scope=scope, page=page)
    return ctx.render(
        "report_list.html",
        kind=kind,
        rows=rows,
        total=total,
        page=page,
        period=period,
        drill=drill,
        back="/laporan?" + urlencode({"periode": period.code, **scope.as_params()}),
        next_page=(
            str(request.url.include_query_params(hal=page + 1)) if page * 100 < total else None
        ),
        warnings=warnings,
        staff=ctx.role in (UserRole.ADMIN, UserRole.OPERATOR),
    )
