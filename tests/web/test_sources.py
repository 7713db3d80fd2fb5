"""The web admin's sources page: add and edit a news feed (its address checked by fetching
it once over real HTTP on 127.0.0.1), "jalankan sekarang", and X without a token."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Event, Item, Source, SourceKind, SourceRun
from tests.conftest import SHARED
from tests.web.conftest import World, login

FEED = SHARED / "fixtures/rss/detik_news_2017-04-28.xml"


def _flash(client: TestClient, response: object) -> str:
    return client.get(response.headers["location"]).text  # type: ignore[attr-defined]


def test_admin_adds_a_feed_only_after_it_reads_as_a_feed(
    client: TestClient, world: World, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/rss").respond_with_data(
        FEED.read_bytes(), content_type="application/rss+xml"
    )
    httpserver.expect_request("/halaman").respond_with_data(
        "<html><body><h1>Beranda</h1></body></html>", content_type="text/html"
    )
    httpserver.expect_request("/hilang").respond_with_data("", status=404)
    csrf = login(client, "admin")
    for url, reason in (
        ("ftp://contoh.example/rss", "http:// atau https://"),
        (httpserver.url_for("/halaman"), "bukan feed"),
        (httpserver.url_for("/hilang"), "feed tidak dapat dibaca"),
    ):
        r = client.post("/sumber/feed", data={"csrf_token": csrf, "nama": "Uji", "url": url})
        assert reason in _flash(client, r), url
    with Session(world.engine) as s:
        assert s.scalar(select(Source).where(Source.name == "Uji")) is None
    r = client.post(
        "/sumber/feed",
        data={"csrf_token": csrf, "nama": "Detik News", "url": httpserver.url_for("/rss")},
    )
    page = _flash(client, r)
    assert "Feed &#39;Detik News&#39; disimpan" in page and "berita terbaca" in page
    with Session(world.engine) as s:
        source = s.scalars(select(Source).where(Source.name == "Detik News")).one()
        assert source.kind is SourceKind.RSS and source.config["url"].endswith("/rss")
        source_id = source.id
        source.cursor = {"etag": "lama"}
        s.commit()
    # The same name twice is refused; an edit to a new address clears the cursor.
    r = client.post(
        "/sumber/feed",
        data={"csrf_token": csrf, "nama": "Detik News", "url": httpserver.url_for("/rss")},
    )
    assert "sudah ada" in _flash(client, r)
    httpserver.expect_request("/rss2").respond_with_data(
        FEED.read_bytes(), content_type="application/rss+xml"
    )
    r = client.post(
        f"/sumber/{source_id}/ubah",
        data={"csrf_token": csrf, "nama": "Detik Berita", "url": httpserver.url_for("/rss2")},
    )
    assert "disimpan" in _flash(client, r)
    with Session(world.engine) as s:
        source = s.get(Source, source_id)
        assert source.name == "Detik Berita" and source.cursor == {}
        assert s.scalar(select(func.count()).where(Event.entity_type == "source")) == 2


def _local_feed(httpserver: HTTPServer) -> bytes:
    """A feed whose article links stay on 127.0.0.1 (no network beyond loopback)."""
    entries = [
        ("Jalan rusak di Kayu Tangi dikeluhkan warga", "Warga minta Dinas PUPR memperbaiki."),
        ("Lampu lalu lintas di simpang Gatot Subroto mati", "Dishub Banjarmasin diminta cek."),
        ("Festival budaya digelar di Martapura", "Ribuan warga memadati lapangan."),
    ]
    items = "".join(
        f"<item><title>{t}</title><link>{httpserver.url_for(f'/berita/{n}')}</link>"
        f"<guid>{httpserver.url_for(f'/berita/{n}')}</guid><description>{d}</description>"
        "<pubDate>Wed, 02 Dec 2026 01:00:00 +0000</pubDate></item>"
        for n, (t, d) in enumerate(entries)
    )
    for n, (t, d) in enumerate(entries):
        httpserver.expect_request(f"/berita/{n}").respond_with_data(
            f"<html><head><title>{t}</title></head><body><article><h1>{t}</h1>"
            f"<p>{d} Warga sudah melapor berkali-kali namun belum ada tindakan.</p>"
            "</article></body></html>",
            content_type="text/html",
        )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Uji</title>'
        f"<link>{httpserver.url_for('/')}</link><description>uji</description>{items}"
        "</channel></rss>"
    ).encode()


def test_run_now_collects_and_tags_that_source(
    client: TestClient, world: World, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/rss").respond_with_data(
        _local_feed(httpserver), content_type="application/rss+xml"
    )
    with Session(world.engine) as s, s.begin():
        source = Source(
            kind=SourceKind.RSS, name="Feed uji", config={"url": httpserver.url_for("/rss")}
        )
        s.add(source)
        s.flush()
        source_id = source.id
    csrf = login(client, "admin")
    r = client.post(f"/sumber/{source_id}/jalankan", data={"csrf_token": csrf})
    assert "dimulai" in _flash(client, r)  # the run happened as a background task
    with Session(world.engine) as s:
        run = s.scalars(select(SourceRun).where(SourceRun.source_id == source_id)).one()
        assert run.new == 3
        items = s.scalars(select(Item).where(Item.source_id == source_id)).all()
        assert len(items) == run.new and all(i.suggestions for i in items)
    page = client.get("/sumber").text
    assert f"{run.new} baru dari {run.fetched}" in page
    # Not twice within two minutes (the slot is kept in the database for every worker).
    r = client.post(f"/sumber/{source_id}/jalankan", data={"csrf_token": csrf})
    assert "baru saja dijalankan" in _flash(client, r)


def test_x_without_a_token_is_refused_with_the_reason(client: TestClient, world: World) -> None:
    with Session(world.engine) as s:
        x_id = s.scalar(select(Source.id).where(Source.kind == SourceKind.X))
        s.execute(Source.__table__.update().where(Source.id == x_id).values(enabled=False))
        s.commit()
    csrf = login(client, "admin")
    page = client.get("/sumber").text
    assert 'id="x-token-hint"' in page
    r = client.post(f"/sumber/{x_id}/aktif", data={"csrf_token": csrf})
    assert "token API X belum diatur" in _flash(client, r)
    with Session(world.engine) as s:
        assert s.get(Source, x_id).enabled is False
