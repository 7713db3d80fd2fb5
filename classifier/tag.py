"""Write suggestions for items: one current suggestion per item, older ones superseded."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aduan.db import bulk_insert
from classifier.baseline import KeywordTagger, Suggestion
from classifier.bootstrap import ensure_active_model
from classifier.mentions import build_gazetteer
from classifier.predict import ModelTagger
from classifier.registry import ModelRegistry
from classifier.routing import Router
from classifier.taxonomy import load_taxonomy
from models.item import Item, ItemSuggestion

__all__ = [
    "Tagger",
    "build_default_tagger",
    "build_keyword_tagger",
    "model_tagger",
    "preload_default_model",
    "store_suggestions",
    "suggest_for",
    "tag_items",
    "tag_with_version",
]


class Tagger(Protocol):
    def suggest(self, title: str | None, text: str) -> Suggestion: ...

    def suggest_many(
        self,
        posts: Sequence[tuple[str | None, str]],
        region_hints: Sequence[str | None] | None = None,
    ) -> list[Suggestion]: ...


#: The last model loaded, by (registry directory, version): a version's files never change,
#: and loading takes a second or two, which a run that tags in several steps (the ingest
#: flow: items without a page, then those with one) or a long-lived `aduan serve` need
#: not pay again. Reference data (agencies, regions) is read afresh for every tagger.
_loaded: dict[tuple[str, str, int], Any] = {}
_loaded_lock = threading.Lock()


def _load_model(registry: ModelRegistry, version: str) -> Any:
    metadata = registry.versions_dir / version / "metadata.json"
    key = (str(registry.root), version, metadata.stat().st_mtime_ns)
    with _loaded_lock:
        if key not in _loaded:
            _loaded.clear()
            _loaded[key] = registry.load(version)
        return _loaded[key]


def model_tagger(session: Session, *, model_dir: Path, version: str) -> Tagger:
    """Model ``version`` of the registry in ``model_dir``, with the agencies, regions and
    places read now from ``session``."""
    return ModelTagger(
        _load_model(ModelRegistry(model_dir), version),
        version=version,
        taxonomy=load_taxonomy(),
        gazetteer=build_gazetteer(session),
        router=Router(session),
    )


def build_default_tagger(session: Session, *, model_dir: Path) -> Tagger:
    """The active model of the registry in ``model_dir`` (the bootstrap model when none
    was trained)."""
    version = ensure_active_model(ModelRegistry(model_dir))
    return model_tagger(session, model_dir=model_dir, version=version)


def tag_with_version(
    sessions: sessionmaker[Session],
    write_sessions: sessionmaker[Session],
    item_ids: Sequence[int],
    *,
    model_dir: Path,
    version: str,
    now: datetime,
) -> int:
    """Suggestions of model ``version`` for ``item_ids``, in one write transaction: the
    model runs in a read transaction and only the writing takes SQLite's write lock, so
    several processes predict at once (with the lock held throughout they took turns)."""
    with sessions() as session, session.begin():
        tagger = model_tagger(session, model_dir=model_dir, version=version)
        planned = suggest_for(session, item_ids, tagger)
    with write_sessions() as session, session.begin():
        return store_suggestions(session, planned, now=now)


def preload_default_model(model_dir: Path) -> None:
    """Load (on a first run: train) the active model now, so that ``build_default_tagger``
    finds it in memory; the ingest flow does this in a thread while it reads the feeds."""
    registry = ModelRegistry(model_dir)
    _load_model(registry, ensure_active_model(registry))


def build_keyword_tagger(session: Session) -> Tagger:
    """The rule-based tagger (no model): for comparisons and as a documented fallback."""
    return KeywordTagger(load_taxonomy(), build_gazetteer(session), Router(session))


def _current_versions(session: Session, ids: Sequence[int]) -> dict[int, str]:
    return {
        item_id: version
        for item_id, version in session.execute(
            select(ItemSuggestion.item_id, ItemSuggestion.model_version).where(
                ItemSuggestion.is_current(), ItemSuggestion.item_id.in_(list(ids))
            )
        )
    }


def _said(value: object) -> str | None:
    """A hint read out of an item's raw record: a non-blank string, else None."""
    return value if isinstance(value, str) and value.strip() else None


def suggest_for(
    session: Session, item_ids: Sequence[int], tagger: Tagger
) -> list[tuple[int, Suggestion]]:
    """The suggestions ``tagger`` makes for the items whose current suggestion is not
    already from its model version. Reads only: a caller may do this outside a write
    transaction and store the result with ``store_suggestions``."""
    planned: list[tuple[int, Suggestion]] = []
    for start in range(0, len(item_ids), 500):
        chunk = list(item_ids[start : start + 500])
        # The two hints are read out of the raw JSON by the database: decoding every
        # item's whole raw record (a feed entry's is most of the row) cost more.
        items = session.execute(
            select(
                Item.id,
                Item.title,
                Item.text,
                Item.raw["region"].as_string(),  # a region column of a manual import
                Item.raw[("author", "location")].as_string(),  # an X author's profile
            ).where(Item.id.in_(chunk))
        ).all()
        current = _current_versions(session, chunk)
        posts, hints = [], []
        for _, title, text, region, location in items:
            region_hint = _said(region)
            posts.append((title, f"{text}\n{region_hint}" if region_hint else text))
            hints.append(_said(location))
        # One model call per 500 items, not one per item.
        suggestions = tagger.suggest_many(posts, region_hints=hints)
        planned += [
            (item_id, suggestion)
            for (item_id, *_), suggestion in zip(items, suggestions, strict=True)
            if current.get(item_id) != suggestion.model_version
        ]
    return planned


def store_suggestions(
    session: Session, planned: Sequence[tuple[int, Suggestion]], *, now: datetime
) -> int:
    """Write planned suggestions, superseding the current ones (one UPDATE per 500);
    an item that meanwhile got a suggestion of the same version is skipped."""
    written = 0
    for start in range(0, len(planned), 500):
        part = planned[start : start + 500]
        current = _current_versions(session, [i for i, _ in part])
        fresh = [(i, sug) for i, sug in part if current.get(i) != sug.model_version]
        ItemSuggestion.supersede(session, [i for i, _ in fresh if i in current], now=now)
        rows = [
            {
                "item_id": item_id,
                "topic": suggestion.topic,
                "topic_confidence": suggestion.topic_confidence,
                "function": suggestion.function,
                "agency_id": suggestion.agency_id,
                "agency_confidence": suggestion.agency_confidence,
                "region_id": suggestion.region_id,
                "region_confidence": suggestion.region_confidence,
                "relevance": suggestion.relevance,
                # the lower of the two: how sure the whole suggestion is (as the model's)
                "confidence": min(suggestion.topic_confidence, suggestion.agency_confidence),
                "needs_review": suggestion.needs_review,
                "model_version": suggestion.model_version,
                "details": suggestion.details,
                "created_at": now,
            }
            for item_id, suggestion in fresh
        ]
        if rows:  # one multi-row statement, not one ORM object per suggestion
            bulk_insert(session, ItemSuggestion, rows)
        written += len(rows)
        session.flush()
    return written


def tag_items(
    session: Session,
    item_ids: Sequence[int],
    tagger: Tagger,
    *,
    now: datetime,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Suggest labels for ``item_ids``; returns how many suggestions were written.

    An item whose current suggestion already comes from the same model version is
    left alone, so re-running is harmless.
    """
    written = 0
    for start in range(0, len(item_ids), 500):
        planned = suggest_for(session, item_ids[start : start + 500], tagger)
        written += store_suggestions(session, planned, now=now)
        if progress is not None:
            progress(len(item_ids[start : start + 500]))
    return written
