"""An overall deadline for one HTTP fetch.

httpx's timeouts bound each socket operation, so a server that sends one byte every two
seconds is never "timed out". Here every read and connect of the fetch is given at most
the time left until the fetch's deadline; past it the fetch fails with a timeout that is
recorded as that source's error.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["DeadlineAdapter", "DeadlineTransport", "fetch_deadline", "shared_ssl_context"]

_local = threading.local()


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every client of the process: loading the CA bundle
    takes ~30 ms, once per client otherwise. An SSLContext is safe to share."""
    return httpx.create_ssl_context()


@contextmanager
def fetch_deadline(seconds: float) -> Iterator[None]:
    """Every socket operation in this block (this thread) ends by ``seconds`` from now."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds
    _local.total = seconds
    try:
        yield
    finally:
        _local.deadline = previous


def _left(timeout: float | None) -> float | None:
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout(f"batas waktu total {_local.total:g} detik terlampaui")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return self._inner.read(max_bytes, _left(timeout))
        except httpcore.ReadTimeout:
            _left(None)  # the deadline's own message when that is what ran out
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._inner.write(buffer, _left(timeout))
        except httpcore.WriteTimeout:
            _left(None)
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, _left(timeout), local_address, socket_options)
        return _Stream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, _left(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport over a network backend that honours ``fetch_deadline``."""

    def __init__(self, *, max_connections: int = 10) -> None:
        super().__init__(verify=shared_ssl_context())
        self._pool = httpcore.ConnectionPool(
            ssl_context=shared_ssl_context(),
            network_backend=_Backend(),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
        )


# --- requests (tweepy's X client) ---------------------------------------------------------
# requests has no network-backend seam, so a watchdog cuts the connections a request took
# from the pool when the deadline passes; the blocked read then fails at once.


class _Watched:
    def __init__(self) -> None:
        self.conns: list[Any] = []
        self.expired = False

    def cut(self) -> None:
        self.expired = True
        for conn in self.conns:
            sock = getattr(conn, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class _WatchedPool:
    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        watched: _Watched | None = getattr(_local, "watched", None)
        if watched is not None:
            watched.conns.append(conn)
        return conn


class _HTTPPool(_WatchedPool, HTTPConnectionPool):
    pass


class _HTTPSPool(_WatchedPool, HTTPSConnectionPool):
    pass


class DeadlineAdapter(HTTPAdapter):
    """A requests adapter whose every request (headers and body) ends by ``deadline``."""

    def __init__(self, *, deadline: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deadline = deadline
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def send(  # type: ignore[override]  # requests passes these by keyword
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        watched = _Watched()
        _local.watched = watched
        timer = threading.Timer(self.deadline, watched.cut)
        timer.daemon = True
        timer.start()
        try:
            response = super().send(request, **kwargs)
            if not kwargs.get("stream"):
                _ = response.content  # the body too, while the watchdog runs
            return response
        except requests.RequestException as exc:
            if watched.expired:
                raise requests.Timeout(
                    f"batas waktu total {self.deadline:g} detik terlampaui"
                ) from exc
            raise
        finally:
            timer.cancel()
            _local.watched = None
