"""Fetching article pages politely: robots.txt, retries with backoff, a size cap."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from collectors.article import Article, extract_article
from collectors.errors import CollectorError, PermanentError, RobotsDisallowed, TransientError
from collectors.http import fetch_url

__all__ = ["PageFetcher"]

log = logging.getLogger(__name__)

MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_BACKOFF_SECONDS = 60.0


class PageFetcher:
    """Fetches and extracts article pages; one instance per run (robots.txt is cached)."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        user_agent: str,
        attempts: int = 3,
        backoff: float = 1.0,
        max_bytes: int = MAX_PAGE_BYTES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.user_agent = user_agent
        self.attempts = attempts
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.sleep = sleep
        self._robots: dict[str, RobotFileParser | None] = {}

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return True
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        robots = self._robots[origin]
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

    def fetch(self, url: str) -> Article:
        """The extracted article at ``url``; CollectorError when it cannot be had."""
        if not self.allowed(url):
            raise RobotsDisallowed(f"robots.txt melarang mengambil {url}")
        delay = self.backoff
        attempt = 0
        while True:
            attempt += 1
            try:
                fetched = fetch_url(self.client, url, max_bytes=self.max_bytes)
            except TransientError as exc:
                if attempt >= self.attempts:
                    raise
                wait = min(MAX_BACKOFF_SECONDS, exc.retry_after or delay)
                log.info("retrying %s in %.1fs after: %s", url, wait, exc)
                self.sleep(wait)
                delay *= 2
                continue
            charset = httpx.Headers(fetched.headers).get("content-type", "")
            declared = charset.split("charset=")[-1].strip() if "charset=" in charset else None
            return extract_article(fetched.content, url=fetched.url, declared_charset=declared)
