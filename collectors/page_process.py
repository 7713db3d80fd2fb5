"""Article pages fetched, extracted and stored by a process of their own.

Extraction is CPU work (about 4 ms a page), and so is the clustering and tagging that the
ingest flow does meanwhile: in one process they would share one core through the GIL, and
the download threads, starved of it, would slow to a crawl. So one worker process owns a
``PageFetcher`` (its pool of download threads, robots.txt cache and per-host gates, so
politeness holds across the whole run) and its own database connection, and does whole
chunks of items: select the URLs, fetch, extract, store, commit. The calling process only
hands over item ids and adds up the reports.

The worker is started with "spawn" (a fresh interpreter: no lock held by the caller's
threads is inherited) on the first chunk, and stopped by ``close``. If it dies (out of
memory, killed), its chunk is reported as failed and its items stay "pending" for the
next run; the next chunk starts a new worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import Any

from aduan.db import create_db_engine
from collectors.enrich import EnrichReport, enrich_chunk
from collectors.pages import PageFetcher, Politeness
from models.base import utcnow

__all__ = ["PageConfig", "PageProcess", "discard_prestarted", "page_process", "prestart"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PageConfig:
    """What the worker needs (settings ``ADUAN_*``): its database, HTTP client, fetcher."""

    database_url: str
    user_agent: str
    timeout: float = 20.0
    deadline: float = 60.0
    politeness: Politeness = field(default_factory=Politeness)


# ------------------------------------------------------------------ in the worker process
_worker: dict[str, Any] = {}


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent was killed (SIGKILL leaves no time to stop it) exits too,
    instead of lingering with the parent's stderr open."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _start(config: PageConfig, parent: int) -> None:
    from collectors.http import build_client

    # The parent's pid comes from the parent: it may have died while this one started.
    threading.Thread(
        target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch"
    ).start()

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    client = build_client(
        timeout=config.timeout,
        user_agent=config.user_agent,
        deadline=config.deadline,
        connections=config.politeness.concurrency,
    )
    _worker["fetcher"] = PageFetcher(
        client, user_agent=config.user_agent, politeness=config.politeness
    )
    _worker["engine"] = create_db_engine(config.database_url)


def _ready() -> None:
    """Nothing: submitted by ``PageProcess.start`` so that the worker starts now."""


def _enrich_chunk(item_ids: list[int]) -> EnrichReport:
    return enrich_chunk(
        item_ids, fetcher=_worker["fetcher"], now=utcnow(), engine=_worker["engine"]
    )


# ------------------------------------------------------------------ in the calling process
class PageProcess:
    """Worker processes (one by default) fetching, extracting and storing pages;
    ``submit`` a chunk of item ids (chosen by ``select_for_article``) and get a future of
    its ``EnrichReport``. Use as a context manager (or call ``close``)."""

    def __init__(self, config: PageConfig, *, processes: int = 1) -> None:
        self.processes = max(1, processes)
        # Each worker has its own fetcher: the run's politeness limits are shared out, so
        # that all of them together stay within what the settings allow per site.
        share = config.politeness
        self.config = replace(
            config,
            politeness=Politeness(
                concurrency=max(1, share.concurrency // self.processes),
                per_host=max(1, share.per_host // self.processes),
                host_delay=share.host_delay * self.processes,
            ),
        )
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start,
                    initargs=(self.config, os.getpid()),
                )
            return self._pool

    def start(self) -> PageProcess:
        """Start the worker processes now (their imports take a second or so and about
        100 MB), beside the caller's own work, instead of at the first chunk."""
        try:
            self._executor().submit(_ready)
        except BrokenProcessPool:
            self._discard()
        return self

    def submit(self, item_ids: list[int]) -> Future[EnrichReport]:
        try:
            return self._executor().submit(_enrich_chunk, item_ids)
        except BrokenProcessPool:  # died since the last chunk: a new worker
            self._discard()
            return self._executor().submit(_enrich_chunk, item_ids)

    def _discard(self) -> None:
        with self._lock:
            broken, self._pool = self._pool, None
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)

    def result(self, item_ids: list[int], future: Future[EnrichReport]) -> EnrichReport:
        """The chunk's report; if the worker died, the chunk counts as failed (logged; its
        items stay "pending" and the next run fetches them)."""
        try:
            return future.result()
        except BrokenProcessPool:
            log.error(
                "proses pengambil artikel berhenti mendadak; %d item menunggu run berikutnya",
                len(item_ids),
            )
            self._discard()
            return EnrichReport(failed=len(item_ids))

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> PageProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Workers started ahead of need (the ingest flow starts them while it reads the feeds), by
# configuration; ``page_process`` hands one over, ``discard_prestarted`` stops the rest.
_prestarted: dict[str, PageProcess] = {}
_prestarted_lock = threading.Lock()


def _key(config: PageConfig, processes: int) -> str:
    return repr((config, processes))


def prestart(config: PageConfig, *, processes: int = 1) -> None:
    """Start a worker for ``config`` now; the next ``page_process`` with the same
    configuration gets it."""
    key = _key(config, processes)
    with _prestarted_lock:
        if key not in _prestarted:
            _prestarted[key] = PageProcess(config, processes=processes).start()


def page_process(config: PageConfig, *, processes: int = 1) -> PageProcess:
    """The worker started ahead for ``config``, or a new one (started at its first chunk)."""
    with _prestarted_lock:
        ready = _prestarted.pop(_key(config, processes), None)
    return ready or PageProcess(config, processes=processes)


def discard_prestarted() -> None:
    """Stop workers started ahead that nobody took (a run that needed no page)."""
    with _prestarted_lock:
        left = list(_prestarted.values())
        _prestarted.clear()
    for worker in left:
        worker.close()
