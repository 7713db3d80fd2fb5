"""The FastAPI application: ``create_app()`` wires settings, database and pages."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from sqlalchemy import Engine, text
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from aduan.db import get_engine, get_sessionmaker
from aduan.settings import Settings, get_settings
from models.base import utcnow
from models.workdays import load_holidays
from web import (
    admin,
    api,
    auth,
    complaints,
    exports,
    intake,
    item,
    model,
    queue,
    reports,
    responses,
)
from web.core import AppState, Ctx, Forbidden, LoginRequired, PageError, state_of
from web.render import register_filters
from web.security import FormSigner, load_or_create_secret

__all__ = ["MAX_BODY_BYTES", "create_app"]

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
MAX_BODY_BYTES = 1_000_000

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


#: The one route that takes files: a follow-up note with its attachments.
UPLOAD_PATH = re.compile(r"^/aduan/\d+/tindak-lanjut$")


class BodyLimit:
    """Refuses request bodies over ``MAX_BODY_BYTES`` before anything parses them;
    the follow-up route, which takes attachments, gets ``upload_limit``."""

    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY_BYTES, upload_limit: int = MAX_BODY_BYTES
    ) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if UPLOAD_PATH.match(scope.get("path", "")) else self.limit
        shown = f"maksimal {limit / 1e6:.0f} MB"
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        if length.isdigit() and int(length) > limit:
            response = HTMLResponse(
                "<!doctype html><meta charset=utf-8><title>Terlalu besar</title>"
                f"<p>Kiriman terlalu besar ({shown}).</p>",
                status_code=413,
            )
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PageError(f"Kiriman terlalu besar ({shown}).", 413)
            return message

        await self.app(scope, limited_receive, send)


def create_app(
    *,
    settings: Settings | None = None,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or get_engine(settings.resolved_database_url)
    # Autoescape on for every template: collected text is untrusted (no |safe anywhere).
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True)
    templates = Jinja2Templates(env=env)
    register_filters(templates.env, settings)
    secret = (
        settings.secret_key.get_secret_value().encode()
        if settings.secret_key
        else load_or_create_secret(settings.resolved_data_dir)
    )
    app = FastAPI(
        title="aduan API",
        description=(
            "API baca-saja untuk aduan LAPOR PAMAN: daftar aduan, detail, dan ringkasan "
            "tindak lanjut. Autentikasi: `Authorization: Bearer <token>` (buat dengan "
            "`aduan token create`)."
        ),
        version="1",
        docs_url=None,  # served below from the app's own copy of Swagger UI (no CDN)
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.aduan = AppState(
        settings=settings,
        sessions=get_sessionmaker(engine),
        write_sessions=get_sessionmaker(engine, write=True),
        templates=templates,
        signer=FormSigner(secret),
        holidays=load_holidays(settings.holidays_file),
        clock=clock,
        ip_key=secret,
    )
    # Up to three attachments of the configured size, plus the note itself.
    app.add_middleware(
        BodyLimit, upload_limit=3 * settings.attachment_max_mb * 1_000_000 + MAX_BODY_BYTES
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        if not request.url.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.mount(
        "/api/docs/static",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger-ui",
    )

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="aduan API",
            swagger_js_url="/api/docs/static/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/static/swagger-ui.css",
            swagger_favicon_url="/api/docs/static/favicon-32x32.png",
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok"})

    modules = (auth, queue, item, complaints, exports, reports, intake, admin, responses, model)
    for module in modules:
        app.include_router(module.router)
    app.include_router(api.router)
    _install_error_pages(app)
    return app


def _error_page(request: Request, status: int, message: str, ctx: Ctx | None = None) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    templates = state_of(request).templates
    user = ctx.user if ctx is not None else None
    return templates.TemplateResponse(
        request,
        "error.html",
        {"ctx": ctx, "user": user, "status": status, "message": message},
        status_code=status,
    )


_STATUS_MESSAGES = {
    400: "Permintaan tidak dapat diproses.",
    401: "Perlu masuk (login) atau token API.",
    403: "Anda tidak berhak membuka halaman ini.",
    404: "Halaman tidak ditemukan.",
    405: "Metode tidak diizinkan untuk alamat ini.",
    413: "Kiriman terlalu besar.",
    429: "Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.",
}


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": _STATUS_MESSAGES[401]}, status_code=401)
        return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _error_page(request, 403, _STATUS_MESSAGES[403], exc.ctx)

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> Response:
        return _error_page(request, exc.status_code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = sorted({str(e.get("loc", ["?"])[-1]) for e in exc.errors()})
        return _error_page(
            request, 400, f"Isian tidak sah: {', '.join(fields)}. Periksa lalu kirim ulang."
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
        if message in (None, "Not Found", "Method Not Allowed", "Bad Request"):
            message = _STATUS_MESSAGES.get(exc.status_code, "Terjadi kesalahan.")
        response = _error_page(request, exc.status_code, message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response
