"""Fetching pages over real HTTP on 127.0.0.1: robots.txt, retries, limits, bad servers."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from collectors.errors import PermanentError, TransientError
from collectors.http import build_client, fetch_url
from collectors.pages import PageFetcher

ARTICLE = (
    "<html><head><title>Jalan rusak</title></head><body><article>"
    + "<p>Jalan di Kecamatan Gambut rusak parah dan warga meminta perbaikan segera.</p>" * 5
    + "</article></body></html>"
)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture(autouse=True)
def no_robots_txt(httpserver: HTTPServer, request: pytest.FixtureRequest) -> None:
    """pytest-httpserver answers 500 to unknown paths; most sites have no robots.txt."""
    if "robots" not in request.node.name and "5xx" not in request.node.name:
        httpserver.expect_request("/robots.txt").respond_with_data("", status=404)


@pytest.fixture
def fetcher(client: httpx.Client, sleeps: list[float]) -> PageFetcher:
    return PageFetcher(
        client, user_agent="aduan-test", attempts=3, backoff=0.5, sleep=sleeps.append
    )


def test_robots_txt_is_respected(httpserver: HTTPServer, fetcher: PageFetcher) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n"
    )
    httpserver.expect_request("/berita/1").respond_with_data(ARTICLE, content_type="text/html")
    assert fetcher.fetch(httpserver.url_for("/berita/1")).title == "Jalan rusak"
    with pytest.raises(PermanentError, match=r"robots\.txt"):
        fetcher.fetch(httpserver.url_for("/private/2"))


def test_missing_robots_txt_allows_everything(httpserver: HTTPServer, fetcher: PageFetcher) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/berita/1").respond_with_data(ARTICLE, content_type="text/html")
    assert "Gambut" in fetcher.fetch(httpserver.url_for("/berita/1")).text


def test_robots_txt_5xx_means_keep_out(httpserver: HTTPServer, fetcher: PageFetcher) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("down", status=503)
    with pytest.raises(PermanentError, match=r"robots\.txt"):
        fetcher.fetch(httpserver.url_for("/berita/1"))


def test_a_real_user_agent_is_sent(httpserver: HTTPServer, client: httpx.Client) -> None:
    seen: list[str] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("User-Agent", ""))
        return Response(ARTICLE, content_type="text/html")

    httpserver.expect_request("/a").respond_with_handler(handler)
    with build_client(timeout=5, user_agent="aduan/0.1 (+kontak)") as real:
        fetch_url(real, httpserver.url_for("/a"))
    assert seen == ["aduan/0.1 (+kontak)"]


def test_server_errors_are_retried_with_backoff(
    httpserver: HTTPServer, fetcher: PageFetcher, sleeps: list[float]
) -> None:
    calls = {"n": 0}

    def flaky(_request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] < 3:
            return Response("busy", status=503)
        return Response(ARTICLE, content_type="text/html")

    httpserver.expect_request("/flaky").respond_with_handler(flaky)
    assert fetcher.fetch(httpserver.url_for("/flaky")).title == "Jalan rusak"
    assert sleeps == [0.5, 1.0]


def test_429_retry_after_is_honoured_then_given_up(
    httpserver: HTTPServer, fetcher: PageFetcher, sleeps: list[float]
) -> None:
    httpserver.expect_request("/limited").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    with pytest.raises(TransientError, match="429"):
        fetcher.fetch(httpserver.url_for("/limited"))
    assert sleeps == [7.0, 7.0]


def test_404_is_permanent_and_not_retried(
    httpserver: HTTPServer, fetcher: PageFetcher, sleeps: list[float]
) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    with pytest.raises(PermanentError, match="404"):
        fetcher.fetch(httpserver.url_for("/gone"))
    assert sleeps == []


def test_a_20_mb_page_is_refused_without_reading_it_all(
    httpserver: HTTPServer, fetcher: PageFetcher
) -> None:
    body = b"<html><body>" + b"<p>isi</p>" * (2 * 1024 * 1024) + b"</body></html>"
    assert len(body) > 20_000_000
    httpserver.expect_request("/huge").respond_with_data(body, content_type="text/html")
    with pytest.raises(PermanentError, match=r"terlalu besar|melebihi batas"):
        fetcher.fetch(httpserver.url_for("/huge"))


def test_a_streamed_page_without_length_is_cut_at_the_limit(
    httpserver: HTTPServer, client: httpx.Client
) -> None:
    def stream(_request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            for _ in range(2000):
                yield b"x" * 10_000

        return Response(chunks(), content_type="text/html")

    httpserver.expect_request("/stream").respond_with_handler(stream)
    with pytest.raises(PermanentError, match="melebihi batas"):
        fetch_url(client, httpserver.url_for("/stream"), max_bytes=1_000_000)


def test_redirect_loops_are_cut(httpserver: HTTPServer, fetcher: PageFetcher) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with pytest.raises(PermanentError, match="redirect"):
        fetcher.fetch(httpserver.url_for("/a"))


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(conn)
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/never"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_a_server_that_never_answers_times_out(silent_server: str) -> None:
    with (
        build_client(timeout=0.5, user_agent="t") as client,
        pytest.raises(TransientError, match="timeout"),
    ):
        fetch_url(client, silent_server)


def test_saved_page_served_with_a_wrong_charset_header(
    shared_dir: Path, httpserver: HTTPServer, fetcher: PageFetcher
) -> None:
    raw = (shared_dir / "fixtures/html/kapanlagi_article_1.html").read_bytes()
    httpserver.expect_request("/kl").respond_with_data(
        raw, content_type="text/html; charset=iso-8859-1"
    )
    article = fetcher.fetch(httpserver.url_for("/kl"))
    assert article.encoding == "utf-8" and "Ã" not in article.text


class _SlowSite:
    """A threaded loopback site whose pages take ``delay`` seconds; records, per host, the
    start time of every page request and the most requests it served at once."""

    def __init__(self, hosts: list[str], *, delay: float, robots: str = "") -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        site = self
        self.lock = threading.Lock()
        self.starts: dict[str, list[float]] = {h: [] for h in hosts}
        self.busy: dict[str, int] = dict.fromkeys(hosts, 0)
        self.most: dict[str, int] = dict.fromkeys(hosts, 0)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                import time

                host = self.server.server_address[0]
                if self.path == "/robots.txt":
                    body = robots.encode()
                    self.send_response(200 if robots else 404)
                else:
                    if self.path == "/rusak":
                        body = b"\x00" * 10
                    else:
                        body = ARTICLE.encode()
                    with site.lock:
                        site.starts[host].append(time.monotonic())
                        site.busy[host] += 1
                        site.most[host] = max(site.most[host], site.busy[host])
                    time.sleep(delay)
                    with site.lock:
                        site.busy[host] -= 1
                    self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.servers = [ThreadingHTTPServer((h, 0), Handler) for h in hosts]
        for server in self.servers:
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def urls(self, count: int) -> list[str]:
        return [
            f"http://{s.server_address[0]}:{s.server_address[1]}/berita/{i}"
            for s in self.servers
            for i in range(count)
        ]

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def test_fetch_many_caps_requests_per_host_and_runs_hosts_side_by_side(
    client: httpx.Client,
) -> None:
    import time

    from collectors.pages import Politeness

    site = _SlowSite(["127.0.0.1", "127.0.0.2"], delay=0.15)
    try:
        fetcher = PageFetcher(
            client, user_agent="t", politeness=Politeness(concurrency=6, per_host=2)
        )
        started = time.monotonic()
        results = list(fetcher.fetch_many(site.urls(6)))
        elapsed = time.monotonic() - started
    finally:
        site.close()
    assert len(results) == 12
    assert all(not isinstance(a, Exception) and "Gambut" in a.text for _, a in results)
    assert site.most == {"127.0.0.1": 2, "127.0.0.2": 2}  # the cap, reached on both hosts
    # 12 pages of 0.15 s one by one take 1.8 s; 2 hosts x 2 at once, about 0.45 s.
    assert elapsed < 1.2


def test_fetch_many_keeps_the_minimum_delay_and_a_robots_crawl_delay(client: httpx.Client) -> None:
    from collectors.pages import Politeness

    site = _SlowSite(["127.0.0.1"], delay=0.0)
    crawl = _SlowSite(["127.0.0.2"], delay=0.0, robots="User-agent: *\nCrawl-delay: 1\n")
    try:
        fetcher = PageFetcher(
            client,
            user_agent="t",
            politeness=Politeness(concurrency=4, per_host=4, host_delay=0.1),
        )
        list(fetcher.fetch_many(site.urls(4) + crawl.urls(3)))
    finally:
        site.close()
        crawl.close()
    for starts, gap in ((site.starts["127.0.0.1"], 0.1), (crawl.starts["127.0.0.2"], 1.0)):
        starts.sort()
        # As the site sees them (arrival jitters a little): spread out by the delay.
        assert starts[-1] - starts[0] >= (len(starts) - 1) * gap * 0.95
        assert min(b - a for a, b in itertools.pairwise(starts)) >= gap * 0.5


def test_a_page_that_breaks_the_extractor_is_that_pages_error(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import collectors.pages

    def explode(*args: object, **kwargs: object) -> object:
        raise RecursionError("nested too deep")

    site = _SlowSite(["127.0.0.1"], delay=0.0)
    monkeypatch.setattr(collectors.pages, "extract_article", explode)
    try:
        fetcher = PageFetcher(client, user_agent="t")
        results = list(fetcher.fetch_many(site.urls(3)))
    finally:
        site.close()
    assert len(results) == 3
    assert all(isinstance(a, PermanentError) for _, a in results)


def test_the_extractor_is_imported_with_the_page_modules() -> None:
    """Not by the first pool thread to extract a page: the import's warning (urllib3
    without PySocks) is silenced by swapping the process-wide warning filters, which other
    threads may swap back meanwhile; under an "error" filter that failed a page (seen as a
    flaky ingest test). In a fresh interpreter where warnings are errors."""
    import subprocess
    import sys

    script = "import sys\nimport collectors.pages\nassert 'trafilatura' in sys.modules\n"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
