"""Hostile and broken feeds: the outcome is recorded for the source, nothing already
fetched is lost, and a re-run adds no duplicates."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug import Request, Response

from aduan.settings import Settings
from collectors.collect import collect_source
from models import Item, Source, SourceKind, SourceRun, SourceRunStatus


def rss(items: str, *, encoding: str = "utf-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>t</title><link>http://example.org/</link>{items}</channel></rss>"
    )


def entry(n: int, title: str = "Judul", body: str = "Isi berita") -> str:
    return (
        f"<item><title>{title} {n}</title><link>http://example.org/{n}</link>"
        f"<guid>id-{n}</guid><description>{body}</description></item>"
    )


GOOD = rss("".join(entry(n) for n in range(5))).encode()


class Switchable:
    def __init__(self) -> None:
        self.response = Response(GOOD, content_type="application/rss+xml")

    def __call__(self, _request: Request) -> Response:
        return self.response


@pytest.fixture
def feed(httpserver: HTTPServer) -> Switchable:
    switch = Switchable()
    httpserver.expect_request("/feed").respond_with_handler(switch)
    return switch


@pytest.fixture
def run(engine: Engine, httpserver: HTTPServer, client: httpx.Client, settings: Settings):  # type: ignore[no-untyped-def]
    with Session(engine) as session, session.begin():
        source = Source(
            kind=SourceKind.RSS, name="feed", config={"url": httpserver.url_for("/feed")}
        )
        session.add(source)
        session.flush()
        source_id = source.id

    def _run():  # type: ignore[no-untyped-def]
        return collect_source(sessionmaker(engine), source_id, client=client, settings=settings)

    return _run


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Item)) or 0


HOSTILE = {
    "invalid_xml": (
        Response(b"\x00\x01<<<not xml at all>>>", content_type="text/xml"),
        SourceRunStatus.FAILED,
        "bukan feed",
    ),
    "html_page": (
        Response(b"<html><body><p>Halaman</p></body></html>", content_type="text/html"),
        SourceRunStatus.FAILED,
        "bukan feed",
    ),
    "not_modified": (Response(status=304), SourceRunStatus.NOT_MODIFIED, None),
    "not_found": (Response("hilang", status=404), SourceRunStatus.FAILED, "HTTP 404"),
    "rate_limited": (
        Response("pelan", status=429, headers={"Retry-After": "120"}),
        SourceRunStatus.FAILED,
        "HTTP 429",
    ),
    "server_error": (Response("galat", status=500), SourceRunStatus.FAILED, "HTTP 500"),
    "empty_body": (Response(b"", content_type="text/xml"), SourceRunStatus.FAILED, "feed"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_bad_answer_is_recorded_and_loses_nothing(  # type: ignore[no-untyped-def]
    case: str, engine: Engine, feed: Switchable, run
) -> None:
    response, status, message = HOSTILE[case]
    assert run().new == 5
    feed.response = response
    bad = run()
    assert bad.status is status
    if message:
        assert message in (bad.message or "")
    assert _count(engine) == 5  # nothing lost
    feed.response = Response(GOOD, content_type="application/rss+xml")
    again = run()
    assert again.new == 0 and again.duplicates == 5  # nothing duplicated
    assert _count(engine) == 5
    with Session(engine) as session:
        statuses = [r.status for r in session.scalars(select(SourceRun).order_by(SourceRun.id))]
    assert statuses == [SourceRunStatus.OK, status, SourceRunStatus.OK]


def test_duplicate_ids_inside_one_page_are_stored_once(  # type: ignore[no-untyped-def]
    engine: Engine, feed: Switchable, run
) -> None:
    body = rss(entry(1) + entry(1, body="versi lain") + entry(2)).encode()
    feed.response = Response(body, content_type="application/rss+xml")
    summary = run()
    assert summary.new == 2 and summary.errors == 1
    assert summary.status is SourceRunStatus.PARTIAL and "duplikat" in summary.message
    assert _count(engine) == 2


def test_html_and_script_in_titles_become_plain_text(  # type: ignore[no-untyped-def]
    engine: Engine, feed: Switchable, run
) -> None:
    title = "&lt;script&gt;alert(1)&lt;/script&gt;Jalan &lt;b&gt;rusak&lt;/b&gt;"
    body = "&lt;img src=x onerror=alert(2)&gt;Lubang besar"
    feed.response = Response(
        rss(entry(1, title=title, body=body)).encode(), content_type="application/rss+xml"
    )
    assert run().new == 1
    with Session(engine) as session:
        item = session.scalars(select(Item)).one()
    assert item.title == "Jalan rusak 1"
    assert item.text == "Lubang besar"


def test_latin1_bytes_declared_as_utf8_are_kept(  # type: ignore[no-untyped-def]
    engine: Engine, feed: Switchable, run
) -> None:
    body = rss(entry(1, title="Café di Banjarbaru", body="Jalan rusak")).encode("cp1252")
    feed.response = Response(body, content_type="application/rss+xml")
    summary = run()
    assert summary.new == 1
    with Session(engine) as session:
        assert "Banjarbaru" in session.scalars(select(Item)).one().title


def test_mixed_encodings_in_one_feed_do_not_stop_the_run(  # type: ignore[no-untyped-def]
    engine: Engine, feed: Switchable, run
) -> None:
    body = rss(entry(1, title="Jalan – rusak")).encode("utf-8")
    body = body.replace(b"</channel>", entry(2, title="Caf\xe9").encode("latin-1") + b"</channel>")
    feed.response = Response(body, content_type="application/rss+xml")
    summary = run()
    assert summary.new >= 1 and summary.status in (SourceRunStatus.OK, SourceRunStatus.PARTIAL)


def test_real_malformed_feed_keeps_its_entries(  # type: ignore[no-untyped-def]
    engine: Engine, feed: Switchable, run, shared_dir: Path
) -> None:
    raw = (shared_dir / "fixtures/rss/republika_2015-11.xml").read_bytes()
    feed.response = Response(raw, content_type="text/xml")
    summary = run()
    assert summary.status is SourceRunStatus.PARTIAL and summary.new == 10
    assert "tidak rapi" in summary.message


def test_nul_bytes_in_an_entry_are_stripped_and_the_run_goes_on(  # type: ignore[no-untyped-def]
    engine: Engine, feed: Switchable, run
) -> None:
    body = rss(
        entry(1, title="Jalan\x00 rusak", body="Lubang\x00 besar di\x01 Jl. A. Yani")
        + "".join(entry(n) for n in range(2, 6))
    ).encode()
    feed.response = Response(body, content_type="application/rss+xml")
    summary = run()
    assert summary.status is not SourceRunStatus.FAILED, summary.message
    assert summary.new == 5
    with Session(engine) as session:
        texts = [f"{i.title} {i.text} {i.raw}" for i in session.scalars(select(Item)).all()]
    assert len(texts) == 5
    assert not any("\x00" in t or "\x01" in t for t in texts)
    assert any("Lubang besar di Jl. A. Yani" in t for t in texts)
    assert run().new == 0  # the next run finds them stored, nothing twice


def test_a_manual_import_with_nul_bytes_is_stored_clean(engine: Engine, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from aduan.cli import cli

    path = tmp_path / "aduan.csv"
    path.write_bytes(
        b"isi,tanggal\n"
        b'"Jalan\x00 rusak parah di Kecamatan Gambut, mohon segera diperbaiki",2026-11-20\n'
    )
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        (text,) = session.scalars(select(Item.text)).all()
    assert "\x00" not in text and text.startswith("Jalan rusak parah")
