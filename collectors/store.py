"""Storing collected items idempotently, with exact-duplicate grouping."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from collectors.base import RawItem
from collectors.normalize import canonical_url, content_hash, strip_control, strip_control_deep
from models.enums import TriageState
from models.item import Item

__all__ = ["StoreResult", "store_items"]

MAX_TEXT_CHARS = 100_000


@dataclass(slots=True)
class StoreResult:
    new_ids: list[int] = field(default_factory=list)
    duplicates: int = 0


def _insert_ignoring_conflicts(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """INSERT ... ON CONFLICT (source_id, external_id) DO NOTHING RETURNING id, for many
    rows at once; returns external_id -> id of the rows that were new."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(cast(Table, Item.__table__))
        .on_conflict_do_nothing(index_elements=["source_id", "external_id"])
        .returning(Item.id, Item.external_id)
    )
    new: dict[str, int] = {}
    for start in range(0, len(rows), 500):
        for item_id, external_id in session.execute(stmt, rows[start : start + 500]):
            new[external_id] = item_id
    return new


def _known_urls(session: Session, urls: set[str]) -> set[str]:
    known: set[str] = set()
    ordered = sorted(urls)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        known.update(
            session.scalars(select(Item.canonical_url).where(Item.canonical_url.in_(chunk)))
        )
    return known


def _clean(raw: RawItem) -> RawItem:
    """The edge every collector and importer passes: no control characters get stored."""

    def opt(value: str | None) -> str | None:
        return strip_control(value) if value is not None else None

    return replace(
        raw,
        external_id=strip_control(raw.external_id),
        url=opt(raw.url),
        title=opt(raw.title),
        text=strip_control(raw.text),
        author=opt(raw.author),
        raw=strip_control_deep(dict(raw.raw)),
        group_key=opt(raw.group_key),
    )


def store_items(
    session: Session,
    source_id: int,
    items: Iterable[RawItem],
    *,
    now: datetime,
    wants_article: bool = False,
    dedup_by_url: bool = True,
) -> StoreResult:
    """Insert the items that are new; count the rest as duplicates.

    An item is a duplicate when this source already has its external id, or when any
    source already has its canonical URL (the same article listed in two feeds).
    Items with the same content hash from different URLs are kept; ``dedup.cluster_items``
    puts them in one cluster. Safe to run twice and under concurrent runs (the unique key
    decides).
    """
    result = StoreResult()
    batch = [_clean(raw) for raw in items]
    canonical = [canonical_url(raw.url) for raw in batch]
    known = _known_urls(session, {u for u in canonical if u}) if dedup_by_url else set()
    rows: list[dict[str, Any]] = []
    claimed: set[str] = set()
    for raw, url in zip(batch, canonical, strict=True):
        if dedup_by_url and url is not None and (url in known or url in claimed):
            result.duplicates += 1
            continue
        if dedup_by_url and url is not None:
            claimed.add(url)
        rows.append(
            {
                "source_id": source_id,
                "external_id": raw.external_id,
                "url": raw.url,
                "canonical_url": url,
                "author": raw.author,
                "title": raw.title,
                "text": raw.text[:MAX_TEXT_CHARS],
                "published_at": raw.published_at,
                "fetched_at": now,
                "raw": dict(raw.raw),
                "content_hash": content_hash(raw.title, raw.text),
                "group_key": raw.group_key,
                "triage_state": TriageState.PENDING,
                "enrich_state": (
                    "pending" if wants_article and (raw.url or "").startswith("http") else None
                ),
            }
        )
    if not rows:
        return result
    new = _insert_ignoring_conflicts(session, rows)
    result.new_ids = [new[r["external_id"]] for r in rows if r["external_id"] in new]
    result.duplicates += len(rows) - len(result.new_ids)
    return result
