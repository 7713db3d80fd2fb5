"""One collection run for one source: fetch, store, record health and a run row.

This is where the one catch-all per source run lives: whatever goes wrong with one
source is written to its record and never stops the other sources.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from aduan.db import write_engine
from aduan.settings import Settings
from collectors.base import SourceSpec
from collectors.errors import CollectorError, MissingCredentials, PermanentError
from collectors.registry import collector_for
from collectors.store import store_items
from models.base import utcnow
from models.enums import SourceKind, SourceRunStatus
from models.source import Source, SourceRun

__all__ = ["DISABLE_AFTER_FAILURES", "SourceRunSummary", "collect_source"]

log = logging.getLogger(__name__)

#: Consecutive failures after which a source is switched off until an admin looks.
DISABLE_AFTER_FAILURES = 5


@dataclass(slots=True)
class SourceRunSummary:
    source_id: int
    source_name: str
    kind: str
    status: SourceRunStatus
    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    errors: int = 0
    message: str | None = None
    new_item_ids: list[int] = field(default_factory=list)
    fetch_seconds: float = 0.0  # fetching and parsing the feed / API pages
    store_seconds: float = 0.0  # storing the items, one transaction


def _spec(source: Source) -> SourceSpec:
    return SourceSpec(
        id=source.id,
        kind=source.kind,
        name=source.name,
        config=dict(source.config),
        cursor=dict(source.cursor),
    )


def collect_source(
    sessions: sessionmaker[Session],
    source_id: int,
    *,
    client: httpx.Client,
    settings: Settings,
    now: datetime | None = None,
) -> SourceRunSummary:
    """Collect from one source; the outcome is stored on the source and in ``source_runs``."""
    started = now or utcnow()
    with sessions() as session:
        source = session.get(Source, source_id)
        if source is None:
            raise LookupError(f"source {source_id} does not exist")
        spec = _spec(source)
    sessions = _for_writing(sessions)
    summary = SourceRunSummary(spec.id, spec.name, spec.kind.value, SourceRunStatus.OK)
    collector = collector_for(spec.kind, settings)
    try:
        if collector is None:
            raise PermanentError(f"tidak ada kolektor untuk jenis sumber '{spec.kind.value}'")
        fetching = time.perf_counter()
        result = collector.fetch(spec, client=client)
        summary.fetch_seconds = time.perf_counter() - fetching
    except MissingCredentials as exc:
        return _record_disabled(sessions, summary, str(exc), started)
    except CollectorError as exc:
        return _record_failure(sessions, summary, str(exc), started)
    except Exception as exc:  # the one catch-all per source run: record it, go on
        log.exception("collector for source %s crashed", spec.name)
        message = f"kesalahan tak terduga: {exc.__class__.__name__}: {exc}"
        return _record_failure(sessions, summary, message, started)

    summary.fetched = len(result.items)
    summary.errors = len(result.skipped)
    notes = [*result.warnings, *result.skipped]
    if result.not_modified:
        summary.status = SourceRunStatus.NOT_MODIFIED
    elif result.skipped or result.warnings:
        summary.status = SourceRunStatus.PARTIAL
    storing = time.perf_counter()
    try:
        with sessions() as session, session.begin():
            stored = store_items(
                session,
                spec.id,
                result.items,
                now=started,
                wants_article=spec.kind is SourceKind.RSS,
            )
            source = session.get_one(Source, spec.id)
            source.cursor = dict(result.cursor)  # saved in the same transaction as the items
            source.record_success(started)
            summary.new = len(stored.new_ids)
            summary.duplicates = stored.duplicates
            summary.new_item_ids = stored.new_ids
            summary.message = "; ".join(notes)[:2000] or None
            session.add(_run_row(summary, started))
        summary.store_seconds = time.perf_counter() - storing
    except Exception as exc:  # the same catch-all: nothing stored, the cursor not moved
        log.exception("storing the items of source %s failed", spec.name)
        summary.new, summary.duplicates, summary.new_item_ids = 0, 0, []
        message = f"gagal menyimpan: {exc.__class__.__name__}: {str(exc)[:300]}"
        return _record_failure(sessions, summary, message, started)
    return summary


def _for_writing(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """The same binding for the transactions below, each of which reads then writes: on
    SQLite they take the write lock first (waiting up to the busy timeout), so that pages
    stored meanwhile by the page worker cannot turn them into "database is locked"."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, Engine):
        return sessions
    options = {k: v for k, v in sessions.kw.items() if k != "bind"}
    return sessionmaker(bind=write_engine(bind), **options)


def _record_failure(
    sessions: sessionmaker[Session],
    summary: SourceRunSummary,
    message: str,
    started: datetime,
) -> SourceRunSummary:
    log.warning("source %s failed: %s", summary.source_name, message)
    summary.status = SourceRunStatus.FAILED
    summary.errors += 1
    summary.message = message
    with sessions() as session, session.begin():
        source = session.get_one(Source, summary.source_id)
        source.record_failure(started, message, disable_after=DISABLE_AFTER_FAILURES)
        session.add(_run_row(summary, started))
    return summary


def _record_disabled(
    sessions: sessionmaker[Session], summary: SourceRunSummary, message: str, started: datetime
) -> SourceRunSummary:
    """Not an error of the source: it cannot run until an admin configures it."""
    log.warning("source %s disabled: %s", summary.source_name, message)
    summary.status = SourceRunStatus.SKIPPED
    summary.message = message
    with sessions() as session, session.begin():
        source = session.get_one(Source, summary.source_id)
        source.last_attempt_at = started
        source.disable(message)
        session.add(_run_row(summary, started))
    return summary


def _run_row(summary: SourceRunSummary, started: datetime) -> SourceRun:
    return SourceRun(
        source_id=summary.source_id,
        started_at=started,
        finished_at=utcnow(),
        status=summary.status,
        fetched=summary.fetched,
        new=summary.new,
        duplicates=summary.duplicates,
        errors=summary.errors,
        message=summary.message,
    )
