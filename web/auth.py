"""Logging in and out, and where each role lands."""

from __future__ import annotations

import logging
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select, update

from models.enums import UserRole
from models.user import User
from triage.accounts import check_login
from web.core import SESSION_COOKIE, Ctx, allow, redirect, run_write, safe_next, state_of
from web.security import (
    LOGIN_LIMIT_PER_IP,
    LOGIN_LIMIT_PER_USER,
    LOGIN_WINDOW,
    create_web_session,
    end_web_session,
    release_slots,
    take_slots,
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
    limits = {
        f"login:user:{username}": LOGIN_LIMIT_PER_USER,
        f"login:ip:{_client_ip(request)}": LOGIN_LIMIT_PER_IP,
    }
    # The attempt is counted before the password is checked (and forgotten again if it
    # was right), so parallel guesses cannot all pass the check before any is recorded.
    slots = run_write(ctx, lambda: take_slots(db, limits, window=LOGIN_WINDOW, now=now))
    if slots is None:
        log.warning("login throttled for %r from %s", username, _client_ip(request))
        return _login_form(
            ctx,
            next_url,
            "Terlalu banyak percobaan masuk yang gagal. Tunggu 15 menit lalu coba lagi.",
            429,
        )
    user = db.scalar(select(User).where(User.username == username)) if username else None
    db.commit()  # no lock held while the password hash is computed
    if not check_login(user, password):
        return _login_form(ctx, next_url, "Nama pengguna atau kata sandi salah.", 401)
    assert user is not None  # noqa: S101  check_login is False without a user

    def start() -> str:
        release_slots(db, slots)
        token, _ = create_web_session(db, user, now=now, hours=ctx.app.settings.session_hours)
        db.execute(update(User).where(User.id == user.id).values(last_login_at=now))
        return token

    token = run_write(ctx, start)
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
        UserRole.AGENCY_OFFICER: "/aduan?perlu=1",  # "Perlu tindakan" first
        UserRole.VIEWER: "/laporan",
    }[user.role]


@router.get("/")
def home(ctx: Ctx = allow()) -> Response:
    return RedirectResponse(_home_of(ctx.me), status_code=303)
