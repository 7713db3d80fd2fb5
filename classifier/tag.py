"""Write suggestions for items: one current suggestion per item, older ones superseded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.baseline import KeywordTagger, Suggestion
from classifier.bootstrap import ensure_active_model
from classifier.mentions import build_gazetteer
from classifier.predict import ModelTagger
from classifier.registry import ModelRegistry
from classifier.routing import Router
from classifier.taxonomy import load_taxonomy
from models.item import Item, ItemSuggestion

__all__ = ["Tagger", "build_default_tagger", "build_keyword_tagger", "tag_items"]


class Tagger(Protocol):
    def suggest(self, title: str | None, text: str) -> Suggestion: ...

    def suggest_many(self, posts: Sequence[tuple[str | None, str]]) -> list[Suggestion]: ...


def build_default_tagger(session: Session, *, model_dir: Path) -> Tagger:
    """The active model of the registry in ``model_dir`` (the bootstrap model when none
    was trained)."""
    registry = ModelRegistry(model_dir)
    version = ensure_active_model(registry)
    return ModelTagger(
        registry.load(version),
        version=version,
        taxonomy=load_taxonomy(),
        gazetteer=build_gazetteer(session),
        router=Router(session),
    )


def build_keyword_tagger(session: Session) -> Tagger:
    """The rule-based tagger (no model): for comparisons and as a documented fallback."""
    return KeywordTagger(load_taxonomy(), build_gazetteer(session), Router(session))


def tag_items(session: Session, item_ids: Sequence[int], tagger: Tagger, *, now: datetime) -> int:
    """Suggest labels for ``item_ids``; returns how many suggestions were written.

    An item whose current suggestion already comes from the same model version is
    left alone, so re-running is harmless.
    """
    written = 0
    for start in range(0, len(item_ids), 500):
        chunk = list(item_ids[start : start + 500])
        items = session.execute(
            select(Item.id, Item.title, Item.text, Item.raw).where(Item.id.in_(chunk))
        ).all()
        current = {
            item_id: version
            for item_id, version in session.execute(
                select(ItemSuggestion.item_id, ItemSuggestion.model_version).where(
                    ItemSuggestion.is_current(), ItemSuggestion.item_id.in_(chunk)
                )
            )
        }
        posts = []
        for _, title, text, raw in items:
            region_hint = (raw or {}).get("region")  # a region column of a manual import
            posts.append((title, f"{text}\n{region_hint}" if region_hint else text))
        # One model call and one UPDATE per chunk, not one of each per item.
        fresh = [
            (item_id, suggestion)
            for (item_id, *_), suggestion in zip(items, tagger.suggest_many(posts), strict=True)
            if current.get(item_id) != suggestion.model_version
        ]
        ItemSuggestion.supersede(session, [i for i, _ in fresh if i in current], now=now)
        for item_id, suggestion in fresh:
            session.add(
                ItemSuggestion(
                    item_id=item_id,
                    topic=suggestion.topic,
                    topic_confidence=suggestion.topic_confidence,
                    function=suggestion.function,
                    agency_id=suggestion.agency_id,
                    agency_confidence=suggestion.agency_confidence,
                    region_id=suggestion.region_id,
                    region_confidence=suggestion.region_confidence,
                    relevance=suggestion.relevance,
                    needs_review=suggestion.needs_review,
                    model_version=suggestion.model_version,
                    details=suggestion.details,
                    created_at=now,
                )
            )
            written += 1
    return written
