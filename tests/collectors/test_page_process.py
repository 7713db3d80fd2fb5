"""Article pages fetched, extracted and stored by a worker process (real spawn, real HTTP
on 127.0.0.1, the test database on SQLite and PostgreSQL): the same outcome as in the
calling process, no transaction open while pages download (another writer is never
blocked by it), and a worker killed mid-chunk loses nothing: its items stay pending and
the next chunk gets a new worker."""

from __future__ import annotations

import os
import signal
import threading
import time

import psutil
from pytest_httpserver import HTTPServer
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from werkzeug import Request, Response

import collectors.page_process as page_process_module
from aduan.db import session_scope
from collectors.enrich import select_for_article
from collectors.page_process import (
    PageConfig,
    PageProcess,
    discard_prestarted,
    page_process,
    prestart,
)
from collectors.pages import Politeness
from models import Item, Source, SourceKind

BODY = "<p>Jalan di Kecamatan Gambut rusak parah, warga meminta Dinas PUPR memperbaiki.</p>" * 6


def _items(engine: Engine, server: HTTPServer, n: int) -> list[int]:
    with Session(engine) as session, session.begin():
        source = Source(kind=SourceKind.RSS, name="f", config={})
        session.add(source)
        session.flush()
        items = [
            Item(
                source_id=source.id,
                external_id=str(i),
                url=server.url_for(f"/berita/{i}"),
                title=f"Jalan rusak {i}",
                text=f"Dinas PUPR diminta perbaiki jalan rusak nomor {i}",
                content_hash=str(i),
                enrich_state="pending",  # as the feed collector stores them
            )
            for i in range(n)
        ]
        session.add_all(items)
        session.flush()
        return [item.id for item in items]


def _page(request: Request) -> Response:
    time.sleep(0.05)  # slow enough that another writer runs while pages download
    return Response(
        f"<html><body><article>{BODY}</article></body></html>", content_type="text/html"
    )


def _config(engine: Engine) -> PageConfig:
    return PageConfig(
        database_url=engine.url.render_as_string(hide_password=False),
        user_agent="t",
        timeout=5,
        politeness=Politeness(concurrency=4, per_host=4),
    )


def test_worker_stores_pages_while_another_writer_commits(
    seeded: Engine, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/berita", method="GET").respond_with_handler(_page)
    for i in range(40):
        httpserver.expect_request(f"/berita/{i}").respond_with_handler(_page)
    ids = _items(seeded, httpserver, 40)
    with session_scope(seeded) as session:
        wanted, _ = select_for_article(session, ids, gazetteer=_gazetteer(session))
    assert sorted(wanted) == ids

    # Another writer (the flow's tagging) commits short transactions all along.
    stop, commits, errors = threading.Event(), [0], []

    def writer() -> None:
        while not stop.is_set():
            try:
                with session_scope(seeded, write=True) as session:
                    session.execute(update(Item).where(Item.id == ids[0]).values(author=None))
                commits[0] += 1
            except Exception as exc:
                errors.append(exc)
            time.sleep(0.01)

    other = threading.Thread(target=writer)
    other.start()
    try:
        with PageProcess(_config(seeded)) as worker:
            chunks = [ids[:20], ids[20:]]
            futures = [(chunk, worker.submit(chunk)) for chunk in chunks]
            reports = [worker.result(chunk, future) for chunk, future in futures]
    finally:
        stop.set()
        other.join()
    assert not errors, errors
    assert commits[0] > 10
    assert sum(r.fetched for r in reports) == 40 and sum(r.failed for r in reports) == 0
    assert all(r.extract_seconds > 0 for r in reports)
    with Session(seeded) as session:
        rows = session.execute(select(Item.enrich_state, Item.text).where(Item.id.in_(ids)))
        for state, text in rows:
            assert state == "done" and text.startswith("Jalan di Kecamatan Gambut rusak parah")


def test_a_killed_worker_loses_nothing_and_the_next_chunk_gets_a_new_one(
    seeded: Engine, httpserver: HTTPServer
) -> None:
    ids = _pending_items(seeded, httpserver, 30)
    with PageProcess(_config(seeded)) as worker:
        assert worker.result([], worker.submit([])).fetched == 0  # the worker is up
        doomed = worker.submit(ids[:20])  # 20 pages at 50 ms, 4 at a time: ~0.25 s
        pid = next(iter(worker._executor()._processes))
        time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
        lost = worker.result(ids[:20], doomed)
        assert lost.failed == 20 and lost.fetched == 0
        with Session(seeded) as session:
            states = set(session.scalars(select(Item.enrich_state).where(Item.id.in_(ids[:20]))))
        assert states == {"pending"}  # nothing half-stored: the next run fetches them
        rest = worker.result(ids[20:], worker.submit(ids[20:]))
        assert rest.fetched == 10
        again = worker.result(ids[:20], worker.submit(ids[:20]))
        assert again.fetched == 20


def _pending_items(engine: Engine, server: HTTPServer, n: int) -> list[int]:
    """``n`` feed entries whose pages ``server`` serves, chosen for a page fetch."""
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    for i in range(n):
        server.expect_request(f"/berita/{i}").respond_with_handler(_page)
    ids = _items(engine, server, n)
    with session_scope(engine) as session:
        select_for_article(session, ids, gazetteer=_gazetteer(session))
    return ids


def _gazetteer(session: Session):  # type: ignore[no-untyped-def]
    from classifier.mentions import build_gazetteer

    return build_gazetteer(session)


def test_politeness_is_shared_out_among_workers() -> None:
    config = PageConfig(
        database_url="sqlite://",
        user_agent="t",
        politeness=Politeness(concurrency=8, per_host=4, host_delay=0.5),
    )
    two = PageProcess(config, processes=2).config.politeness
    assert (two.concurrency, two.per_host, two.host_delay) == (4, 2, 1.0)
    many = PageProcess(config, processes=16).config.politeness
    assert (many.concurrency, many.per_host) == (1, 1)  # never below one page at a time


def _worker_pids(worker: PageProcess) -> set[int]:
    pool = worker._pool
    return set(pool._processes) if pool is not None and pool._processes else set()


def test_a_prestarted_worker_is_up_before_the_first_chunk_and_is_the_one_used(
    seeded: Engine, httpserver: HTTPServer
) -> None:
    ids = _pending_items(seeded, httpserver, 5)
    config = _config(seeded)
    prestart(config)
    try:
        deadline = time.monotonic() + 30
        with page_process_module._prestarted_lock:
            ahead = next(iter(page_process_module._prestarted.values()))
        while not _worker_pids(ahead) and time.monotonic() < deadline:
            time.sleep(0.05)
        started = _worker_pids(ahead)
        assert started, "the worker was not started ahead of the first chunk"
        with page_process(config) as worker:
            assert worker is ahead  # handed over, not a second process
            assert worker.result(ids, worker.submit(ids)).fetched == 5
            assert _worker_pids(worker) == started
        assert page_process(config) is not ahead  # taken once; the next gets a new one
    finally:
        discard_prestarted()


def test_a_prestarted_worker_nobody_takes_is_stopped(seeded: Engine) -> None:
    config = _config(seeded)
    prestart(config)
    with page_process_module._prestarted_lock:
        ahead = next(iter(page_process_module._prestarted.values()))
    deadline = time.monotonic() + 30
    while not _worker_pids(ahead) and time.monotonic() < deadline:
        time.sleep(0.05)
    processes = [psutil.Process(pid) for pid in _worker_pids(ahead)]
    assert processes
    discard_prestarted()
    assert not page_process_module._prestarted
    _gone, alive = psutil.wait_procs(processes, timeout=10)
    assert not alive
