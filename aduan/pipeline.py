"""What happens to items once stored, wherever they came from (flow, import, web form):
group duplicates, then suggest labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from classifier.tag import build_default_tagger, tag_items
from collectors.dedup import cluster_items

__all__ = ["Processed", "process_new_items"]


@dataclass(frozen=True, slots=True)
class Processed:
    joined_clusters: int
    tagged: int


def process_new_items(session: Session, item_ids: Sequence[int], *, now: datetime) -> Processed:
    if not item_ids:
        return Processed(0, 0)
    joined = cluster_items(session, item_ids, now=now)
    tagged = tag_items(session, item_ids, build_default_tagger(session), now=now)
    return Processed(joined, tagged)
