"""Complaint exports (CSV, XLSX) of what the reader may see, under the list's filters."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from reports.exports import export_rows, to_csv, to_xlsx
from web.complaints import COMPLAINT_ROLES, parse_complaint_filter, scoped_actor
from web.core import Ctx, allow

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _export_filename(ctx: Ctx, ext: str) -> str:
    return f"aduan-{ctx.now.astimezone(ctx.app.settings.tz):%Y%m%d-%H%M}.{ext}"


def _rows(request: Request, ctx: Ctx) -> list[list[str]]:
    flt, _ = parse_complaint_filter(request.query_params, ctx.app.settings.tz)
    actor = scoped_actor(ctx, flt)
    return export_rows(ctx.db, flt, actor, now=ctx.now, tz=ctx.app.settings.tz)


def _attachment(ctx: Ctx, ext: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{_export_filename(ctx, ext)}"'}


@router.get("/aduan-ekspor.csv")
def export_csv(request: Request, ctx: Ctx = allow(*COMPLAINT_ROLES)) -> Response:
    return Response(
        to_csv(_rows(request, ctx)),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(ctx, "csv"),
    )


@router.get("/aduan-ekspor.xlsx")
def export_xlsx(request: Request, ctx: Ctx = allow(*COMPLAINT_ROLES)) -> Response:
    return Response(
        to_xlsx(_rows(request, ctx)),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_attachment(ctx, "xlsx"),
    )
