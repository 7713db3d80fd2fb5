"""The ingestion flow: collect every runnable source, store, tag, fill the triage queue."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict
from typing import Any

from prefect import flow, get_client, get_run_logger, task
from prefect.artifacts import create_table_artifact
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
from collectors.enrich import EnrichReport, enrich_chunk, select_for_article
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


@task(name="list-sources")
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


@task(name="rate-limits")
def ensure_rate_limits() -> None:
    """The Prefect rate limit of X API requests (a global concurrency limit whose slots
    free up at ``ADUAN_X_REQUESTS_PER_MINUTE``); created or updated on every run, so any
    server and worker has it."""
    per_minute = get_settings().x_requests_per_minute
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(
            X_RATE_LIMIT, limit=max(1, per_minute * 15), slot_decay_per_second=per_minute / 60
        )


@task(name="collect-source", **NETWORK_RETRIES)  # type: ignore[call-overload]
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


@task(name="select-articles", retries=1, retry_delay_seconds=5)
def select_articles(item_ids: list[int]) -> tuple[list[int], dict[str, float]]:
    """The feed entries whose page is worth fetching (they mention an agency or read like
    a complaint); the others are marked as needing none."""
    with session_scope() as session:
        wanted, report = select_for_article(session, item_ids, gazetteer=build_gazetteer(session))
    return wanted, asdict(report)


@task(name="fetch-articles", **NETWORK_RETRIES)  # type: ignore[call-overload]
def fetch_articles(item_ids: list[int]) -> dict[str, float]:
    """Full text for the entries ``select_articles`` chose. Runs beside the clustering and
    tagging of the entries that need no page; with ``ADUAN_FETCH_PROCESSES`` > 0 (the
    default) worker processes download, extract and store them, and this thread waits."""
    settings = get_settings()
    bar = Progress("halaman artikel", len(item_ids), log=get_run_logger().info)
    chunks = [item_ids[i : i + ENRICH_CHUNK] for i in range(0, len(item_ids), ENRICH_CHUNK)]
    if settings.fetch_processes > 0:
        with page_process(_page_config(settings), processes=settings.fetch_processes) as worker:
            total = _fetch_in_worker(worker, chunks, bar)
    else:
        total = _fetch_here(settings, _politeness(settings), chunks, bar)
    bar.close()
    return total


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


def _fetch_in_worker(
    worker: PageProcess, chunks: list[list[int]], bar: Progress
) -> dict[str, float]:
    """Every chunk is queued at once; the worker does them in order, one transaction each
    (a crash loses at most the chunk in hand, whose items stay "pending")."""
    total: dict[str, float] = dict.fromkeys(asdict(EnrichReport()), 0)
    futures = [(chunk, worker.submit(chunk)) for chunk in chunks]
    for chunk, future in futures:
        for key, value in asdict(worker.result(chunk, future)).items():
            total[key] += value
        bar.advance(len(chunk))
    return total


def _fetch_here(
    settings: Settings, politeness: Politeness, chunks: list[list[int]], bar: Progress
) -> dict[str, float]:
    total: dict[str, float] = dict.fromkeys(asdict(EnrichReport()), 0)
    with build_client(
        timeout=settings.http_timeout,
        user_agent=settings.user_agent,
        deadline=settings.http_deadline,
        connections=settings.fetch_concurrency,
    ) as client:
        fetcher = PageFetcher(client, user_agent=settings.user_agent, politeness=politeness)
        for chunk in chunks:
            report = enrich_chunk(chunk, fetcher=fetcher, now=utcnow())
            for key, value in asdict(report).items():
                total[key] += value
            bar.advance(len(chunk))
    return total


#: Items per transaction in clustering and tagging: short write transactions, so that the
#: article pages fetched meanwhile (another thread) are stored without waiting long for
#: SQLite's single writer; a crash loses at most one chunk, which the next run redoes.
PROCESS_CHUNK = 500


@task(name="cluster-items", retries=1, retry_delay_seconds=5)
def cluster(item_ids: list[int], label: str = "pengelompokan duplikat") -> int:
    """Group retweets, copies and near-duplicates; returns how many joined a cluster."""
    joined = 0
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


@task(name="tag-items", retries=1, retry_delay_seconds=5)
def tag(item_ids: list[int], label: str = "pelabelan") -> int:
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


@task(name="place-items", retries=1, retry_delay_seconds=5)
def place(item_ids: list[int]) -> int:
    """Named roads/landmarks and kecamatan, for the recurring-issue report; catches up with
    items stored before (or by a run that stopped before) this step."""
    with session_scope(write=True) as session:
        ids = sorted(set(item_ids) | set(items_without_place(session)))
        return place_stored(session, ids)


@task(name="items-awaiting-article")
def awaiting_article_ids() -> list[int]:
    """Feed entries stored by an earlier run that crashed before fetching their page."""
    with session_scope() as session:
        return items_awaiting_article(session)


@task(name="untagged-items")
def untagged_item_ids() -> list[int]:
    """Items stored by an earlier run that crashed before tagging them."""
    with session_scope() as session:
        return items_without_suggestion(session)


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
    summaries = []
    clock = started = time.perf_counter()

    def lap() -> float:
        nonlocal clock
        now = time.perf_counter()
        elapsed, clock = now - clock, now
        return elapsed

    source_ids = list_sources(source_names, kinds)
    with Progress("sumber", len(source_ids), log=logger.info) as bar:
        for source_id in source_ids:
            summaries.append(collect(source_id))
            failpoint("ingest:after-first-source")
            bar.advance()
    failpoint("ingest:after-store")
    collecting = lap()
    new_ids = [i for s in summaries for i in s["new_item_ids"]]
    wanted, selection = select_articles(sorted(set(new_ids) | set(awaiting_article_ids())))
    selecting = lap()
    # The pages download and extract (worker processes) while this thread clusters and
    # tags the items that need no page; those with a page follow once it is in.
    pages = fetch_articles.submit(wanted)
    to_process = sorted(set(new_ids) | set(untagged_item_ids()))
    with_page = set(wanted)
    first = [i for i in to_process if i not in with_page]
    later = [i for i in to_process if i in with_page]
    clustered = cluster(first)
    clustering = lap()
    model.join()
    tagged = tag(first)
    tagging = lap()
    enrich = pages.result()
    waiting = lap()
    clustered += cluster(later, label="pengelompokan duplikat (artikel)")
    clustering += lap()
    tagged += tag(later, label="pelabelan (artikel)")
    tagging += lap()
    placed = place(to_process)
    placing = lap()
    feeds = sum(s["fetch_seconds"] for s in summaries)
    store = sum(s["store_seconds"] for s in summaries)
    timings = {
        "feed_fetch_parse": feeds,
        "store": store,
        "collect_overhead": collecting - feeds - store,
        "mentions_select": selecting,
        "article_fetch": enrich["fetch_seconds"],
        "extraction": enrich["extract_seconds"],
        "article_wait": waiting,
        "dedup": clustering,
        "tagging": tagging,
        "places": placing,
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
        len(new_ids),
        ", ".join(f"{STAGE_LABELS[k]} {format_seconds(v)}" for k, v in timings.items()),
    )
    for s in summaries:
        s.pop("new_item_ids")
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
        description=f"{len(new_ids)} item baru, {tagged} diberi label",
    )
    return {
        "sources": summaries,
        "new": len(new_ids),
        "tagged": tagged,
        "articles": articles,
        "joined_clusters": clustered,
        "placed": placed,
        "errors": sum(s["errors"] for s in summaries),
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "seconds": round(seconds, 3),
    }
