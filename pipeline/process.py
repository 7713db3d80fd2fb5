"""What happens to items once stored, wherever they came from (the ingest flow, a CSV
import, the public form): full article pages, duplicate clusters, label suggestions.

One function per step. The ingest flow's tasks call the steps one by one (each its own
task with retries); an import and the public form call ``process_new_items``. Every step
is idempotent, so a run that crashed half-way is finished by the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from aduan.db import bulk_update_by_id
from classifier.mentions import Gazetteer, build_gazetteer
from classifier.places import find_place
from classifier.tag import build_default_tagger, tag_items
from collectors.dedup import cluster_items
from collectors.enrich import EnrichReport, enrich_items
from collectors.pages import PageFetcher
from models.enums import RegionLevel
from models.item import Item, ItemSuggestion
from models.region import Region

__all__ = [
    "ENRICH_CHUNK",
    "Processed",
    "cluster_stored",
    "enrich_stored",
    "items_awaiting_article",
    "items_without_place",
    "items_without_suggestion",
    "place_stored",
    "process_new_items",
    "tag_stored",
]


#: Feed entries whose pages are fetched per transaction: a crash costs at most this many
#: pages fetched again by the next run (they stay "pending"). Large enough that the pool
#: of ADUAN_FETCH_CONCURRENCY seldom drains between chunks.
ENRICH_CHUNK = 250


@dataclass(frozen=True, slots=True)
class Processed:
    joined_clusters: int
    tagged: int
    placed: int = 0


def enrich_stored(
    session: Session,
    item_ids: Sequence[int],
    *,
    client: httpx.Client,
    user_agent: str,
    now: datetime,
    fetcher: PageFetcher | None = None,
    gazetteer: Gazetteer | None = None,
    selected: bool = False,
) -> EnrichReport:
    """Full text for feed entries that mention an agency or read like a complaint; pass one
    ``fetcher`` for a whole run so that robots.txt and the per-host gates are shared."""
    if not item_ids:
        return EnrichReport()
    fetcher = fetcher or PageFetcher(client, user_agent=user_agent)
    return enrich_items(
        session,
        item_ids,
        fetcher=fetcher,
        gazetteer=gazetteer or build_gazetteer(session),
        now=now,
        selected=selected,
    )


def cluster_stored(
    session: Session,
    item_ids: Sequence[int],
    *,
    now: datetime,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Group retweets, copies and near-duplicates; returns how many joined a cluster."""
    if not item_ids:
        return 0
    return cluster_items(session, item_ids, now=now, progress=progress)


def tag_stored(
    session: Session,
    item_ids: Sequence[int],
    *,
    model_dir: Path,
    now: datetime,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Suggest topic, SKPD and region with the active model; returns suggestions written."""
    if not item_ids:
        return 0
    tagger = build_default_tagger(session, model_dir=model_dir)
    return tag_items(session, item_ids, tagger, now=now, progress=progress)


def place_stored(
    session: Session,
    item_ids: Sequence[int],
    *,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Record the named road/landmark/facility and kecamatan of each item (the keys of
    recurring-issue reports); returns how many name a place."""
    if not item_ids:
        return 0
    gazetteer = build_gazetteer(session)
    # The kecamatan a mention places an item in: a kecamatan named, or a desa/kelurahan's.
    district_of = {
        region_id: region_id if level is RegionLevel.DISTRICT else parent_id
        for region_id, level, parent_id in session.execute(
            select(Region.id, Region.level, Region.parent_id).where(
                Region.level.in_((RegionLevel.DISTRICT, RegionLevel.VILLAGE))
            )
        )
    }
    named = 0
    for start in range(0, len(item_ids), 1000):
        chunk = list(item_ids[start : start + 1000])
        values = []
        for item_id, title, text in session.execute(
            select(Item.id, Item.title, Item.text).where(Item.id.in_(chunk))
        ):
            body = f"{title}\n{text}" if title else text
            place = find_place(body)
            district = next(
                (
                    district_of[m.refs[0]]
                    for m in gazetteer.find(body)
                    if m.kind == "region" and len(m.refs) == 1 and m.refs[0] in district_of
                ),
                None,
            )
            named += place is not None
            values.append(
                {
                    "id": item_id,
                    "place_key": place.key if place else "",
                    "place_district_id": district,
                }
            )
        if values:
            bulk_update_by_id(session, Item, values)
        if progress is not None:
            progress(len(chunk))
    return named


def items_without_place(session: Session) -> list[int]:
    """Items no run has looked for a place in yet (stored before places were recorded,
    or by a run that stopped before this step)."""
    return list(session.scalars(select(Item.id).where(Item.place_key.is_(None)).order_by(Item.id)))


def items_awaiting_article(session: Session) -> list[int]:
    """Feed entries stored by an earlier run that stopped before fetching their page."""
    return list(session.scalars(Item.awaiting_article()))


def items_without_suggestion(session: Session) -> list[int]:
    """Items stored by an earlier run that stopped before tagging them."""
    has_suggestion = select(ItemSuggestion.item_id).where(ItemSuggestion.item_id == Item.id)
    return list(session.scalars(select(Item.id).where(~has_suggestion.exists())))


def process_new_items(
    session: Session,
    item_ids: Sequence[int],
    *,
    model_dir: Path,
    now: datetime,
    progress: Callable[[int], object] | None = None,
) -> Processed:
    """Cluster, then tag: what an import or the public form does right after storing.
    ``progress`` hears of every item twice (clustered, tagged)."""
    joined = cluster_stored(session, item_ids, now=now, progress=progress)
    tagged = tag_stored(session, item_ids, model_dir=model_dir, now=now, progress=progress)
    placed = place_stored(session, item_ids)
    return Processed(joined, tagged, placed)
