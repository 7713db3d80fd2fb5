"""Request plumbing shared by the pages: DB session, login, roles, CSRF, forms, flash."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from aduan.db import retry_on_conflict
from aduan.settings import Settings
from collectors.normalize import strip_control
from models.enums import UserRole
from models.user import User
from models.web import WebSession
from models.workdays import Deadlines, HolidayCalendar
from triage.actions import Actor
from triage.attachments import Upload
from web.flash import FLASH_COOKIE, flash, read_flashes, redirect, safe_next
from web.security import FormSigner, load_web_session, needs_touch, touch_web_session

__all__ = [
    "ALL_ROLES",
    "SESSION_COOKIE",
    "AppState",
    "Ctx",
    "Forbidden",
    "FormError",
    "LoginRequired",
    "PageError",
    "allow",
    "clean_text",
    "flash",
    "redirect",
    "run_write",
    "safe_next",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

SESSION_COOKIE = "aduan_session"
MAX_FORM_FIELDS = 600  # bulk actions send one field per selected card
MAX_FIELD_CHARS = 20_000
UPLOAD_FIELD = "lampiran"
ALL_ROLES = frozenset(UserRole)


def clean_text(value: str) -> str:
    """Input text without NUL and other control characters (PostgreSQL refuses NUL)."""
    return strip_control(value)


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


class Forbidden(Exception):
    """The user is logged in but their role may not use this page."""

    def __init__(self, ctx: Ctx | None = None) -> None:
        super().__init__("forbidden")
        self.ctx = ctx  # the error page keeps the navigation and the logout button


class PageError(Exception):
    """A request the app refuses with a message for the user (Indonesian)."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class FormError(PageError):
    """A form field is missing or malformed."""


@dataclass
class AppState:
    settings: Settings
    sessions: sessionmaker[Session]  # reads (BEGIN on SQLite)
    write_sessions: sessionmaker[Session]  # check-then-write requests (BEGIN IMMEDIATE)
    templates: Jinja2Templates
    signer: FormSigner
    holidays: HolidayCalendar
    clock: Callable[[], datetime]
    ip_key: bytes

    @property
    def deadlines(self) -> Deadlines:
        return Deadlines(
            follow_up_days=self.settings.follow_up_days,
            tz=self.settings.tz,
            holidays=self.holidays,
        )


def state_of(request: Request) -> AppState:
    return request.app.state.aduan  # type: ignore[no-any-return]


def run_write(ctx: Ctx, action: Callable[[], T]) -> T:
    """Run a use-case and commit, again from the start when a concurrent transaction got
    in the way (SQLite busy, PostgreSQL deadlock): lock contention never answers 500."""
    return retry_on_conflict(ctx.db, action)


@dataclass
class Ctx:
    """Everything a page handler needs about the request and who makes it."""

    request: Request
    db: Session
    now: datetime
    user: User | None = None
    web_session: WebSession | None = None
    form: FormData | None = None
    #: Files of a multipart form, on the routes that accept them (``allow(files=N)``).
    uploads: list[Upload] = field(default_factory=list)
    flashes: list[dict[str, str]] = field(default_factory=list)

    @property
    def app(self) -> AppState:
        return state_of(self.request)

    @property
    def me(self) -> User:
        """The logged-in user (pages that use this are never public)."""
        if self.user is None:
            raise LoginRequired(self.request.url.path)
        return self.user

    @property
    def actor(self) -> Actor:
        return Actor.of(self.me)

    @property
    def role(self) -> UserRole | None:
        return self.user.role if self.user else None

    def field(self, name: str, *, required: bool = False, max_chars: int = 2000) -> str:
        """A text field of the posted form, stripped; a clear error when bad."""
        value = self.form.get(name) if self.form is not None else None
        if value is None or not isinstance(value, str):
            value = ""
        value = clean_text(value).strip()
        if required and not value:
            raise FormError(f"isian '{name}' wajib diisi")
        if len(value) > max_chars:
            raise FormError(f"isian '{name}' terlalu panjang (maksimal {max_chars} karakter)")
        return value

    def int_field(self, name: str, *, required: bool = False) -> int | None:
        value = self.field(name, required=required, max_chars=20)
        if not value:
            return None
        if not value.isdigit():
            raise FormError(f"isian '{name}' harus berupa angka")
        return int(value)

    def int_list(self, name: str) -> list[int]:
        values = self.form.getlist(name) if self.form is not None else []
        out: list[int] = []
        for value in values:
            if not isinstance(value, str) or not value.isdigit() or len(value) > 20:
                raise FormError(f"isian '{name}' harus berupa angka")
            out.append(int(value))
        return out

    def write(self, action: Callable[[Session], T]) -> T:
        """Run ``action`` in a short write transaction of its own (committed, retried on
        lock conflicts), for a page that is otherwise read-only."""
        with self.app.write_sessions() as session:
            return retry_on_conflict(session, lambda: action(session))

    def render(self, template: str, status_code: int = 200, **context: Any) -> Response:
        response = self.app.templates.TemplateResponse(
            self.request,
            template,
            {"ctx": self, "user": self.user, **context},
            status_code=status_code,
        )
        if self.flashes:  # shown now, so gone from the next page
            response.delete_cookie(FLASH_COOKIE)
        return response


def allow(*roles: UserRole, public: bool = False, files: int = 0) -> Any:
    """A dependency that loads the login, checks the role and, on POST, the CSRF token.

    ``allow()`` with no roles means any logged-in user; ``public=True`` needs no login.
    A POST gets a write session: on SQLite it takes the write lock at BEGIN, so a check
    and the write that follows are atomic; a GET that writes uses ``Ctx.write``.
    ``files`` is how many uploaded files the form may carry (field ``lampiran``).
    """
    allowed = frozenset(roles) or ALL_ROLES

    async def dependency(request: Request) -> AsyncIterator[Ctx]:
        app = state_of(request)
        db = (app.write_sessions if request.method == "POST" else app.sessions)()
        try:
            # Database work never runs on the event loop: a wait for a lock there would
            # stall every other request of this worker, including the one holding it.
            ctx = await run_in_threadpool(_context, request, db, app)
            if request.method == "POST":
                await _check_form(ctx, public, files)
            yield ctx
        finally:
            await run_in_threadpool(db.close)

    def _context(request: Request, db: Session, app: AppState) -> Ctx:
        ctx = Ctx(request=request, db=db, now=app.clock())
        ctx.flashes = read_flashes(request)
        ctx.web_session = load_web_session(db, request.cookies.get(SESSION_COOKIE), now=ctx.now)
        if ctx.web_session is not None:
            ctx.user = ctx.web_session.user
        db.commit()  # end the first read; a write request's handler starts afresh
        if ctx.web_session is not None and needs_touch(ctx.web_session, ctx.now):
            session_id, hours = ctx.web_session.id, app.settings.session_hours
            ctx.write(lambda w: touch_web_session(w, session_id, now=ctx.now, hours=hours))
        if not public:
            if ctx.user is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                raise LoginRequired(target)
            if ctx.user.role not in allowed:
                _ = ctx.user.agency  # loaded now: the error page renders after the session
                raise Forbidden(ctx)
        return ctx

    # Read by the role tests: which roles this route allows.
    setattr(dependency, "roles", allowed)  # noqa: B010
    setattr(dependency, "public", public)  # noqa: B010
    return Depends(dependency)


async def _check_form(ctx: Ctx, public: bool, files: int = 0) -> None:
    """Read the posted form and, for a logged-in page, check its CSRF token."""
    ctx.form, ctx.uploads = await _read_form(ctx.request, files)
    if ctx.web_session is not None and not public:
        sent = ctx.request.headers.get("x-csrf-token") or ctx.form.get("csrf_token")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, ctx.web_session.csrf_token):
            raise PageError(
                "Formulir kedaluwarsa atau tidak sah (token CSRF). Muat ulang halaman "
                "lalu coba lagi.",
                403,
            )


async def _read_form(request: Request, files: int = 0) -> tuple[FormData, list[Upload]]:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        if content_type:
            raise PageError("Jenis isian tidak didukung; kirim lewat formulir.", 415)
        return FormData(), []
    try:
        form = await request.form(
            max_files=files, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FIELD_CHARS * 4
        )
    except (ValueError, KeyError, UnicodeDecodeError, StarletteHTTPException) as exc:
        if "files" in str(getattr(exc, "detail", exc)).lower():
            raise PageError(
                f"Terlalu banyak berkas: paling banyak {files} lampiran per kiriman.", 400
            ) from exc
        raise PageError(f"Isian formulir rusak atau terlalu besar: {exc}", 400) from exc
    uploads: list[Upload] = []
    for key, value in form.multi_items():
        if not isinstance(value, str):
            if not files or key != UPLOAD_FIELD:
                raise PageError("Unggahan berkas tidak diterima di sini.", 400)
            data = await value.read()
            await value.close()
            if data or value.filename:  # an empty file input sends an empty part
                uploads.append(Upload(filename=clean_text(value.filename or ""), data=data))
            continue
        if len(value) > MAX_FIELD_CHARS or len(key) > 100:
            raise PageError("Isian formulir terlalu panjang.", 413)
    return form, uploads
