"""The collectors' HTTP client: timeouts, a real User-Agent, a size cap, conditional GET.

``file://`` URLs (the bundled sample feeds, or a feed an admin saved to disk) go
through a transport that answers like a web server, including 304 for
If-Modified-Since / If-None-Match, so they take the same code path as the web.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from collectors.deadline import DeadlineTransport, fetch_deadline, shared_ssl_context
from collectors.errors import PermanentError, error_for_response, error_for_transport

__all__ = ["Fetched", "FileTransport", "build_client", "fetch_url"]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class FileTransport(httpx.BaseTransport):
    """Serves ``file://`` URLs with Last-Modified/ETag and conditional GET."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = Path(unquote(urlparse(str(request.url)).path))
        if not path.is_file():
            return httpx.Response(404, request=request)
        stat = path.stat()
        modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
        etag = (
            '"'
            + hashlib.sha256(f"{stat.st_mtime_ns}:{stat.st_size}".encode()).hexdigest()[:16]
            + '"'
        )
        headers = {"Last-Modified": format_datetime(modified, usegmt=True), "ETag": etag}
        if request.headers.get("if-none-match") == etag or _not_modified_since(
            request.headers.get("if-modified-since"), modified
        ):
            return httpx.Response(304, headers=headers, request=request)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        headers["Content-Type"] = content_type
        return httpx.Response(200, headers=headers, content=path.read_bytes(), request=request)


def _not_modified_since(header: str | None, modified: datetime) -> bool:
    if not header:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    return since.tzinfo is not None and modified <= since


class Client(httpx.Client):
    """An httpx client whose every request ends by an overall deadline (seconds)."""

    def __init__(self, *, deadline: float, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.deadline = deadline


def build_client(
    *, timeout: float, user_agent: str, deadline: float = 60.0, connections: int = 10
) -> Client:
    """``timeout`` bounds each connect and read; ``deadline`` the whole of one fetch;
    ``connections`` kept open at once (a pool of fetching threads shares the client)."""
    return Client(
        deadline=deadline,
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        max_redirects=5,
        headers={"User-Agent": user_agent},
        transport=DeadlineTransport(max_connections=max(10, connections)),
        verify=shared_ssl_context(),
        mounts={"file://": FileTransport()},
    )


@dataclass(frozen=True, slots=True)
class Fetched:
    status_code: int
    content: bytes
    headers: httpx.Headers
    url: str

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304


def fetch_url(
    client: httpx.Client,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Fetched:
    """GET ``url`` (conditionally), reading at most ``max_bytes``; errors are CollectorErrors."""
    if url.startswith("file:///"):
        # httpx treats a URL with an empty host as relative; RFC 8089 allows "localhost".
        url = "file://localhost/" + url.removeprefix("file:///")
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = getattr(client, "deadline", None) or 3600.0
    try:
        with fetch_deadline(deadline), client.stream("GET", url, headers=headers) as response:
            error = error_for_response(response)
            if error is not None:
                raise error
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise PermanentError(f"dokumen terlalu besar ({declared} byte) di {url}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise PermanentError(f"dokumen melebihi batas {max_bytes} byte di {url}")
                chunks.append(chunk)
            return Fetched(
                response.status_code, b"".join(chunks), response.headers, str(response.url)
            )
    except httpx.HTTPError as exc:
        raise error_for_transport(exc, url) from exc
