"""One-time messages after a redirect (a cookie read once), and safe redirect targets."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

__all__ = ["FLASH_COOKIE", "flash", "read_flashes", "redirect", "safe_next"]

FLASH_COOKIE = "aduan_flash"


def flash(response: Response, message: str, kind: str = "ok") -> Response:
    """A one-time message shown on the next page (kind: ok, error)."""
    payload = quote(json.dumps([{"kind": kind, "message": message[:500]}]))
    response.set_cookie(FLASH_COOKIE, payload, max_age=60, httponly=True, samesite="lax")
    return response


def read_flashes(request: Request) -> list[dict[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        data = json.loads(unquote(raw))
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    return [
        {"kind": str(d.get("kind", "ok")), "message": str(d.get("message", ""))}
        for d in data
        if isinstance(d, dict)
    ]


def redirect(url: str, message: str | None = None, kind: str = "ok") -> Response:
    response = RedirectResponse(url, status_code=303)
    if message:
        flash(response, message, kind)
    return response


def safe_next(url: str | None, default: str = "/") -> str:
    """Only same-site paths after login (no open redirect)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url
