"""The ingestion flow: collect every runnable source, store, tag, fill the triage queue."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import ExitStack
from dataclasses import asdict
from typing import Any

from prefect import flow, get_client, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.concurrency.sync import rate_limit
from prefect.tasks import exponential_backoff
from sqlalchemy import select

from aduan.db import get_engine, get_sessionmaker, session_scope
from aduan.failpoints import failpoint
from aduan.progress import Progress, format_seconds
from aduan.settings import Settings, get_settings
from classifier.mentions import build_gazetteer
from classifier.tag import (
    build_default_tagger,
    preload_default_model,
    store_suggestions,
    suggest_for,
)
from collectors.collect import collect_source
from collectors.dedup import refresh_statistics
from collectors.enrich import EnrichReport, choose_articles, enrich_chunk, mark_articles
from collectors.http import build_client
from collectors.page_process import (
    PageConfig,
    PageProcess,
    discard_prestarted,
    page_process,
    prestart,
)
from collectors.pages import PageFetcher, Politeness
from collectors.registry import COLLECTORS
from models.base import utcnow
from models.enums import SourceKind, SourceRunStatus
from models.source import Source
from pipeline.process import (
    ENRICH_CHUNK,
    cluster_stored,
    items_awaiting_article,
    items_without_place,
    items_without_suggestion,
    place_stored,
)

__all__ = ["ingest"]


# Every task here runs each time it is called: their inputs (source and item ids) name
# rows whose state changes, so a result cached by inputs would be wrong, and computing
# the cache key (hashing the id lists) and looking it up costs time on every call.
@task(name="list-sources", cache_policy=NO_CACHE)
def list_sources(names: list[str] | None = None, kinds: list[str] | None = None) -> list[int]:
    with session_scope() as session:
        stmt = Source.runnable(COLLECTORS.keys())
        if names:
            stmt = stmt.where(Source.name.in_(names))
        if kinds:
            stmt = stmt.where(Source.kind.in_([SourceKind(k) for k in kinds]))
        return list(session.scalars(stmt.with_only_columns(Source.id)))


#: Network tasks retry with exponential backoff (10, 20, 40 s) and +-50% jitter, so that
#: several workers hitting the same down server do not come back in step.
NETWORK_RETRIES = {
    "retries": 3,
    "retry_delay_seconds": exponential_backoff(backoff_factor=10),
    "retry_jitter_factor": 0.5,
}
X_RATE_LIMIT = "x-api"

#: Names of the stages in the run's summary line (seen by admins in the log).
STAGE_LABELS = {
    "feed_fetch_parse": "ambil+baca feed",
    "store": "simpan",
    "collect_overhead": "lain-lain pengumpulan",
    "mentions_select": "pilih artikel",
    "article_fetch": "ambil artikel (bersamaan)",
    "extraction": "ekstraksi (CPU, proses terpisah)",
    "article_wait": "menunggu artikel",
    "dedup": "duplikat",
    "tagging": "pelabelan",
    "places": "tempat",
}


@task(name="rate-limits", cache_policy=NO_CACHE)
def ensure_rate_limits() -> None:
    """The Prefect rate limit of X API requests (a global concurrency limit whose slots
    free up at ``ADUAN_X_REQUESTS_PER_MINUTE``); created or updated on every run, so any
    server and worker has it."""
    per_minute = get_settings().x_requests_per_minute
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(
            X_RATE_LIMIT, limit=max(1, per_minute * 15), slot_decay_per_second=per_minute / 60
        )


@task(name="collect-source", cache_policy=NO_CACHE, **NETWORK_RETRIES)  # type: ignore[call-overload]
def collect(source_id: int) -> dict[str, Any]:
    settings = get_settings()
    with session_scope() as session:
        kind = session.scalar(select(Source.kind).where(Source.id == source_id))
    if kind is SourceKind.X:  # one slot per page a run may request
        rate_limit(X_RATE_LIMIT, occupy=settings.x_max_pages, strict=False)
    with build_client(
        timeout=settings.http_timeout,
        user_agent=settings.user_agent,
        deadline=settings.http_deadline,
    ) as client:
        summary = collect_source(
            get_sessionmaker(get_engine()), source_id, client=client, settings=settings
        )
    return asdict(summary)


@task(name="select-articles", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
def select_articles(item_ids: list[int]) -> tuple[list[int], dict[str, float]]:
    """The feed entries whose page is worth fetching (they mention an agency or read like
    a complaint); the others are marked as needing none."""
    # Decided in a read transaction, marked in a short write one: on SQLite a read
    # transaction that then writes fails at once ("database is locked") if the page
    # worker committed a page in between, and holding the write lock while deciding
    # would stall the worker.
    with session_scope() as session:
        choice = choose_articles(session, item_ids, gazetteer=build_gazetteer(session))
    with session_scope(write=True) as session:
        mark_articles(session, choice)
    return choice.wanted, asdict(choice.report)


def _politeness(settings: Settings) -> Politeness:
    return Politeness(
        concurrency=settings.fetch_concurrency,
        per_host=settings.fetch_per_host,
        host_delay=settings.fetch_host_delay,
    )


def _page_config(settings: Settings) -> PageConfig:
    return PageConfig(
        database_url=settings.resolved_database_url,
        user_agent=settings.user_agent,
        timeout=settings.http_timeout,
        deadline=settings.http_deadline,
        politeness=_politeness(settings),
    )


class _Pages:
    """The run's article pages, fetched while the flow goes on: ``submit`` queues the
    entries a round chose (chunks of ``ENRICH_CHUNK``, one transaction each, so a crash
    loses at most the chunk in hand, whose items stay "pending"); ``ready`` hands back,
    in order, the entries whose chunk is done. With ``ADUAN_FETCH_PROCESSES`` > 0 (the
    default) worker processes download, extract and store; with 0, one thread here."""

    def __init__(self, settings: Settings, log: Callable[[str], object]) -> None:
        self._settings = settings
        self._pending: deque[tuple[list[int], Future[EnrichReport]]] = deque()
        self._stack = ExitStack()
        self._worker: PageProcess | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._fetcher: PageFetcher | None = None
        self.bar = self._stack.enter_context(Progress("halaman artikel", 0, log=log))
        self.report: dict[str, float] = dict.fromkeys(asdict(EnrichReport()), 0)
        self.waited = 0.0

    def submit(self, item_ids: list[int]) -> None:
        for start in range(0, len(item_ids), ENRICH_CHUNK):
            chunk = item_ids[start : start + ENRICH_CHUNK]
            self._pending.append((chunk, self._submit(chunk)))
        self.bar.expect(len(item_ids))

    def _submit(self, chunk: list[int]) -> Future[EnrichReport]:
        settings = self._settings
        if settings.fetch_processes > 0:
            if self._worker is None:
                self._worker = self._stack.enter_context(
                    page_process(_page_config(settings), processes=settings.fetch_processes)
                )
            return self._worker.submit(chunk)
        if self._thread is None or self._fetcher is None:
            client = self._stack.enter_context(
                build_client(
                    timeout=settings.http_timeout,
                    user_agent=settings.user_agent,
                    deadline=settings.http_deadline,
                    connections=settings.fetch_concurrency,
                )
            )
            self._fetcher = PageFetcher(
                client, user_agent=settings.user_agent, politeness=_politeness(settings)
            )
            # Entered after the client, so closed (waiting for its chunk) before it.
            self._thread = self._stack.enter_context(
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="artikel")
            )
        return self._thread.submit(enrich_chunk, chunk, fetcher=self._fetcher, now=utcnow())

    def _result(self, chunk: list[int], future: Future[EnrichReport]) -> EnrichReport:
        if self._worker is not None:
            return self._worker.result(chunk, future)
        try:
            return future.result()
        except Exception:  # the chunk's items stay "pending": the next run fetches them
            logging.getLogger(__name__).exception(
                "pengambilan artikel gagal; %d item menunggu run berikutnya", len(chunk)
            )
            return EnrichReport(failed=len(chunk))

    def ready(self, *, wait: bool = False, at_least: int = 1) -> list[int]:
        """Entries whose page chunk is done, oldest first. ``wait``: block until at least
        ``at_least`` of them (or every chunk queued) are done; otherwise only take what is
        already in."""
        ids: list[int] = []
        while self._pending:
            chunk, future = self._pending[0]
            if not future.done():
                if not wait or len(ids) >= at_least:
                    break
                started = time.perf_counter()
                futures_wait([future])
                self.waited += time.perf_counter() - started
            self._pending.popleft()
            for key, value in asdict(self._result(chunk, future)).items():
                self.report[key] += value
            self.bar.advance(len(chunk))
            ids.extend(chunk)
        return ids

    def close(self) -> None:
        """Stop the worker (chunks not begun are cancelled; their items stay "pending")."""
        for _, future in self._pending:
            future.cancel()
        self._stack.close()


#: Items per transaction in clustering and tagging: short write transactions, so that the
#: article pages fetched meanwhile (another process) are stored without waiting long for
#: SQLite's single writer; a crash loses at most one chunk, which the next run redoes.
PROCESS_CHUNK = 500
#: New items per round: the run reads sources until a round holds this many new items,
#: then chooses their pages, clusters and tags those that need none while the pages
#: download, and reads on. What the run holds (id lists, task results) is one round's,
#: so its memory does not grow with the number of items.
ROUND_ITEMS = 5000
#: Entries with a page are clustered and tagged in batches of at least this many once
#: the sources are read (fewer task runs; the pages go on downloading meanwhile).
PAGE_BATCH = 2000


def _cluster(item_ids: list[int], label: str) -> int:
    """Group retweets, copies and near-duplicates; returns how many joined a cluster."""
    joined = 0
    with session_scope() as session:
        refresh_statistics(session)
    with Progress(label, len(item_ids), log=get_run_logger().info) as bar:
        for start in range(0, len(item_ids), PROCESS_CHUNK):
            # Reads then writes what it read: the write lock first (SQLite), so that the
            # pages stored meanwhile by another process cannot overtake it.
            with session_scope(write=True) as session:
                chunk = item_ids[start : start + PROCESS_CHUNK]
                joined += cluster_stored(session, chunk, now=utcnow())
                failpoint("ingest:in-clustering")  # before the commit
            bar.advance(len(chunk))
    return joined


def _tag(item_ids: list[int], label: str) -> int:
    """Suggest topic, SKPD and region with the active model (loaded once per process);
    the model runs outside the write transaction, which only stores the suggestions."""
    model_dir = get_settings().resolved_model_dir
    tagged = 0
    tagger = None
    with Progress(label, len(item_ids), log=get_run_logger().info) as bar:
        for start in range(0, len(item_ids), PROCESS_CHUNK):
            chunk = item_ids[start : start + PROCESS_CHUNK]
            with session_scope() as session:
                tagger = tagger or build_default_tagger(session, model_dir=model_dir)
                planned = suggest_for(session, chunk, tagger)
            with session_scope(write=True) as session:
                tagged += store_suggestions(session, planned, now=utcnow())
                failpoint("ingest:in-tagging")  # before the commit, pages being fetched
            bar.advance(len(chunk))
    return tagged


@task(name="process-items", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
def process_items(item_ids: list[int], with_pages: bool = False) -> dict[str, float]:
    """Cluster, tag and place stored items (a retry redoes only what is not done: items
    in a cluster stay there, suggestions are replaced). Returns counts and seconds."""
    suffix = " (artikel)" if with_pages else ""
    started = time.perf_counter()
    joined = _cluster(item_ids, "pengelompokan duplikat" + suffix)
    clustered = time.perf_counter()
    tagged = _tag(item_ids, "pelabelan" + suffix)
    tagging = time.perf_counter()
    with session_scope(write=True) as session:
        placed = place_stored(session, item_ids)
    return {
        "joined": joined,
        "tagged": tagged,
        "placed": placed,
        "dedup": clustered - started,
        "tagging": tagging - clustered,
        "places": time.perf_counter() - tagging,
    }


@task(name="place-leftovers", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
def place_leftovers() -> int:
    """Named roads/landmarks and kecamatan of items stored before places were recorded
    (or by a run that stopped before this step)."""
    with session_scope(write=True) as session:
        return place_stored(session, items_without_place(session))


@task(name="items-awaiting-article", cache_policy=NO_CACHE)
def awaiting_article_ids() -> list[int]:
    """Feed entries stored by an earlier run that crashed before fetching their page."""
    with session_scope() as session:
        return items_awaiting_article(session)


@task(name="untagged-items", cache_policy=NO_CACHE)
def untagged_item_ids() -> list[int]:
    """Items stored by an earlier run that crashed before tagging them."""
    with session_scope() as session:
        return items_without_suggestion(session)


def _rounds(
    source_ids: list[int], summaries: list[dict[str, Any]], logger: Any
) -> Iterator[list[int]]:
    """Collect the sources in order, yielding the new item ids each time at least
    ``ROUND_ITEMS`` are stored, and once at the end (possibly empty: the items an earlier
    run left are processed then too). Each source's summary goes to ``summaries``."""
    new_ids: list[int] = []
    with Progress("sumber", len(source_ids), log=logger.info) as bar:
        for source_id in source_ids:
            summary = collect(source_id)
            failpoint("ingest:after-first-source")
            new_ids.extend(summary.pop("new_item_ids"))
            summaries.append(summary)
            bar.advance()
            if len(new_ids) >= ROUND_ITEMS:
                yield new_ids
                new_ids = []
    yield new_ids


@flow(name="ingest", log_prints=False)
def ingest(source_names: list[str] | None = None, kinds: list[str] | None = None) -> dict[str, Any]:
    """Collect from all enabled sources (or the named ones, or those of the given kinds:
    "x", "rss"), store new items, tag them, and publish a table of what each source did."""
    model = _start_ahead(kinds)
    try:
        return _ingest(source_names, kinds, model)
    finally:
        discard_prestarted()  # a worker no page was asked of


def _start_ahead(kinds: list[str] | None) -> threading.Thread:
    """What the run needs later, started while it reads the feeds (network waits, one
    core): the page worker (its imports) and the model (loaded or, on a first run,
    trained). Memory is then taken at the start of a run, not in its middle."""
    settings = get_settings()
    if settings.fetch_processes > 0 and (kinds is None or SourceKind.RSS.value in kinds):
        prestart(_page_config(settings), processes=settings.fetch_processes)

    def load() -> None:
        try:
            preload_default_model(settings.resolved_model_dir)
        except Exception:  # the tag task loads it again and reports what is wrong
            logging.getLogger(__name__).exception("model belum bisa dimuat lebih awal")

    thread = threading.Thread(target=load, name="model-preload", daemon=True)
    thread.start()
    return thread


def _ingest(
    source_names: list[str] | None, kinds: list[str] | None, model: threading.Thread
) -> dict[str, Any]:
    logger = get_run_logger()
    ensure_rate_limits()
    summaries: list[dict[str, Any]] = []
    started = time.perf_counter()
    stage: dict[str, float] = dict.fromkeys(
        ("collecting", "mentions_select", "dedup", "tagging", "places"), 0.0
    )
    totals = dict.fromkeys(("new", "joined", "tagged", "placed"), 0)
    selection: dict[str, float] = {}
    source_ids = list_sources(source_names, kinds)
    # Left by an earlier run that stopped: entries still waiting for their page, items
    # never tagged. They join the first round.
    carry_pages = set(awaiting_article_ids())
    carry_untagged = set(untagged_item_ids())
    # Entries whose page is on its way and that are to be clustered and tagged once in.
    after_page: set[int] = set()

    def process(item_ids: list[int], *, with_pages: bool = False) -> None:
        if not item_ids:
            return
        model.join()  # loaded while the feeds were read
        done = process_items(item_ids, with_pages=with_pages)
        for key in ("joined", "tagged", "placed"):
            totals[key] += int(done[key])
        for key in ("dedup", "tagging", "places"):
            stage[key] += done[key]

    def with_page_in(item_ids: list[int]) -> list[int]:
        wanted = [i for i in item_ids if i in after_page]
        after_page.difference_update(wanted)
        return wanted

    pages = _Pages(get_settings(), logger.info)
    try:
        clock = time.perf_counter()
        for new_ids in _rounds(source_ids, summaries, logger):
            stage["collecting"] += time.perf_counter() - clock
            failpoint("ingest:after-store")
            if not (new_ids or carry_pages or carry_untagged):
                clock = time.perf_counter()
                continue
            totals["new"] += len(new_ids)
            clock = time.perf_counter()
            wanted, chosen = select_articles(sorted(set(new_ids) | carry_pages))
            for key, value in chosen.items():
                selection[key] = selection.get(key, 0) + value
            stage["mentions_select"] += time.perf_counter() - clock
            # The pages download (worker process) while this thread clusters and tags the
            # items that need none; those with a page follow once it is in.
            pages.submit(wanted)
            to_process = set(new_ids) | carry_untagged
            with_page = set(wanted)
            after_page.update(to_process & with_page)
            process(sorted(to_process - with_page))
            process(with_page_in(pages.ready()), with_pages=True)
            carry_pages, carry_untagged = set(), set()
            clock = time.perf_counter()
        while rest := pages.ready(wait=True, at_least=PAGE_BATCH):
            process(with_page_in(rest), with_pages=True)
        totals["placed"] += place_leftovers()
    finally:
        pages.close()
    enrich = pages.report
    feeds = sum(s["fetch_seconds"] for s in summaries)
    store = sum(s["store_seconds"] for s in summaries)
    timings = {
        "feed_fetch_parse": feeds,
        "store": store,
        "collect_overhead": stage["collecting"] - feeds - store,
        "mentions_select": stage["mentions_select"],
        "article_fetch": enrich["fetch_seconds"],
        "extraction": enrich["extract_seconds"],
        "article_wait": pages.waited,
        "dedup": stage["dedup"],
        "tagging": stage["tagging"],
        "places": stage["places"],
    }
    articles = {
        k: int(v) + int(selection.get(k, 0))
        for k, v in enrich.items()
        if not k.endswith("_seconds")
    }
    seconds = time.perf_counter() - started
    logger.info(
        "ingest selesai dalam %s: %d item baru; %s",
        format_seconds(seconds),
        totals["new"],
        ", ".join(f"{STAGE_LABELS[k]} {format_seconds(v)}" for k, v in timings.items()),
    )
    for s in summaries:
        logger.info(
            "%s: %s, diambil=%d baru=%d duplikat=%d galat=%d",
            s["source_name"],
            SourceRunStatus(s["status"]).label,
            s["fetched"],
            s["new"],
            s["duplicates"],
            s["errors"],
        )
    create_table_artifact(
        key="ingest-" + ("-".join(sorted(kinds)) if kinds else "semua"),
        table=[
            {
                "sumber": s["source_name"],
                "jenis": s["kind"],
                "status": SourceRunStatus(s["status"]).label,
                "diambil": s["fetched"],
                "baru": s["new"],
                "duplikat": s["duplicates"],
                "galat": s["errors"],
            }
            for s in summaries
        ]
        or [{"sumber": "-", "status": "tidak ada sumber yang dapat dijalankan"}],
        description=f"{totals['new']} item baru, {totals['tagged']} diberi label",
    )
    return {
        "sources": summaries,
        "new": totals["new"],
        "tagged": totals["tagged"],
        "articles": articles,
        "joined_clusters": totals["joined"],
        "placed": totals["placed"],
        "errors": sum(s["errors"] for s in summaries),
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "seconds": round(seconds, 3),
    }
