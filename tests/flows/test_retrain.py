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


def test_retrain_uses_decisions_and_activates_through_the_gate(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path, shared_dir: Path
) -> None:
    from flows.retrain import retrain

    base = write_surabaya_sample(tmp_path / "base.csv", every=8)
    with Session(sqlite_engine) as session, session.begin():
        load_regions(session)
        load_agencies(session)
        source = Source(kind=SourceKind.MANUAL, name="m", config={})
        session.add(source)
        session.flush()
        for n in range(25):
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
