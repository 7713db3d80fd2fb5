from datetime import UTC, datetime

from collectors.normalize import canonical_url, content_hash, html_to_text, struct_time_to_utc


def test_canonical_url_strips_tracking_and_fragment() -> None:
    url = "HTTPS://News.Example.com:443/a/b?id=7&utm_source=rss&fbclid=x#top"
    assert canonical_url(url) == "https://news.example.com/a/b?id=7"


def test_html_to_text_drops_scripts_and_decodes_entities() -> None:
    markup = "<p>Jalan <b>rusak</b>&nbsp;parah</p><script>alert(1)</script><p>Tolong</p>"
    assert html_to_text(markup) == "Jalan rusak parah Tolong"


def test_content_hash_ignores_case_and_punctuation() -> None:
    assert content_hash("Judul", "Jalan RUSAK, parah!") == content_hash(
        "judul", "jalan rusak parah"
    )


def test_dates_in_the_far_future_or_past_are_dropped() -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    future = datetime(2027, 1, 1, tzinfo=UTC).timetuple()
    assert struct_time_to_utc(future, now=now) is None
    assert struct_time_to_utc(datetime(1970, 1, 2, tzinfo=UTC).timetuple(), now=now) is None
    ok = datetime(2026, 11, 23, 8, tzinfo=UTC)
    assert struct_time_to_utc(ok.timetuple(), now=now) == ok


def test_canonical_urls_merge_the_same_article_and_keep_different_pages_apart() -> None:
    from bench.url_canonical import DIFFERENT, SAME

    for a, b in SAME:
        assert canonical_url(a) == canonical_url(b), (a, b)
    apart = [(a, b) for a, b in DIFFERENT if canonical_url(a) != canonical_url(b)]
    # "?ref=" is tracking on most sites (courlan's rules); a site where it names a page
    # gets a url_keep rule in sites.yaml. Every other different page stays apart.
    assert len(apart) == len(DIFFERENT) - 1
    assert canonical_url("https://www.youtube.com/watch?v=abc") != canonical_url(
        "https://www.youtube.com/watch?v=def"
    )


def test_site_rules_strip_and_keep_parameters(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from collectors import normalize

    assert canonical_url("https://regional.kompas.com/read/2026/12/01/x?page=all") == (
        "https://regional.kompas.com/read/2026/12/01/x"
    )
    assert canonical_url("https://news.detik.com/berita/d-1/x?single=1") == (
        "https://news.detik.com/berita/d-1/x"
    )
    # Elsewhere "page" names a listing page and stays.
    assert "page=2" in (canonical_url("https://news.example/indeks?page=2") or "")
    normalize._url_rules.cache_clear()
    monkeypatch.setattr(
        normalize, "_url_rules", lambda: {"lpse.example.go.id": (frozenset({"ref"}), frozenset())}
    )
    assert canonical_url("https://lpse.example.go.id/detail?ref=PKT-1") != canonical_url(
        "https://lpse.example.go.id/detail?ref=PKT-2"
    )
