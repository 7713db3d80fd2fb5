"""Admin-only pages: user accounts and collection sources."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from collectors.http import build_client
from models.agency import Agency
from models.enums import SourceKind, UserRole
from models.source import Source, SourceRun
from models.user import User
from pipeline.run_now import run_source_now
from triage.accounts import (
    AccountError,
    create_user,
    set_email,
    set_password,
    set_role,
    set_user_active,
)
from triage.actions import TriageError
from triage.sources import check_feed, save_feed, set_source_enabled
from web.core import Ctx, FormError, PageError, allow, redirect, state_of
from web.security import take_slots

__all__ = ["router"]

log = logging.getLogger(__name__)
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
    latest = (
        select(SourceRun.source_id, func.max(SourceRun.id).label("run_id"))
        .group_by(SourceRun.source_id)
        .subquery()
    )
    runs = {
        run.source_id: run
        for run in ctx.db.scalars(select(SourceRun).join(latest, latest.c.run_id == SourceRun.id))
    }
    return ctx.render(
        "sources.html",
        sources=sources,
        runs=runs,
        x_token=ctx.app.settings.x_bearer_token is not None,
    )


def _http_client(ctx: Ctx) -> httpx.Client:
    settings = ctx.app.settings
    return build_client(
        timeout=settings.http_timeout,
        user_agent=settings.user_agent,
        deadline=min(settings.http_deadline, 30.0),
    )


def _save_feed(ctx: Ctx, source_id: int | None) -> Response:
    try:
        name = ctx.field("nama", required=True, max_chars=200)
        url = ctx.field("url", required=True, max_chars=2000)
        with _http_client(ctx) as client:
            checked = check_feed(url, client=client)
        source = save_feed(
            ctx.db, name=name, url=url, actor=ctx.actor, now=ctx.now, source_id=source_id
        )
        ctx.db.commit()
    except (TriageError, FormError) as exc:
        ctx.db.rollback()
        return redirect("/sumber", f"Gagal: {exc}", "error")
    return redirect(
        "/sumber",
        f"Feed '{source.name}' disimpan: {checked.entries} berita terbaca, terbaru: "
        f"{(checked.newest or '-')[:80]}.",
    )


@router.post("/sumber/feed")
def add_feed(ctx: Ctx = allow(UserRole.ADMIN)) -> Response:
    return _save_feed(ctx, None)


@router.post("/sumber/{source_id}/ubah")
def edit_feed(source_id: int, ctx: Ctx = allow(UserRole.ADMIN)) -> Response:
    return _save_feed(ctx, source_id)


#: "Jalankan sekarang" at most once per source in this many seconds (all web workers).
RUN_NOW_EVERY = timedelta(minutes=2)


@router.post("/sumber/{source_id}/jalankan")
def run_now(
    source_id: int, background: BackgroundTasks, ctx: Ctx = allow(UserRole.ADMIN)
) -> Response:
    source = ctx.db.get(Source, source_id)
    if source is None:
        raise PageError("Sumber tidak ditemukan.", 404)
    if source.kind not in (SourceKind.RSS, SourceKind.X):
        return redirect("/sumber", "Sumber ini tidak dikumpulkan terjadwal.", "error")
    if source.kind is SourceKind.X and ctx.app.settings.x_bearer_token is None:
        return redirect(
            "/sumber", "Gagal: token API X belum diatur (ADUAN_X_BEARER_TOKEN).", "error"
        )
    if not source.enabled:
        return redirect(
            "/sumber", f"Gagal: sumber '{source.name}' nonaktif; aktifkan dulu.", "error"
        )
    key = f"run-now:source:{source.id}"
    if take_slots(ctx.db, {key: 1}, window=RUN_NOW_EVERY, now=ctx.now) is None:
        ctx.db.rollback()
        return redirect(
            "/sumber",
            f"Sumber '{source.name}' baru saja dijalankan; tunggu dua menit.",
            "error",
        )
    ctx.actor.log(ctx.db, "source", source.id, "run_now", now=ctx.now)
    ctx.db.commit()
    background.add_task(_run_in_background, ctx.request, source.id)
    return redirect(
        "/sumber",
        f"Pengumpulan '{source.name}' dimulai; hasilnya tampil di kolom 'Run terakhir' "
        "(muat ulang halaman).",
    )


def _run_in_background(request: Request, source_id: int) -> None:
    app = state_of(request)
    try:
        # Write sessions (BEGIN IMMEDIATE on SQLite): this runs beside the web requests.
        run_source_now(app.write_sessions, source_id, settings=app.settings)
    except Exception:  # recorded on the source by collect_source; never crash the server
        log.exception("run now of source %s failed", source_id)


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
