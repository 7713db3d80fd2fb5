"""Article extraction on real saved Indonesian news pages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.article import decode_html, extract_article

PAGES = {
    # file: (url, start of body, published UTC or None, author or None)
    "antara_article_5.html": (
        "https://www.antaranews.com/berita/x",
        "Jakarta (ANTARA News) - Peribahasa",
        datetime(2017, 5, 15, 11, 43, 56, tzinfo=UTC),
        "B Kunto Wibisono",
    ),
    "detik_article_1.html": (
        "http://inet.detik.com/read/2015/11/05/x",
        "Galaxy S6 Edge, dengan material premium",
        datetime(2015, 11, 5, 10, 8, 58, tzinfo=UTC),
        None,
    ),
    "kompas_article_1.html": (
        "http://regional.kompas.com/read/2015/11/04/x",
        "LHOKSEUMAWE, KOMPAS.com",
        datetime(2015, 11, 4, 14, 4, tzinfo=UTC),
        None,
    ),
    "liputan6_article_1.html": (
        "http://tekno.liputan6.com/read/x",
        "Liputan6.com, Jakarta - Indonesia memasuki",
        datetime(2016, 2, 16, 2, 10, 56, tzinfo=UTC),
        "Corry Anestia",
    ),
    "okezone_article_1.html": (
        "http://lifestyle.okezone.com/read/x",
        "DEPRESI jadi satu momok",
        datetime(2015, 11, 5, 9, 9, tzinfo=UTC),
        None,
    ),
    "tempo_pilkada_article_saved_2017.html": (
        "https://pilkada.tempo.co/read/x",
        "TEMPO.CO, Jakarta - Wakil Gubernur",  # no space before the comma (trafilatura)
        datetime(2017, 4, 27, 16, 1, tzinfo=UTC),
        None,
    ),
    "kapanlagi_article_1.html": (
        "https://www.kapanlagi.com/showbiz/x",
        '"Di sini sebagai Lido.',
        datetime(2015, 11, 5, 4, 52, tzinfo=UTC),
        None,
    ),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_saved_pages_give_title_body_time_and_author(shared_dir: Path, name: str) -> None:
    url, start, published, author = PAGES[name]
    article = extract_article((shared_dir / "fixtures/html" / name).read_bytes(), url=url)
    assert article.title
    assert article.text.startswith(start), article.text[:200]
    assert len(article.text) > 700
    assert "<" not in article.text and "function(" not in article.text
    assert article.published_at == published
    if author:
        assert article.author == author


def test_valid_utf8_wins_over_a_wrong_declared_charset(shared_dir: Path) -> None:
    raw = (shared_dir / "fixtures/html/kapanlagi_article_1.html").read_bytes()
    assert b"iso-8859-1" in raw.lower()
    text, encoding = decode_html(raw, "iso-8859-1")
    assert encoding == "utf-8"
    assert "\u00c3" not in text  # no mojibake such as "Ã©"


def test_latin1_bytes_declared_as_utf8_are_still_read() -> None:
    page = (
        "<html><body><article><p>Warga Banjarbaru mengeluh café tutup, jalan rusak parah "
        "sekali di depan sekolah dasar negeri dan tidak ada perbaikan.</p></article></body>"
        "</html>"
    )
    text, encoding = decode_html(page.encode("cp1252"), "utf-8")
    assert "café" in text and encoding != "utf-8"


def test_scripts_and_event_handlers_never_reach_the_text() -> None:
    page = (
        b"<html><head><title>Judul &lt;b&gt;</title><script>alert(1)</script></head><body>"
        b"<article><p>Jalan di Banjarmasin rusak parah sejak bulan lalu dan belum diperbaiki"
        b" oleh dinas terkait meski warga sudah melapor berkali-kali.</p>"
        b"<p><img src=x onerror=alert(2)>Tolong segera ditangani.</p><script>evil()</script>"
        b"</article></body></html>"
    )
    article = extract_article(page)
    assert "alert" not in article.text and "evil" not in article.text
    assert "onerror" not in article.text
    assert "Tolong segera ditangani." in article.text
    assert article.title == "Judul <b>"  # text, to be escaped wherever it is shown


def test_index_page_yields_little_text(shared_dir: Path) -> None:
    article = extract_article((shared_dir / "fixtures/html/okezone_mainpage.html").read_bytes())
    assert len(article.text) < 500
