"""The follow-up report page (viewers, operators, admins)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from models.enums import UserRole
from reports.follow_up import follow_up_rates
from web.core import Ctx, allow

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

REPORT_ROLES = (UserRole.ADMIN, UserRole.OPERATOR, UserRole.VIEWER)


@router.get("/laporan")
def report_page(ctx: Ctx = allow(*REPORT_ROLES)) -> Response:
    return ctx.render(
        "report.html",
        by_agency=follow_up_rates(ctx.db, "skpd", now=ctx.now),
        by_region=follow_up_rates(ctx.db, "wilayah", now=ctx.now),
    )
