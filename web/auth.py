"""Logging in and out, and where each role lands."""

from __future__ import annotations

import logging
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from models.enums import UserRole
from models.user import User
from triage.accounts import verify_password
from web.core import SESSION_COOKIE, Ctx, allow, redirect, safe_next, state_of
from web.security import (
    LOGIN_LIMIT_PER_IP,
    LOGIN_LIMIT_PER_USER,
    LOGIN_WINDOW,
    create_web_session,
    end_web_session,
    is_throttled,
    record_hit,
)

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

LOGIN_NONCE_COOKIE = "aduan_login_nonce"


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _cookie_secure(request: Request) -> bool:
    configured = state_of(request).settings.cookie_secure
    return configured if configured is not None else request.url.scheme == "https"


@router.get("/login")
def login_page(request: Request, next: str = "/", ctx: Ctx = allow(public=True)) -> Response:
    if ctx.user is not None:
        return RedirectResponse(safe_next(next, "/"), status_code=303)
    return _login_form(ctx, next, None)


def _login_form(ctx: Ctx, next_url: str, error: str | None, status: int = 200) -> Response:
    nonce = secrets.token_urlsafe(16)
    response = ctx.render(
        "login.html",
        status,
        next=safe_next(next_url),
        error=error,
        form_token=ctx.app.signer.issue(nonce, ctx.now),
    )
    response.set_cookie(
        LOGIN_NONCE_COOKIE,
        nonce,
        max_age=7200,
        httponly=True,
        samesite="lax",
        secure=_cookie_secure(ctx.request),
    )
    return response


@router.post("/login")
def login(ctx: Ctx = allow(public=True)) -> Response:
    request, db, now = ctx.request, ctx.db, ctx.now
    next_url = safe_next(ctx.field("next", max_chars=500))
    nonce = request.cookies.get(LOGIN_NONCE_COOKIE)
    if ctx.app.signer.check(nonce, ctx.field("form_token", max_chars=100), now=now) is None:
        return _login_form(ctx, next_url, "Formulir kedaluwarsa. Silakan coba lagi.", 403)
    username = ctx.field("username", max_chars=80).lower()
    password = ctx.field("password", max_chars=200)
    user_key = f"login:user:{username}"
    ip_key = f"login:ip:{_client_ip(request)}"
    if is_throttled(
        db, user_key, limit=LOGIN_LIMIT_PER_USER, window=LOGIN_WINDOW, now=now
    ) or is_throttled(db, ip_key, limit=LOGIN_LIMIT_PER_IP, window=LOGIN_WINDOW, now=now):
        log.warning("login throttled for %r from %s", username, _client_ip(request))
        return _login_form(
            ctx,
            next_url,
            "Terlalu banyak percobaan masuk yang gagal. Tunggu 15 menit lalu coba lagi.",
            429,
        )
    user = db.scalar(select(User).where(User.username == username)) if username else None
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        record_hit(db, user_key, now=now)
        record_hit(db, ip_key, now=now)
        db.commit()
        return _login_form(ctx, next_url, "Nama pengguna atau kata sandi salah.", 401)
    token, _ = create_web_session(db, user, now=now, hours=ctx.app.settings.session_hours)
    user.last_login_at = now
    db.commit()
    response = RedirectResponse(next_url if next_url != "/" else _home_of(user), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ctx.app.settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=_cookie_secure(request),
    )
    response.delete_cookie(LOGIN_NONCE_COOKIE)
    return response


@router.post("/logout")
def logout(ctx: Ctx = allow()) -> Response:
    end_web_session(ctx.db, ctx.request.cookies.get(SESSION_COOKIE))
    ctx.db.commit()
    response = redirect("/login", "Anda sudah keluar.")
    response.delete_cookie(SESSION_COOKIE)
    return response


def _home_of(user: User) -> str:
    return {
        UserRole.ADMIN: "/antrean",
        UserRole.OPERATOR: "/antrean",
        UserRole.AGENCY_OFFICER: "/aduan",
        UserRole.VIEWER: "/laporan",
    }[user.role]


@router.get("/")
def home(ctx: Ctx = allow()) -> Response:
    return RedirectResponse(_home_of(ctx.me), status_code=303)
