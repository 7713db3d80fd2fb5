"""The retrain flow under Prefect: base data plus decisions, through the gate."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from aduan.reference import load_agencies, load_regions
from aduan.settings import get_settings
from classifier.registry import ModelRegistry
from models import Item, Source, SourceKind, TriageDecision, TriageState
from tests.conftest import write_surabaya_sample

pytestmark = pytest.mark.flow


def _decisions(engine: Engine, count: int = 25) -> None:
    """``count`` confirmed items, as admins' decisions."""
    with Session(engine) as session, session.begin():
        load_regions(session)
        load_agencies(session)
        source = Source(kind=SourceKind.MANUAL, name="m", config={})
        session.add(source)
        session.flush()
        for n in range(count):
            item = Item(
                source_id=source.id,
                external_id=str(n),
                content_hash=str(n),
                text=f"lampu jalan mati di gang {n} Banjarbaru, gelap sekali",
            )
            session.add(item)
            session.flush()
            session.add(
                TriageDecision(item_id=item.id, state=TriageState.CONFIRMED, topic="transport")
            )


def test_retrain_uses_decisions_and_activates_through_the_gate(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path, shared_dir: Path
) -> None:
    from flows.retrain import retrain

    base = write_surabaya_sample(tmp_path / "base.csv", every=8)
    _decisions(sqlite_engine)

    skipped = retrain(min_decisions=50)
    assert skipped == {"skipped": True, "decisions": 25}
    result = retrain(base_data=str(base))
    assert result["decisions"] == 25 and result["promoted"]
    registry = ModelRegistry(get_settings().resolved_model_dir)
    assert registry.active_version() == result["version"]
    assert result["metrics"]["topic"]["accuracy"] > 0.5
    # The seed examples, the history and the decisions: the final model saw them all.
    from classifier.mix import seed_set

    meta = registry.metadata(result["version"])
    assert meta["trained_on_holdout"] is True
    assert meta["training_rows"] >= len(seed_set()) + 25 + 1000


def test_retrain_keeps_the_history_the_active_model_was_trained_on(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path, shared_dir: Path
) -> None:
    """A history given to `aduan classifier train` is kept in the registry, and the nightly
    retrain (no base_data) trains on it again beside the seeds and the decisions, rather
    than on the seeds and decisions alone."""
    from classifier.lifecycle import read_history, remember_history
    from classifier.mix import seed_set
    from classifier.train import load_training_csv
    from flows.retrain import retrain

    registry = ModelRegistry(get_settings().resolved_model_dir)
    history = load_training_csv(write_surabaya_sample(tmp_path / "riwayat.csv", every=10))
    remember_history(registry, history)
    kept = read_history(registry)
    assert kept is not None
    assert (kept.texts, kept.topics, kept.agencies, kept.dates) == (
        history.texts,
        history.topics,
        history.agencies,
        history.dates,
    )
    _decisions(sqlite_engine)
    result = retrain()
    assert result["decisions"] == 25 and result["promoted"], result
    meta = registry.metadata(result["version"])
    assert meta["training_rows"] == len(seed_set()) + len(history) + 25
