"""Response templates of follow-up notes: list, add, change, delete."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from models.enums import UserRole
from triage.actions import TriageError
from triage.response_templates import delete_template, save_template, visible_templates
from web.core import Ctx, FormError, allow, redirect
from web.forms import load_choices

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

ROLES = (UserRole.ADMIN, UserRole.OPERATOR, UserRole.AGENCY_OFFICER)
PAGE = "/templat-tanggapan"


@router.get(PAGE)
def templates_page(ctx: Ctx = allow(*ROLES)) -> Response:
    return ctx.render(
        "response_templates.html",
        templates=visible_templates(ctx.db, ctx.actor),
        choices=load_choices(ctx.db),
        is_officer=ctx.role is UserRole.AGENCY_OFFICER,
    )


def _save(ctx: Ctx, template_id: int | None) -> Response:
    try:
        save_template(
            ctx.db,
            ctx.actor,
            title=ctx.field("judul", required=True, max_chars=120),
            body=ctx.field("isi", required=True, max_chars=5000),
            agency_id=ctx.int_field("skpd"),
            template_id=template_id,
            now=ctx.now,
        )
        ctx.db.commit()
    except (TriageError, FormError) as exc:
        ctx.db.rollback()
        return redirect(PAGE, f"Gagal: {exc}", "error")
    return redirect(PAGE, "Templat disimpan.")


@router.post(PAGE)
def add_template(ctx: Ctx = allow(*ROLES)) -> Response:
    return _save(ctx, None)


@router.post(PAGE + "/{template_id}/ubah")
def change_template(template_id: int, ctx: Ctx = allow(*ROLES)) -> Response:
    return _save(ctx, template_id)


@router.post(PAGE + "/{template_id}/hapus")
def remove_template(template_id: int, ctx: Ctx = allow(*ROLES)) -> Response:
    try:
        delete_template(ctx.db, ctx.actor, template_id, now=ctx.now)
        ctx.db.commit()
    except TriageError as exc:
        ctx.db.rollback()
        return redirect(PAGE, f"Gagal: {exc}", "error")
    return redirect(PAGE, "Templat dihapus.")
