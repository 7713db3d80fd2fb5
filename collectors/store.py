"""Storing collected items idempotently, with exact-duplicate grouping."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from collectors.base import RawItem
from collectors.normalize import canonical_url, content_hash
from models.item import Item

__all__ = ["StoreResult", "store_items"]

MAX_TEXT_CHARS = 100_000


@dataclass(slots=True)
class StoreResult:
    new_ids: list[int] = field(default_factory=list)
    duplicates: int = 0


def _insert_ignoring_conflict(session: Session, values: dict[str, Any]) -> int | None:
    """INSERT ... ON CONFLICT (source_id, external_id) DO NOTHING RETURNING id."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(Item)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["source_id", "external_id"])
        .returning(Item.id)
    )
    return session.execute(stmt).scalar_one_or_none()


def store_items(
    session: Session, source_id: int, items: Iterable[RawItem], *, now: datetime
) -> StoreResult:
    """Insert the items that are new; count the rest as duplicates.

    An item is a duplicate when this source already has its external id, or when any
    source already has its canonical URL (the same article listed in two feeds).
    Items with the same content hash from different URLs are kept; ``dedup.cluster_items``
    puts them in one cluster. Safe to run twice and under concurrent runs (the unique key decides).
    """
    result = StoreResult()
    for raw in items:
        url = canonical_url(raw.url)
        if url is not None and session.scalar(
            select(Item.id).where(Item.canonical_url == url).limit(1)
        ):
            result.duplicates += 1
            continue
        digest = content_hash(raw.title, raw.text)
        values = {
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
            "content_hash": digest,
            "group_key": raw.group_key,
        }
        new_id = _insert_ignoring_conflict(session, values)
        if new_id is None:
            result.duplicates += 1
            continue
        result.new_ids.append(new_id)
    return result
