"""Admin-only pages: user accounts and collection sources."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from models.agency import Agency
from models.enums import UserRole
from models.source import Source
from models.user import User
from triage.accounts import (
    AccountError,
    create_user,
    set_email,
    set_password,
    set_role,
    set_user_active,
)
from triage.actions import TriageError
from triage.sources import set_source_enabled
from web.core import Ctx, FormError, PageError, allow, redirect

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/pengguna")
def users_page(ctx: Ctx = allow(UserRole.ADMIN)) -> Response:
    users = ctx.db.scalars(select(User).order_by(User.username)).all()
    agencies = ctx.db.execute(
        select(Agency.code, Agency.name).where(Agency.active.is_(True)).order_by(Agency.name)
    ).all()
    return ctx.render("users.html", users=users, roles=list(UserRole), agencies=agencies)


@router.post("/pengguna")
def add_user(ctx: Ctx = allow(UserRole.ADMIN)) -> Response:
    try:
        role_text = ctx.field("peran", required=True, max_chars=20)
        try:
            role = UserRole(role_text)
        except ValueError as exc:
            raise FormError("peran tidak dikenal") from exc
        user = create_user(
            ctx.db,
            ctx.field("username", required=True, max_chars=80),
            ctx.field("password", required=True, max_chars=200),
            role=role,
            agency_code=ctx.field("skpd", max_chars=40) or None,
            full_name=ctx.field("nama", max_chars=200) or None,
            email=ctx.field("email", max_chars=254) or None,
            actor=ctx.actor.name,
        )
        ctx.db.commit()
    except (AccountError, FormError) as exc:
        ctx.db.rollback()
        return redirect("/pengguna", f"Gagal: {exc}", "error")
    return redirect("/pengguna", f"Pengguna {user.username} dibuat.")


@router.post("/pengguna/{user_id}/aktif")
def toggle_user(user_id: int, ctx: Ctx = allow(UserRole.ADMIN)) -> Response:
    user = ctx.db.get(User, user_id)
    if user is None:
        raise PageError("Pengguna tidak ditemukan.", 404)
    if ctx.user is not None and user.id == ctx.user.id:
        return redirect("/pengguna", "Anda tidak dapat menonaktifkan akun sendiri.", "error")
    on = not user.is_active
    set_user_active(ctx.db, user, on, actor=ctx.actor.name, actor_id=ctx.actor.user_id)
    ctx.db.commit()
    return redirect("/pengguna", f"Pengguna {user.username} {_switched(on)}.")


@router.post("/pengguna/{user_id}/ubah")
def edit_user(user_id: int, ctx: Ctx = allow(UserRole.ADMIN)) -> Response:
    """Role and SKPD, e-mail address, and (when given) a new password: the same
    use-cases, and the same events, as ``aduan user set-role/set-email/passwd``."""
    user = ctx.db.get(User, user_id)
    if user is None:
        raise PageError("Pengguna tidak ditemukan.", 404)
    changed = []
    try:
        try:
            role = UserRole(ctx.field("peran", required=True, max_chars=20))
        except ValueError as exc:
            raise FormError("peran tidak dikenal") from exc
        code = ctx.field("skpd", max_chars=40) or None
        current = user.agency.code if user.agency else None
        if role is not user.role or code != current:
            if ctx.user is not None and user.id == ctx.user.id and role is not UserRole.ADMIN:
                raise FormError("Anda tidak dapat melepas peran admin akun sendiri")
            set_role(ctx.db, user, role, agency_code=code, actor=ctx.actor.name)
            changed.append("peran")
        email = ctx.field("email", max_chars=254).strip() or None
        if email != user.email:
            set_email(ctx.db, user, email, actor=ctx.actor.name)
            changed.append("email")
        password = ctx.field("password", max_chars=200)
        if password:
            set_password(ctx.db, user, password, actor=ctx.actor.name)
            changed.append("kata sandi")
        ctx.db.commit()
    except (AccountError, FormError) as exc:
        ctx.db.rollback()
        return redirect("/pengguna", f"Gagal: {exc}", "error")
    what = ", ".join(changed) or "tidak ada yang berubah"
    return redirect("/pengguna", f"Pengguna {user.username}: {what}.")


@router.get("/sumber")
def sources_page(ctx: Ctx = allow(UserRole.ADMIN)) -> Response:
    sources = ctx.db.scalars(select(Source).order_by(Source.kind, Source.name)).all()
    return ctx.render("sources.html", sources=sources)


@router.post("/sumber/{source_id}/aktif")
def toggle_source(source_id: int, ctx: Ctx = allow(UserRole.ADMIN)) -> Response:
    source = ctx.db.get(Source, source_id)
    if source is None:
        raise PageError("Sumber tidak ditemukan.", 404)
    try:
        set_source_enabled(
            ctx.db,
            source,
            not source.enabled,
            actor=ctx.actor,
            now=ctx.now,
            x_token=ctx.app.settings.x_bearer_token is not None,
        )
    except TriageError as exc:
        ctx.db.rollback()
        return redirect("/sumber", f"Gagal: {exc}", "error")
    ctx.db.commit()
    return redirect("/sumber", f"Sumber '{source.name}' {_switched(source.enabled)}.")


def _switched(on: bool) -> str:
    return "diaktifkan" if on else "dinonaktifkan"
