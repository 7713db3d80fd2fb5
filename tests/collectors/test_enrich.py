"""Full articles are fetched only for feed entries worth it; failures keep the feed text."""

from __future__ import annotations

import httpx
from pytest_httpserver import HTTPServer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from classifier.mentions import build_gazetteer
from collectors.enrich import enrich_items, worth_fetching
from collectors.pages import PageFetcher
from models import Item, Source, SourceKind, utcnow

BODY = "<p>Jalan di Kecamatan Gambut rusak parah, warga meminta Dinas PUPR memperbaiki.</p>" * 6


def _item(session: Session, source: Source, n: int, url: str, text: str) -> int:
    item = Item(
        source_id=source.id,
        external_id=str(n),
        url=url,
        title=f"Judul {n}",
        text=text,
        content_hash=str(n),
    )
    session.add(item)
    session.flush()
    return item.id


def test_only_relevant_entries_are_fetched_and_failures_keep_feed_text(
    seeded: Engine, httpserver: HTTPServer, client: httpx.Client
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/jalan").respond_with_data(
        f"<html><head><meta name='author' content='Redaksi'></head><body><article>{BODY}"
        "</article></body></html>",
        content_type="text/html",
    )
    httpserver.expect_request("/rusak").respond_with_data("hilang", status=404)
    with Session(seeded) as session:
        source = Source(kind=SourceKind.RSS, name="f", config={})
        session.add(source)
        session.flush()
        relevant = _item(
            session, source, 1, httpserver.url_for("/jalan"), "Dinas PUPR diminta perbaiki jalan"
        )
        broken = _item(
            session,
            source,
            2,
            httpserver.url_for("/rusak"),
            "Jalan rusak di Banjarbaru, warga mengeluh",
        )
        ceremony = _item(
            session,
            source,
            3,
            httpserver.url_for("/upacara"),
            "Upacara peringatan hari jadi berlangsung meriah",
        )
        gazetteer = build_gazetteer(session)
        fetcher = PageFetcher(client, user_agent="t", attempts=1)
        report = enrich_items(
            session,
            [relevant, broken, ceremony],
            fetcher=fetcher,
            gazetteer=gazetteer,
            now=utcnow(),
        )
        assert (report.fetched, report.failed, report.skipped) == (1, 1, 1)
        enriched = session.get(Item, relevant)
        assert enriched.text.startswith("Jalan di Kecamatan Gambut rusak parah")
        assert enriched.raw["feed_text"] == "Dinas PUPR diminta perbaiki jalan"
        assert enriched.author == "Redaksi"
        failed = session.get(Item, broken)
        assert failed.text == "Jalan rusak di Banjarbaru, warga mengeluh"
        assert "404" in failed.raw["article_error"]
        # a second pass does not fetch again
        again = enrich_items(
            session, [relevant], fetcher=fetcher, gazetteer=gazetteer, now=utcnow()
        )
        assert again.fetched == 0


def test_worth_fetching_needs_an_agency_or_complaint_cues(seeded: Engine) -> None:
    with Session(seeded) as session:
        gazetteer = build_gazetteer(session)
    assert worth_fetching("Disdukcapil buka layanan malam", gazetteer)
    assert worth_fetching("Warga Banjarmasin mengeluh air keruh", gazetteer)
    assert not worth_fetching("Pertandingan sepak bola berakhir imbang", gazetteer)


def test_robots_refusals_are_one_summary_line_not_one_warning_each(
    seeded: Engine, httpserver: HTTPServer, client: httpx.Client, caplog
) -> None:  # type: ignore[no-untyped-def]
    import logging

    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /\n")
    with Session(seeded) as session:
        source = Source(kind=SourceKind.RSS, name="f", config={})
        session.add(source)
        session.flush()
        ids = [
            _item(
                session,
                source,
                n,
                httpserver.url_for(f"/berita/{n}"),
                f"Dinas PUPR diminta perbaiki jalan rusak nomor {n}",
            )
            for n in range(12)
        ]
        fetcher = PageFetcher(client, user_agent="t", attempts=1)
        with caplog.at_level(logging.INFO, logger="collectors.enrich"):
            report = enrich_items(
                session, ids, fetcher=fetcher, gazetteer=build_gazetteer(session), now=utcnow()
            )
        assert report.robots == 12 and report.failed == 12
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1
        assert "12 artikel tidak diambil: robots.txt" in warnings[0].getMessage()
        assert (
            "localhost (12)" in warnings[0].getMessage()
            or "127.0.0.1 (12)" in warnings[0].getMessage()
        )
        # The feed text stays; the item is still triaged.
        assert all(session.get(Item, i).text.startswith("Dinas PUPR") for i in ids)


def test_selection_marks_what_needs_no_page_and_leaves_other_kinds_alone(
    seeded: Engine,
) -> None:
    """The flow's first step for pages: the entries worth a page stay "pending" (the
    worker fetches them), the others are marked at once, and items of other kinds (a
    manual import) are not touched."""
    from collectors.enrich import select_for_article

    with Session(seeded) as session:
        feed = Source(kind=SourceKind.RSS, name="f", config={})
        manual = Source(kind=SourceKind.MANUAL, name="m", config={})
        session.add_all([feed, manual])
        session.flush()
        worth = _item(
            session, feed, 1, "https://contoh.example/1", "Dinas PUPR diminta perbaiki jalan"
        )
        ceremony = _item(
            session, feed, 2, "https://contoh.example/2", "Upacara hari jadi berlangsung meriah"
        )
        no_link = _item(session, feed, 3, "", "Dinas PUPR diminta perbaiki jalan lagi")
        already = _item(session, feed, 4, "https://contoh.example/4", "Dinas PUPR dan jalan")
        session.get(Item, already).raw = {"article": {"method": "jsonld"}}
        imported = _item(session, manual, 5, "https://contoh.example/5", "Dinas PUPR jalan")
        for item_id in (worth, ceremony, no_link, already, imported):
            session.get(Item, item_id).enrich_state = "pending"
        session.flush()
        wanted, report = select_for_article(
            session,
            [worth, ceremony, no_link, already, imported],
            gazetteer=build_gazetteer(session),
        )
        session.expire_all()
        states = {
            i: session.get(Item, i).enrich_state
            for i in (worth, ceremony, no_link, already, imported)
        }
    assert wanted == [worth] and report.skipped == 3
    assert states == {
        worth: "pending",
        ceremony: "skipped",
        no_link: "skipped",
        already: "done",
        imported: "pending",
    }


def test_selection_survives_a_page_stored_meanwhile_by_the_worker(seeded: Engine) -> None:
    """The flow chooses a round's pages while the page worker (another process) stores
    the previous round's. On SQLite a read transaction that then writes fails at once
    ("database is locked") when another connection committed in between: the choice is
    read first and marked in a write transaction of its own, and a state the worker set
    meanwhile is not overwritten."""
    from sqlalchemy import event, update

    from flows.ingest import select_articles

    with Session(seeded) as session, session.begin():
        feed = Source(kind=SourceKind.RSS, name="f", config={})
        session.add(feed)
        session.flush()
        worth = _item(session, feed, 1, "https://contoh.example/1", "Dinas PUPR perbaiki jalan")
        dull = _item(session, feed, 2, "https://contoh.example/2", "Upacara hari jadi meriah")
        stored = _item(session, feed, 3, "https://contoh.example/3", "Dinas PUPR dan jembatan")
        dull_now_done = _item(session, feed, 4, "https://contoh.example/4", "Lomba panjat pinang")
        for item_id in (worth, dull, stored, dull_now_done):
            session.get(Item, item_id).enrich_state = "pending"
    done = []

    def worker_commits(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        # Right after the selection read its rows: the worker stores pages and commits.
        if done or "JOIN sources" not in statement:
            return
        done.append(True)
        with seeded.connect() as other, other.begin():
            other.execute(
                update(Item)
                .where(Item.id.in_([stored, dull_now_done]))
                .values(enrich_state="done", text="teks artikel")
            )

    event.listen(seeded, "after_cursor_execute", worker_commits)
    try:
        wanted, report = select_articles.fn([worth, dull, dull_now_done])
    finally:
        event.remove(seeded, "after_cursor_execute", worker_commits)
    assert done, "the simulated worker never ran"
    with Session(seeded) as session:
        items = (worth, dull, stored, dull_now_done)
        states = {i: session.get(Item, i).enrich_state for i in items}
    assert wanted == [worth] and report["skipped"] == 2
    assert states == {worth: "pending", dull: "skipped", stored: "done", dull_now_done: "done"}
