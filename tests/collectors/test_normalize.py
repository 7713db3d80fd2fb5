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
