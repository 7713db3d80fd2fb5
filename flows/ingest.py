"""The ingestion flow: collect every runnable source, store, tag, fill the triage queue."""

from __future__ import annotations

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
from aduan.settings import get_settings
from classifier.mentions import build_gazetteer
from collectors.collect import collect_source
from collectors.enrich import EnrichReport
from collectors.http import build_client
from collectors.pages import PageFetcher, Politeness
from collectors.registry import COLLECTORS
from models.base import utcnow
from models.enums import SourceKind, SourceRunStatus
from models.source import Source
from pipeline.process import (
    ENRICH_CHUNK,
    cluster_stored,
    enrich_stored,
    items_awaiting_article,
    items_without_place,
    items_without_suggestion,
    place_stored,
    tag_stored,
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
    "article_fetch": "ambil artikel",
    "extraction": "ekstraksi (CPU)",
    "article_overhead": "lain-lain artikel",
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


@task(name="fetch-articles", **NETWORK_RETRIES)  # type: ignore[call-overload]
def fetch_articles(item_ids: list[int]) -> dict[str, float]:
    """Full text for feed entries that mention an agency or read like a complaint."""
    settings = get_settings()
    total: dict[str, float] = dict.fromkeys(asdict(EnrichReport()), 0)
    with build_client(
        timeout=settings.http_timeout,
        user_agent=settings.user_agent,
        deadline=settings.http_deadline,
        connections=settings.fetch_concurrency,
    ) as client:
        fetcher = PageFetcher(
            client,
            user_agent=settings.user_agent,
            politeness=Politeness(
                concurrency=settings.fetch_concurrency,
                per_host=settings.fetch_per_host,
                host_delay=settings.fetch_host_delay,
            ),
        )
        gazetteer = None
        bar = Progress("halaman artikel", len(item_ids), log=get_run_logger().info)
        for start in range(0, len(item_ids), ENRICH_CHUNK):
            # One transaction per chunk: a crash loses at most one chunk's pages, and
            # those items stay "pending" for the next run.
            with session_scope() as session:
                gazetteer = gazetteer or build_gazetteer(session)
                report = enrich_stored(
                    session,
                    item_ids[start : start + ENRICH_CHUNK],
                    client=client,
                    user_agent=settings.user_agent,
                    now=utcnow(),
                    fetcher=fetcher,
                    gazetteer=gazetteer,
                )
            for key, value in asdict(report).items():
                total[key] += value
            bar.advance(len(item_ids[start : start + ENRICH_CHUNK]))
        bar.close()
    return total


@task(name="cluster-items", retries=1, retry_delay_seconds=5)
def cluster(item_ids: list[int]) -> int:
    """Group retweets, copies and near-duplicates; returns how many joined a cluster."""
    with (
        session_scope() as session,
        Progress("pengelompokan duplikat", len(item_ids), log=get_run_logger().info) as bar,
    ):
        joined = cluster_stored(session, item_ids, now=utcnow(), progress=bar.advance)
        failpoint("ingest:in-clustering")  # before the commit
        return joined


@task(name="tag-items", retries=1, retry_delay_seconds=5)
def tag(item_ids: list[int]) -> int:
    model_dir = get_settings().resolved_model_dir
    with (
        session_scope() as session,
        Progress("pelabelan", len(item_ids), log=get_run_logger().info) as bar,
    ):
        return tag_stored(
            session, item_ids, model_dir=model_dir, now=utcnow(), progress=bar.advance
        )


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
    enrich = fetch_articles(sorted(set(new_ids) | set(awaiting_article_ids())))
    enriching = lap()
    to_process = sorted(set(new_ids) | set(untagged_item_ids()))
    clustered = cluster(to_process)
    clustering = lap()
    tagged = tag(to_process)
    tagging = lap()
    placed = place(to_process)
    placing = lap()
    feeds = sum(s["fetch_seconds"] for s in summaries)
    store = sum(s["store_seconds"] for s in summaries)
    timings = {
        "feed_fetch_parse": feeds,
        "store": store,
        "collect_overhead": collecting - feeds - store,
        "mentions_select": enrich["select_seconds"],
        "article_fetch": enrich["fetch_seconds"] - enrich["extract_seconds"],
        "extraction": enrich["extract_seconds"],
        "article_overhead": enriching - enrich["select_seconds"] - enrich["fetch_seconds"],
        "dedup": clustering,
        "tagging": tagging,
        "places": placing,
    }
    articles = {k: int(v) for k, v in enrich.items() if not k.endswith("_seconds")}
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
