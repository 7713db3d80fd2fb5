"""The retrain flow under Prefect: base data plus decisions, through the gate."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func
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
    assert skipped == {"skipped": True, "decisions": 25, "new_decisions": 25}
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
    _decisions(sqlite_engine, 35)
    result = retrain()
    assert result["decisions"] == 35 and result["promoted"], result
    meta = registry.metadata(result["version"])
    assert meta["training_rows"] == len(seed_set()) + len(history) + 35


def test_a_promoted_model_re_tags_the_open_queue_and_leaves_decided_items(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path, shared_dir: Path
) -> None:
    """The morning after: the items still waiting (pending, deferred) carry the promoted
    model's suggestion, the earlier one kept as superseded; a decided item keeps the one
    the admin saw; a retrain the gate refuses re-tags nothing."""
    from sqlalchemy import select

    from classifier.bootstrap import ensure_active_model
    from classifier.tag import build_default_tagger, tag_items
    from flows.retrain import retrain
    from models.base import utcnow
    from models.item import ItemSuggestion

    _decisions(sqlite_engine)
    registry = ModelRegistry(get_settings().resolved_model_dir)
    first = ensure_active_model(registry)
    with Session(sqlite_engine) as session, session.begin():
        source = session.scalars(select(Source)).one()
        states = [TriageState.PENDING, TriageState.DEFERRED, TriageState.REJECTED]
        for n, state in enumerate(states * 2):
            session.add(
                Item(
                    source_id=source.id,
                    external_id=f"q{n}",
                    content_hash=f"q{n}",
                    text=f"jalan rusak berlubang di desa {n} Kabupaten Banjar, mohon diperbaiki",
                    triage_state=state,
                )
            )
        session.flush()
        ids = list(session.scalars(select(Item.id).order_by(Item.id)))
        tagger = build_default_tagger(session, model_dir=get_settings().resolved_model_dir)
        assert tag_items(session, ids, tagger, now=utcnow()) == len(ids)

    def current() -> dict[tuple[int, TriageState], str]:
        with Session(sqlite_engine) as session:
            rows = session.execute(
                select(Item.id, Item.triage_state, ItemSuggestion.model_version)
                .join(ItemSuggestion, ItemSuggestion.item_id == Item.id)
                .where(ItemSuggestion.superseded_at.is_(None), Item.external_id.like("q%"))
            ).all()
        return {(i, state): version for i, state, version in rows}

    assert set(current().values()) == {first}
    base = write_surabaya_sample(tmp_path / "base.csv", every=8)
    result = retrain(base_data=str(base))
    assert result["promoted"] and result["version"] != first
    after = current()
    assert len(after) == 6  # one current suggestion per item
    for (_, state), version in after.items():
        expected = first if state == TriageState.REJECTED else result["version"]
        assert version == expected, (state, version)
    # The 25 open items of the decisions helper (their state is pending) count as well.
    assert result["retagged"] == 4 + 25
    with Session(sqlite_engine) as session:
        superseded = session.scalar(
            select(func.count())
            .select_from(ItemSuggestion)
            .where(ItemSuggestion.superseded_at.is_not(None))
        )
    assert superseded == 4 + 25  # the open items' earlier suggestions are kept

    refused = retrain(base_data=str(base))  # nothing new to compare on: the gate says no
    assert not refused["promoted"] and refused["retagged"] == 0
    assert current() == after
    # Without base data the nightly run does not even train: no decision is newer than the
    # model it would be compared with, so the gate could only refuse it.
    versions = len(ModelRegistry(get_settings().resolved_model_dir).versions())
    quiet = retrain(min_decisions=1)
    assert quiet == {"skipped": True, "decisions": 25, "new_decisions": 0}
    assert len(ModelRegistry(get_settings().resolved_model_dir).versions()) == versions


def test_retrain_now_from_the_command_line(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path, shared_dir: Path
) -> None:
    """`aduan classifier retrain`: the admin need not wait for the night after the first
    hundred decisions; it says what happened in Indonesian, or as JSON."""
    import json

    from click.testing import CliRunner

    from aduan.cli import cli

    _decisions(sqlite_engine)
    runner = CliRunner()
    waiting = runner.invoke(cli, ["classifier", "retrain", "--min-decisions", "50"])
    assert waiting.exit_code == 0, waiting.output
    assert (
        "Baru 25 keputusan admin sejak model aktif dilatih (perlu 50): model tidak dilatih ulang"
        in waiting.output
    )
    base = write_surabaya_sample(tmp_path / "base.csv", every=8)
    done = runner.invoke(cli, ["classifier", "retrain", "--base-data", str(base)])
    assert done.exit_code == 0, done.output
    version = ModelRegistry(get_settings().resolved_model_dir).active_version()
    assert f"Model aktif sekarang {version}; 25 item antrean diberi saran baru" in done.output
    again = runner.invoke(cli, ["classifier", "retrain", "--base-data", str(base), "--json"])
    assert again.exit_code == 0, again.output
    result = json.loads(again.output.strip().splitlines()[-1])
    assert result["promoted"] is False and result["retagged"] == 0 and result["decisions"] == 25
