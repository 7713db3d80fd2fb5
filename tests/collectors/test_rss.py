"""The RSS/Atom collector against real recorded feeds served over HTTP on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug import Request, Response

from aduan.settings import Settings
from collectors.base import SourceSpec
from collectors.collect import DISABLE_AFTER_FAILURES, collect_source
from collectors.errors import ParseError
from collectors.rss import RssCollector
from models import Item, Source, SourceKind, SourceRun, SourceRunStatus
from tests.conftest import SHARED

FEEDS = sorted((SHARED / "fixtures/rss").glob("*.xml"))
if not FEEDS:  # an empty parametrize would silently skip: fail loudly instead
    raise RuntimeError(f"no recorded feeds found in {SHARED / 'fixtures/rss'}")


def _spec(url: str, cursor: dict | None = None) -> SourceSpec:
    return SourceSpec(id=1, kind=SourceKind.RSS, name="t", config={"url": url}, cursor=cursor or {})


@pytest.mark.parametrize("feed", FEEDS, ids=[f.stem for f in FEEDS])
def test_recorded_feeds_become_clean_items(
    feed: Path, httpserver: HTTPServer, client: httpx.Client
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        feed.read_bytes(), content_type="application/rss+xml"
    )
    result = RssCollector().fetch(_spec(httpserver.url_for("/feed")), client=client)
    assert len(result.items) >= 10
    ids = [i.external_id for i in result.items]
    assert len(ids) == len(set(ids))
    for item in result.items:
        assert item.text and "<p>" not in item.text and "<img" not in item.text
        assert item.published_at is None or item.published_at.utcoffset() is not None
        assert item.url is None or item.url.startswith("http")


def test_malformed_feed_is_parsed_and_flagged(
    shared_dir: Path, httpserver: HTTPServer, client: httpx.Client
) -> None:
    body = (shared_dir / "fixtures/rss/antaranews_terkini_2015-11.xml").read_bytes()
    httpserver.expect_request("/feed").respond_with_data(body, content_type="text/xml")
    result = RssCollector().fetch(_spec(httpserver.url_for("/feed")), client=client)
    assert len(result.items) == 20
    assert result.warnings and "tidak rapi" in result.warnings[0]


def test_feed_without_dates_keeps_items_with_no_published_time(
    shared_dir: Path, httpserver: HTTPServer, client: httpx.Client
) -> None:
    body = shared_dir / "fixtures/rss/detik_news_indeks_feedgen_nodates_2026-09-17.xml"
    httpserver.expect_request("/feed").respond_with_data(body.read_bytes())
    result = RssCollector().fetch(_spec(httpserver.url_for("/feed")), client=client)
    assert result.items and all(i.published_at is None for i in result.items)


def test_html_page_instead_of_feed_is_a_parse_error(
    shared_dir: Path, httpserver: HTTPServer, client: httpx.Client
) -> None:
    page = (shared_dir / "fixtures/html/kompas_mainpage.html").read_bytes()
    httpserver.expect_request("/feed").respond_with_data(page, content_type="text/html")
    with pytest.raises(ParseError):
        RssCollector().fetch(_spec(httpserver.url_for("/feed")), client=client)


def test_conditional_get_sends_etag_and_handles_304(
    shared_dir: Path, httpserver: HTTPServer, client: httpx.Client
) -> None:
    body = (shared_dir / "fixtures/rss/detik_news_2017-04-28.xml").read_bytes()

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(
            body, headers={"ETag": '"v1"', "Last-Modified": "Fri, 28 Apr 2017 01:00:00 GMT"}
        )

    httpserver.expect_request("/feed").respond_with_handler(handler)
    first = RssCollector().fetch(_spec(httpserver.url_for("/feed")), client=client)
    assert first.cursor == {"etag": '"v1"', "last_modified": "Fri, 28 Apr 2017 01:00:00 GMT"}
    second = RssCollector().fetch(_spec(httpserver.url_for("/feed"), first.cursor), client=client)
    assert second.not_modified and second.items == ()


def _add_source(engine: Engine, name: str, url: str) -> int:
    with Session(engine) as session, session.begin():
        source = Source(kind=SourceKind.RSS, name=name, config={"url": url})
        session.add(source)
        session.flush()
        return source.id


def test_collect_twice_stores_each_item_once(
    engine: Engine,
    shared_dir: Path,
    httpserver: HTTPServer,
    client: httpx.Client,
    settings: Settings,
) -> None:
    body = (shared_dir / "fixtures/rss/republika_2017-04-28.xml").read_bytes()
    httpserver.expect_request("/feed").respond_with_data(body)
    source_id = _add_source(engine, "republika", httpserver.url_for("/feed"))
    sessions = sessionmaker(engine)
    first = collect_source(sessions, source_id, client=client, settings=settings)
    second = collect_source(sessions, source_id, client=client, settings=settings)
    assert first.status is SourceRunStatus.OK and first.new == 15
    assert second.new == 0 and second.duplicates == 15
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 15
        assert session.scalar(select(func.count()).select_from(SourceRun)) == 2
        source = session.get(Source, source_id)
        assert source.last_success_at is not None and source.consecutive_failures == 0


def test_failing_source_is_recorded_and_disabled_after_repeated_failures(
    engine: Engine, httpserver: HTTPServer, client: httpx.Client, settings: Settings
) -> None:
    httpserver.expect_request("/gone").respond_with_data("not here", status=404)
    source_id = _add_source(engine, "gone", httpserver.url_for("/gone"))
    sessions = sessionmaker(engine)
    for _ in range(DISABLE_AFTER_FAILURES):
        summary = collect_source(sessions, source_id, client=client, settings=settings)
        assert summary.status is SourceRunStatus.FAILED and "HTTP 404" in summary.message
    with Session(engine) as session:
        source = session.get(Source, source_id)
        assert not source.enabled
        assert "5 kali gagal" in source.disabled_reason
        runs = session.scalars(select(SourceRun).where(SourceRun.source_id == source_id)).all()
        assert [r.status for r in runs] == [SourceRunStatus.FAILED] * DISABLE_AFTER_FAILURES


def test_same_article_in_two_feeds_is_stored_once(
    engine: Engine,
    shared_dir: Path,
    httpserver: HTTPServer,
    client: httpx.Client,
    settings: Settings,
) -> None:
    body = (shared_dir / "fixtures/rss/detik_sport_2017-04-28.xml").read_bytes()
    httpserver.expect_request("/a").respond_with_data(body)
    httpserver.expect_request("/b").respond_with_data(body)
    sessions = sessionmaker(engine)
    a = collect_source(
        sessions,
        _add_source(engine, "a", httpserver.url_for("/a")),
        client=client,
        settings=settings,
    )
    b = collect_source(
        sessions,
        _add_source(engine, "b", httpserver.url_for("/b")),
        client=client,
        settings=settings,
    )
    assert a.new == 10 and b.new == 0 and b.duplicates == 10
