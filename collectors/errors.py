"""The collectors' exception tree, and the one function that maps HTTP failures onto it."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

__all__ = [
    "CollectorError",
    "MissingCredentials",
    "ParseError",
    "PermanentError",
    "TransientError",
    "error_for_response",
    "error_for_transport",
]


class CollectorError(Exception):
    """Something went wrong collecting from a source."""


class TransientError(CollectorError):
    """Try again later (timeouts, 5xx, 429). ``retry_after`` in seconds when known."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(CollectorError):
    """The configuration must be fixed (404, 401/403, bad URL, no credentials)."""


class MissingCredentials(PermanentError):
    """The source needs a secret that is not configured; the source is switched off."""


class ParseError(CollectorError):
    """The document could not be understood (not a feed, broken JSON)."""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, (when - datetime.now(UTC)).total_seconds())


def error_for_response(response: httpx.Response) -> CollectorError | None:
    """``None`` for a usable response (2xx, 304); otherwise the error to raise."""
    status = response.status_code
    if status < 300 or status == 304:
        return None
    where = f"HTTP {status} dari {response.request.url}"
    if status == 429:
        return TransientError(f"{where} (dibatasi/rate limit)", retry_after=_retry_after(response))
    if status >= 500 or status in (408, 425):
        return TransientError(where, retry_after=_retry_after(response))
    return PermanentError(where)


def error_for_transport(exc: httpx.HTTPError, url: str) -> CollectorError:
    """Map an httpx transport failure (timeout, refused, too many redirects)."""
    if isinstance(exc, httpx.TooManyRedirects):
        return PermanentError(f"terlalu banyak pengalihan (redirect) untuk {url}")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return PermanentError(f"alamat tidak valid: {url}")
    if isinstance(exc, httpx.TimeoutException):
        detail = f" ({exc})" if "batas waktu total" in str(exc) else ""
        return TransientError(f"waktu habis (timeout) menghubungi {url}{detail}")
    return TransientError(f"gagal menghubungi {url}: {exc.__class__.__name__}: {exc}")


class RobotsDisallowed(PermanentError):
    """The site's robots.txt does not allow fetching this page (expected, not a fault)."""
