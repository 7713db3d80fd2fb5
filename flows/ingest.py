"""The ingestion flow: collect every runnable source, store, tag, fill the triage queue."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from prefect import flow, get_run_logger, task

from aduan.db import get_engine, get_sessionmaker, session_scope
from aduan.settings import get_settings
from collectors.collect import collect_source
from collectors.http import build_client
from collectors.registry import COLLECTORS
from models.base import utcnow
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
def list_sources(names: list[str] | None = None) -> list[int]:
    with session_scope() as session:
        stmt = Source.runnable(COLLECTORS.keys())
        if names:
            stmt = stmt.where(Source.name.in_(names))
        return list(session.scalars(stmt.with_only_columns(Source.id)))


@task(name="collect-source", retries=2, retry_delay_seconds=5)
def collect(source_id: int) -> dict[str, Any]:
    settings = get_settings()
    with build_client(
        timeout=settings.http_timeout,
        user_agent=settings.user_agent,
        deadline=settings.http_deadline,
    ) as client:
        summary = collect_source(
            get_sessionmaker(get_engine()), source_id, client=client, settings=settings
        )
    return asdict(summary)


@task(name="fetch-articles", retries=1, retry_delay_seconds=5)
def fetch_articles(item_ids: list[int]) -> dict[str, int]:
    """Full text for feed entries that mention an agency or read like a complaint."""
    settings = get_settings()
    total = {"fetched": 0, "skipped": 0, "failed": 0}
    with build_client(
        timeout=settings.http_timeout,
        user_agent=settings.user_agent,
        deadline=settings.http_deadline,
    ) as client:
        for start in range(0, len(item_ids), ENRICH_CHUNK):
            # One transaction per chunk: a crash loses at most one chunk's pages, and
            # those items stay "pending" for the next run.
            with session_scope() as session:
                report = enrich_stored(
                    session,
                    item_ids[start : start + ENRICH_CHUNK],
                    client=client,
                    user_agent=settings.user_agent,
                    now=utcnow(),
                )
            for key, value in asdict(report).items():
                total[key] += value
    return total


@task(name="cluster-items", retries=1, retry_delay_seconds=5)
def cluster(item_ids: list[int]) -> int:
    """Group retweets, copies and near-duplicates; returns how many joined a cluster."""
    with session_scope() as session:
        return cluster_stored(session, item_ids, now=utcnow())


@task(name="tag-items", retries=1, retry_delay_seconds=5)
def tag(item_ids: list[int]) -> int:
    model_dir = get_settings().resolved_model_dir
    with session_scope() as session:
        return tag_stored(session, item_ids, model_dir=model_dir, now=utcnow())


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
def ingest(source_names: list[str] | None = None) -> dict[str, Any]:
    """Collect from all enabled sources (or the named ones), store new items, tag them."""
    logger = get_run_logger()
    summaries = [collect(source_id) for source_id in list_sources(source_names)]
    new_ids = [i for s in summaries for i in s["new_item_ids"]]
    articles = fetch_articles(sorted(set(new_ids) | set(awaiting_article_ids())))
    to_process = sorted(set(new_ids) | set(untagged_item_ids()))
    clustered = cluster(to_process)
    tagged = tag(to_process)
    placed = place(to_process)
    for s in summaries:
        s.pop("new_item_ids")
        logger.info(
            "%s: %s, fetched=%d new=%d duplicates=%d errors=%d",
            s["source_name"],
            s["status"],
            s["fetched"],
            s["new"],
            s["duplicates"],
            s["errors"],
        )
    return {
        "sources": summaries,
        "new": len(new_ids),
        "tagged": tagged,
        "articles": articles,
        "joined_clusters": clustered,
        "placed": placed,
        "errors": sum(s["errors"] for s in summaries),
    }
