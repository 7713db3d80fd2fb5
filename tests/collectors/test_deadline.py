"""A server that answers one byte at a time cannot hold a collection run: every fetch has
an overall deadline, and hitting it is recorded as that source's error."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from aduan.settings import Settings
from collectors.collect import collect_source
from collectors.errors import TransientError
from collectors.http import build_client, fetch_url
from models import Source, SourceKind, SourceRun, SourceRunStatus

FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    b"<item><title>a</title><link>http://example.org/a</link></item></channel></rss>"
)


@pytest.fixture(params=["headers", "body"])
def dripping(request: pytest.FixtureRequest) -> Iterator[str]:
    """A loopback server that sends one byte every 0.3 s, for up to a minute."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(FEED)}\r\nContent-Type: text/xml\r\n\r\n"

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                if request.param == "body":
                    conn.sendall(head.encode())
                payload = (head.encode() if request.param == "headers" else b"") + FEED
                deadline = time.monotonic() + 60
                for byte in payload:
                    if stop.is_set() or time.monotonic() > deadline:
                        break
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:
                        break
                    time.sleep(0.3)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/feed"
    stop.set()
    thread.join(timeout=5)
    server.close()


def test_a_dripping_server_hits_the_overall_deadline(dripping: str) -> None:
    start = time.monotonic()
    with (
        build_client(timeout=20, user_agent="test", deadline=2) as client,
        pytest.raises(TransientError, match="batas waktu total"),
    ):
        fetch_url(client, dripping)
    assert time.monotonic() - start < 6


def test_the_deadline_is_recorded_as_the_source_error(dripping: str, sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session, session.begin():
        source = Source(kind=SourceKind.RSS, name="lambat", config={"url": dripping})
        session.add(source)
        session.flush()
        source_id = source.id
    settings = Settings(http_deadline=2)
    start = time.monotonic()
    with build_client(timeout=20, user_agent="test", deadline=2) as client:
        summary = collect_source(
            sessionmaker(sqlite_engine), source_id, client=client, settings=settings
        )
    assert time.monotonic() - start < 6
    assert summary.status is SourceRunStatus.FAILED
    assert "batas waktu total" in (summary.message or "")
    with Session(sqlite_engine) as session:
        run = session.scalars(select(SourceRun)).one()
        assert run.status is SourceRunStatus.FAILED and "batas waktu" in (run.message or "")


def test_the_x_client_has_the_same_overall_deadline(dripping: str) -> None:
    from collectors.base import SourceSpec
    from collectors.x import XCollector

    base = dripping.removesuffix("/feed")
    collector = XCollector(bearer_token="token", base_url=base, timeout=20, deadline=2)
    spec = SourceSpec(id=1, kind=SourceKind.X, name="x", config={"queries": ["banjir"]}, cursor={})
    start = time.monotonic()
    with (
        build_client(timeout=20, user_agent="test") as client,
        pytest.raises(TransientError, match="batas waktu total"),
    ):
        collector.fetch(spec, client=client)
    assert time.monotonic() - start < 6
