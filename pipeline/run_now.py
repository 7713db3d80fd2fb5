""" "Jalankan sekarang": one source collected right away from the web admin page, without
waiting for its schedule — the same steps as the ingest flow, for that source only."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from aduan.settings import Settings
from collectors.collect import SourceRunSummary, collect_source
from collectors.http import build_client
from models.base import utcnow
from models.enums import SourceKind
from pipeline.process import enrich_stored, process_new_items

__all__ = ["RunNow", "run_source_now"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunNow:
    summary: SourceRunSummary
    processed: int


def run_source_now(
    sessions: sessionmaker[Session], source_id: int, *, settings: Settings
) -> RunNow:
    """Collect, fetch articles for new feed entries, cluster, tag and place. The run is
    recorded on the source (``source_runs``, health) like a scheduled one."""
    with build_client(
        timeout=settings.http_timeout,
        user_agent=settings.user_agent,
        deadline=settings.http_deadline,
    ) as client:
        summary = collect_source(sessions, source_id, client=client, settings=settings)
        new_ids = summary.new_item_ids
        if new_ids and summary.kind == SourceKind.RSS.value:
            with sessions() as session, session.begin():
                enrich_stored(
                    session, new_ids, client=client, user_agent=settings.user_agent,
                    now=utcnow(),
                )  # fmt: skip
    processed = 0
    if new_ids:
        with sessions() as session, session.begin():
            processed = process_new_items(
                session, new_ids, model_dir=settings.resolved_model_dir, now=utcnow()
            ).tagged
    log.info("run now: %s %s, new=%d", summary.source_name, summary.status.value, summary.new)
    return RunNow(summary=summary, processed=processed)
