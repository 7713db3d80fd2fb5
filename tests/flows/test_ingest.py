"""The ingestion flow as Prefect runs it: sample feeds -> items -> suggestions -> queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from aduan.reference import SAMPLE_FEEDS_FILE, load_agencies, load_regions, load_sources
from models import Item, ItemSuggestion, Source, SourceKind, SourceRun
from triage.queue import count_queue, list_queue

pytestmark = pytest.mark.flow


@pytest.fixture
def sample_db(sqlite_engine: Engine) -> Engine:
    with Session(sqlite_engine) as session, session.begin():
        load_regions(session)
        load_agencies(session)
        load_sources(session, SAMPLE_FEEDS_FILE)
    return sqlite_engine


def test_flow_fills_the_queue_and_a_second_run_adds_nothing(
    prefect_harness: None, sample_db: Engine
) -> None:
    from flows.ingest import ingest

    first = ingest()
    assert [s["status"] for s in first["sources"]] == ["ok", "ok", "partial"]
    assert first["new"] == 14 and first["tagged"] == 14 and first["errors"] == 0
    dup = {s["source_name"]: s["duplicates"] for s in first["sources"]}
    assert dup["Contoh: Info Kabupaten"] == 1  # the copied PJU story, same canonical URL

    second = ingest()
    assert second["new"] == 0 and second["tagged"] == 0
    assert {s["status"] for s in second["sources"]} == {"not_modified"}

    with Session(sample_db) as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 14
        assert session.scalar(select(func.count()).select_from(ItemSuggestion)) == 14
        assert session.scalar(select(func.count()).select_from(SourceRun)) == 6
        assert count_queue(session) == 14
        entries = list_queue(session, limit=100)
        gambut = [e for e in entries if e.title and "Gambut" in e.title]
        assert len(gambut) == 2 and gambut[0].cluster_id == gambut[1].cluster_id
        assert all(e.suggested_topic for e in entries)


def test_one_broken_source_does_not_stop_the_others(
    prefect_harness: None, sample_db: Engine, httpserver: HTTPServer, shared_dir: Path
) -> None:
    from flows.ingest import ingest

    httpserver.expect_request("/down").respond_with_data("oops", status=500)
    httpserver.expect_request("/html").respond_with_data(
        (shared_dir / "fixtures/html/tempo_mainpage.html").read_bytes(), content_type="text/html"
    )
    with Session(sample_db) as session, session.begin():
        session.add(
            Source(kind=SourceKind.RSS, name="down", config={"url": httpserver.url_for("/down")})
        )
        session.add(
            Source(kind=SourceKind.RSS, name="html", config={"url": httpserver.url_for("/html")})
        )
    report = ingest()
    by_name = {s["source_name"]: s for s in report["sources"]}
    assert by_name["down"]["status"] == "failed" and "HTTP 500" in by_name["down"]["message"]
    assert by_name["html"]["status"] == "failed" and "bukan feed" in by_name["html"]["message"]
    assert report["new"] == 14 and report["errors"] == 2


def test_queue_can_be_ordered_least_confident_first(
    prefect_harness: None, sample_db: Engine
) -> None:
    from flows.ingest import ingest

    ingest()
    with Session(sample_db) as session:
        entries = list_queue(session, limit=100, order="uncertain")
        assert len(entries) == 14
        confidences = [e.confidence for e in entries]
        assert confidences == sorted(confidences)
        with pytest.raises(ValueError, match="urutan"):
            list_queue(session, order="acak")


ARTICLE = (
    "<html><body><article>"
    + "<p>Jalan di Kecamatan Gambut rusak parah, warga meminta Dinas PUPR memperbaiki.</p>" * 6
    + "</article></body></html>"
)


def _fetch_processes(
    processes: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Any:
    """Pages fetched by a worker process ("1", the default) or in the run's process ("0")."""
    from aduan.settings import get_settings

    monkeypatch.setenv("ADUAN_FETCH_PROCESSES", processes)
    get_settings.cache_clear()
    request.addfinalizer(get_settings.cache_clear)  # after monkeypatch restores the env
    return get_settings


@pytest.fixture(params=["1", "0"], ids=["worker-process", "in-process"])
def page_mode(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Any:
    """Each test twice: pages by the worker process and in the run's own process."""
    return _fetch_processes(request.param, monkeypatch, request)


def _serve_feed(httpserver: HTTPServer, path: str, keys: list[str]) -> str:
    """An RSS feed at ``path`` with one entry per key (its guid), each with an article page
    at /berita/<key>; returns the feed's URL."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    entries = "".join(
        f"<item><title>Dinas PUPR diminta perbaiki jalan {key}</title>"
        f"<link>{httpserver.url_for(f'/berita/{key}')}</link><guid>{key}</guid>"
        f"<description>Jalan rusak di Gambut, laporan {key}</description></item>"
        for key in keys
    )
    httpserver.expect_request(path).respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}'
        "</channel></rss>",
        content_type="application/rss+xml",
    )
    for key in keys:
        httpserver.expect_request(f"/berita/{key}").respond_with_data(
            ARTICLE, content_type="text/html"
        )
    return str(httpserver.url_for(path))


def test_entries_stored_before_a_crash_get_their_article_page_later(
    prefect_harness: None, sample_db: Engine, httpserver: HTTPServer, page_mode: Any
) -> None:
    """A run killed between storing and fetching pages: the next run catches up, with the
    pages fetched by a worker process (the default) or in the run's own process."""
    import httpx

    get_settings = page_mode
    from collectors.collect import collect_source
    from flows.ingest import ingest

    url = _serve_feed(httpserver, "/feed", [f"b-{n}" for n in range(3)])
    with Session(sample_db) as session, session.begin():
        source = Source(kind=SourceKind.RSS, name="lokal", config={"url": url})
        session.add(source)
        session.flush()
        source_id = source.id
    # The first run stored the entries, then died before the page step.
    with httpx.Client() as client:
        stored = collect_source(
            sessionmaker(sample_db), source_id, client=client, settings=get_settings()
        )
    assert stored.new == 3
    report = ingest()
    assert report["articles"]["fetched"] >= 3
    with Session(sample_db) as session:
        items = session.scalars(select(Item).where(Item.source_id == source_id)).all()
        assert len(items) == 3
        assert all("article" in i.raw and i.enrich_state == "done" for i in items)
        assert all(i.text.startswith("Jalan di Kecamatan Gambut") for i in items)
    assert ingest()["articles"]["fetched"] == 0  # nothing twice


def test_a_run_in_many_small_rounds_does_every_item_once(
    prefect_harness: None,
    sample_db: Engine,
    httpserver: HTTPServer,
    page_mode: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rounds of two new items (a backfill runs in rounds of thousands, so that its memory
    holds one round): pages chosen in one round arrive while later rounds are read, and
    every item is still fetched, clustered, tagged and placed exactly once."""
    import flows.ingest as module

    monkeypatch.setattr(module, "ROUND_ITEMS", 2)
    monkeypatch.setattr(module, "PAGE_BATCH", 1)
    rounds: list[list[int]] = []
    select_task = module.select_articles

    def counting_select(item_ids: list[int]) -> tuple[list[int], dict[str, float]]:
        rounds.append(item_ids)
        return select_task(item_ids)

    monkeypatch.setattr(module, "select_articles", counting_select)
    with Session(sample_db) as session, session.begin():
        for feed in range(3):
            url = _serve_feed(httpserver, f"/feed{feed}", [f"{feed}-{n}" for n in range(3)])
            session.add(Source(kind=SourceKind.RSS, name=f"lokal {feed}", config={"url": url}))
    report = module.ingest()
    assert report["new"] == 23 and report["tagged"] == 23
    assert len(rounds) >= 6  # six sources, each with at least two new items
    assert sorted(i for r in rounds for i in r) == sorted({i for r in rounds for i in r})
    assert report["articles"]["fetched"] >= 9
    with Session(sample_db) as session:
        items = session.scalars(select(Item)).all()
        assert len(items) == 23
        local = [i for i in items if i.external_id.count("-") == 1 and i.raw.get("article")]
        assert len(local) == 9 and all(i.enrich_state == "done" for i in local)
        assert all(i.text.startswith("Jalan di Kecamatan Gambut") for i in local)
        assert all(i.place_key is not None for i in items)
        per_item = session.execute(
            select(ItemSuggestion.item_id, func.count())
            .where(ItemSuggestion.superseded_at.is_(None))
            .group_by(ItemSuggestion.item_id)
        ).all()
        assert len(per_item) == 23 and {n for _, n in per_item} == {1}
        gambut = [i for i in items if i.title and "Gambut" in i.title]
        assert len({i.cluster_id for i in gambut}) == 1
    again = module.ingest()
    assert again["new"] == 0 and again["tagged"] == 0 and again["articles"]["fetched"] == 0


def test_a_failed_run_does_not_wait_for_pages_it_has_not_begun(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """When a run stops (an error), chunks of pages not begun are cancelled, not fetched:
    their items stay "pending" for the next run, and the run ends at once."""
    import threading
    import time

    import flows.ingest as module

    get_settings = _fetch_processes("0", monkeypatch, request)
    started: list[list[int]] = []
    release = threading.Event()

    def slow_chunk(chunk: list[int], **_: object) -> module.EnrichReport:
        started.append(chunk)
        release.wait(5)
        return module.EnrichReport(fetched=len(chunk))

    monkeypatch.setattr(module, "enrich_chunk", slow_chunk)
    monkeypatch.setattr(module, "ENRICH_CHUNK", 1)
    pages = module._Pages(get_settings(), lambda line: None)
    pages.submit([1, 2, 3, 4, 5])
    while not started:  # the first chunk is in hand
        time.sleep(0.01)
    closing = threading.Thread(target=pages.close)
    closing.start()
    time.sleep(0.2)  # close() has cancelled the four queued chunks and waits for the first
    release.set()
    closing.join(5)
    assert not closing.is_alive() and started == [[1]]
