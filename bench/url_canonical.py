"""URL canonicalisation for duplicate detection: which URLs must become one, which must
stay apart. Compares aduan's ``collectors.normalize.canonical_url`` with courlan's
``normalize_url`` (maintained tracker rules) and w3lib's ``canonicalize_url``.

    python -m bench.url_canonical
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: Pairs that are the same article (tracking, fragment, case, default port, order).
SAME = [
    (
        "https://news.detik.com/berita/d-7001/jalan-rusak?utm_source=twitter&utm_medium=social",
        "https://news.detik.com/berita/d-7001/jalan-rusak",
    ),
    (
        "https://kalsel.antaranews.com/berita/412/banjir-rob?fbclid=IwAR0abc",
        "https://kalsel.antaranews.com/berita/412/banjir-rob",
    ),
    (
        "https://kalsel.antaranews.com/berita/412/banjir-rob#komentar",
        "https://kalsel.antaranews.com/berita/412/banjir-rob",
    ),
    (
        "HTTPS://Banjarmasin.Tribunnews.com/2026/12/01/lampu-jalan-mati",
        "https://banjarmasin.tribunnews.com/2026/12/01/lampu-jalan-mati",
    ),
    ("https://apahabar.com:443/2026/12/klotok", "https://apahabar.com/2026/12/klotok"),
    ("https://www.example.go.id/berita?id=5&gclid=Cj0K", "https://www.example.go.id/berita?id=5"),
    ("https://kanalkalimantan.com/a/?utm_campaign=x&_ga=2.1", "https://kanalkalimantan.com/a/"),
    ("https://news.example/a?at_medium=rss&at_campaign=feed", "https://news.example/a"),
    (
        "https://news.example/read?id=9&page=1&mc_cid=abc&mc_eid=def",
        "https://news.example/read?id=9&page=1",
    ),
    ("https://news.example/read?b=2&a=1", "https://news.example/read?a=1&b=2"),
]
#: Pairs that are different pages and must never merge.
DIFFERENT = [
    ("https://www.youtube.com/watch?v=abc123", "https://www.youtube.com/watch?v=def456"),
    ("https://portal.example.go.id/?s=banjir", "https://portal.example.go.id/?s=jalan+rusak"),
    ("https://forum.example/viewtopic.php?t=123", "https://forum.example/viewtopic.php?t=456"),
    (
        "https://dinas.example.go.id/berita.php?src=pengumuman-1",
        "https://dinas.example.go.id/berita.php?src=pengumuman-2",
    ),
    (
        "https://lpse.example.go.id/detail?ref=PKT-2026-01",
        "https://lpse.example.go.id/detail?ref=PKT-2026-02",
    ),
    ("https://kab.example.go.id/index.php?id=12", "https://kab.example.go.id/index.php?id=13"),
    ("https://blog.example/?p=123", "https://blog.example/?p=124"),
    ("https://news.example/indeks?page=2", "https://news.example/indeks?page=3"),
    ("https://news.example/berita/1", "https://news.example/berita/2"),
    ("https://a.example/x?session=1&id=7", "https://a.example/x?session=1&id=8"),
]


def _ours(url: str) -> str:
    from collectors.normalize import canonical_url

    return canonical_url(url) or ""


def _courlan(url: str) -> str:
    from courlan import normalize_url

    return normalize_url(url, strict=False, trailing_slash=False)


def _w3lib(url: str) -> str:
    from w3lib.url import canonicalize_url

    return canonicalize_url(url)


def score(name: str, fn: Callable[[str], str]) -> dict[str, object]:
    same = sum(fn(a) == fn(b) for a, b in SAME)
    apart = sum(fn(a) != fn(b) for a, b in DIFFERENT)
    wrong = [a for a, b in DIFFERENT if fn(a) == fn(b)]
    missed = [a for a, b in SAME if fn(a) != fn(b)]
    urls = [u for pair in SAME + DIFFERENT for u in pair] * 500
    started = time.perf_counter()
    for u in urls:
        fn(u)
    rate = len(urls) / (time.perf_counter() - started)
    return {
        "name": name,
        "same": same,
        "apart": apart,
        "wrong_merges": wrong,
        "missed": missed,
        "urls_per_s": round(rate),
    }


def main() -> list[dict[str, object]]:
    results = [
        score("aduan canonical_url", _ours),
        score("courlan normalize_url", _courlan),
        score("w3lib canonicalize_url", _w3lib),
    ]
    for r in results:
        print(
            f"{r['name']}: {r['same']}/{len(SAME)} same pairs merged, {r['apart']}/"
            f"{len(DIFFERENT)} different pairs kept apart, {r['urls_per_s']:,} URLs/s"
        )
        for u in r["wrong_merges"]:
            print(f"    wrongly merged: {u}")
        for u in r["missed"]:
            print(f"    not merged: {u}")
    return results


if __name__ == "__main__":
    main()
