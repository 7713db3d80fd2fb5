"""Fetching article pages politely: robots.txt, retries with backoff, a size cap, and a
bounded pool with a per-host concurrency cap and a minimum delay between requests to one
host (a robots.txt ``Crawl-delay`` wins when it asks for more)."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from itertools import zip_longest
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from collectors.article import Article, extract_article
from collectors.errors import CollectorError, PermanentError, RobotsDisallowed, TransientError
from collectors.http import Fetched, fetch_url

__all__ = ["PageFetcher", "Politeness", "interleave_by_host"]

log = logging.getLogger(__name__)

MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_BACKOFF_SECONDS = 60.0
#: A robots.txt asking for more than this between requests is treated as this.
MAX_CRAWL_DELAY = 30.0


@dataclass(frozen=True, slots=True)
class Politeness:
    """How hard one run may pull article pages (settings ``ADUAN_FETCH_*``)."""

    concurrency: int = 8  # pages in flight in all
    per_host: int = 4  # pages in flight from one host
    host_delay: float = 0.0  # seconds between the starts of two requests to one host


class _HostGate:
    """At most ``per_host`` requests at once, starts at least ``delay`` seconds apart."""

    def __init__(self, per_host: int, delay: float) -> None:
        self.slots = threading.BoundedSemaphore(max(1, per_host))
        self.delay = delay
        self._lock = threading.Lock()
        self._next_start = 0.0

    def __enter__(self) -> None:
        self.slots.acquire()
        if self.delay > 0:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start)
                self._next_start = start + self.delay
            if start > now:
                time.sleep(start - now)

    def __exit__(self, *exc: object) -> None:
        self.slots.release()


def interleave_by_host(urls: Iterable[str]) -> list[str]:
    """One URL of each host in turn, so that a pool is not filled by one slow host."""
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in urls:
        by_host[urlsplit(url).netloc].append(url)
    return [u for row in zip_longest(*by_host.values()) for u in row if u is not None]


class PageFetcher:
    """Fetches and extracts article pages; one instance per run (robots.txt is cached per
    host). ``fetch`` is safe to call from several threads; ``fetch_many`` runs a pool."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        user_agent: str,
        attempts: int = 3,
        backoff: float = 1.0,
        max_bytes: int = MAX_PAGE_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        politeness: Politeness | None = None,
    ) -> None:
        self.client = client
        self.user_agent = user_agent
        self.attempts = attempts
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.politeness = politeness or Politeness()
        self._robots: dict[str, RobotFileParser | None] = {}
        self._gates: dict[str, _HostGate] = {}
        self._origin_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._lock = threading.Lock()
        #: CPU seconds spent extracting pages (summed over the pool's threads).
        self.extract_seconds = 0.0

    @staticmethod
    def _origin(url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        return f"{parts.scheme}://{parts.netloc}"

    def _robots_for(self, origin: str) -> RobotFileParser | None:
        with self._lock:
            lock = self._origin_locks[origin]
        with lock:  # one robots.txt request per host, however many threads ask
            if origin not in self._robots:
                robots = self._load_robots(origin)
                delay = self.politeness.host_delay
                crawl_delay = robots.crawl_delay(self.user_agent) if robots else None
                if crawl_delay:
                    delay = max(delay, min(float(crawl_delay), MAX_CRAWL_DELAY))
                per_host = min(self.politeness.per_host, 1 if crawl_delay else 10**6)
                self._gates[origin] = _HostGate(per_host, delay)
                self._robots[origin] = robots
            return self._robots[origin]

    def allowed(self, url: str) -> bool:
        origin = self._origin(url)
        if origin is None:
            return True
        robots = self._robots_for(origin)
        return robots is None or robots.can_fetch(self.user_agent, url)

    def _load_robots(self, origin: str) -> RobotFileParser | None:
        """None means 'no rules' (missing robots.txt); unreachable robots.txt disallows all."""
        parser = RobotFileParser()
        try:
            fetched = fetch_url(self.client, f"{origin}/robots.txt", max_bytes=512 * 1024)
        except PermanentError:
            return None  # 404 and friends: no robots.txt, everything allowed
        except CollectorError as exc:
            log.info("robots.txt of %s unavailable (%s): not fetching pages there", origin, exc)
            parser.disallow_all = True  # type: ignore[attr-defined]  # set by parse(); no API
            return parser
        parser.parse(fetched.content.decode("utf-8", errors="replace").splitlines())
        return parser

    def download(self, url: str) -> Fetched:
        """The page's bytes (robots.txt, the host's gate, retries); safe from many threads."""
        if not self.allowed(url):
            raise RobotsDisallowed(f"robots.txt melarang mengambil {url}")
        origin = self._origin(url)
        gate = self._gates.get(origin) if origin else None
        delay = self.backoff
        attempt = 0
        while True:
            attempt += 1
            try:
                if gate is None:
                    return fetch_url(self.client, url, max_bytes=self.max_bytes)
                with gate:
                    return fetch_url(self.client, url, max_bytes=self.max_bytes)
            except TransientError as exc:
                if attempt >= self.attempts:
                    raise
                wait_for = min(MAX_BACKOFF_SECONDS, exc.retry_after or delay)
                log.info("retrying %s in %.1fs after: %s", url, wait_for, exc)
                self.sleep(wait_for)
                delay *= 2

    def extract(self, fetched: Fetched) -> Article:
        """The article in a downloaded page; a page that breaks the extractor is a
        PermanentError of that page."""
        started = time.thread_time()  # CPU time
        charset = httpx.Headers(fetched.headers).get("content-type", "")
        declared = charset.split("charset=")[-1].strip() if "charset=" in charset else None
        try:
            return extract_article(fetched.content, url=fetched.url, declared_charset=declared)
        except Exception as exc:
            log.exception("extracting %s crashed", fetched.url)
            raise PermanentError(f"halaman tidak dapat dibaca: {exc.__class__.__name__}") from exc
        finally:
            elapsed = time.thread_time() - started
            with self._lock:
                self.extract_seconds += elapsed

    def fetch(self, url: str) -> Article:
        """The extracted article at ``url``; CollectorError when it cannot be had."""
        return self.extract(self.download(url))

    def _downloaded(self, url: str) -> Fetched | CollectorError:
        try:
            return self.download(url)
        except CollectorError as exc:
            return exc

    def _extracted(self, outcome: Fetched | CollectorError) -> Article | CollectorError:
        if isinstance(outcome, CollectorError):
            return outcome
        try:
            return self.extract(outcome)
        except CollectorError as exc:
            return exc

    def fetch_many(self, urls: Iterable[str]) -> Iterator[tuple[str, Article | CollectorError]]:
        """(url, article or the error) for each URL, as they complete. The pool only
        downloads, ``concurrency`` at a time, hosts taken in turn; extraction (CPU work)
        runs in the calling thread, so that threads do not fight over the GIL for it.
        Stopping the iteration early stops the pool."""
        queue = iter(interleave_by_host(urls))
        width = max(1, self.politeness.concurrency)
        if width == 1:
            for url in queue:
                yield url, self._extracted(self._downloaded(url))
            return
        pending: dict[Future[Fetched | CollectorError], str] = {}
        with ThreadPoolExecutor(max_workers=width, thread_name_prefix="halaman") as pool:
            try:
                for url in queue:
                    pending[pool.submit(self._downloaded, url)] = url
                    if len(pending) < 2 * width:
                        continue
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield pending.pop(future), self._extracted(future.result())
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield pending.pop(future), self._extracted(future.result())
            finally:
                for future in pending:
                    future.cancel()
