"""The learning loop's steps without an orchestrator: what to train on, train through the
gate, and re-tag the open queue with a promoted model. The nightly ``retrain`` flow runs
them as Prefect tasks; the web admin's "Latih ulang sekarang" runs them in the
background of the web process."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from classifier.decisions import decision_labels
from classifier.lifecycle import (
    MIN_GATE_ROWS,
    active_seen_until,
    read_history,
    train_and_register,
)
from classifier.mix import training_mix
from classifier.registry import ModelRegistry
from classifier.tag import tag_with_version
from classifier.train import TrainingSet, load_training_csv
from models.base import utcnow
from models.enums import OPEN_TRIAGE_STATES
from models.item import Item

__all__ = [
    "MIN_DECISIONS",
    "RETAG_CHUNK",
    "LearningData",
    "learning_data",
    "retag_open_items",
    "retrain_now",
    "skipped",
    "too_few",
    "train_through_gate",
]

log = logging.getLogger(__name__)

#: New decisions (labels the active model has not seen) a retrain without ``base_data``
#: waits for: the gate needs as many unseen rows to compare two models, and refuses any
#: candidate with fewer (``classifier.lifecycle.MIN_GATE_ROWS``); training before that
#: would only be thrown away.
MIN_DECISIONS = MIN_GATE_ROWS
#: Open items re-tagged per transaction.
RETAG_CHUNK = 10_000


@dataclass(slots=True)
class LearningData:
    data: TrainingSet
    negatives: list[str]
    decisions: int
    #: Of ``decisions``, those decided after the newest row the active model saw.
    new_decisions: int
    #: Rows of the history trained on, and where it came from (None: no history).
    history_rows: int | None
    history_from: str


def learning_data(session: Session, *, model_dir: Path, base_data: str | None) -> LearningData:
    """The seed examples, the history and every admin decision (weighted). The history is
    ``base_data`` if given, else the one the active model was trained on by ``aduan
    classifier train`` (kept in the model registry), else none."""
    history = (
        load_training_csv(Path(base_data)) if base_data else read_history(ModelRegistry(model_dir))
    )
    decisions = decision_labels(session)
    seen_until = active_seen_until(ModelRegistry(model_dir))
    return LearningData(
        data=training_mix(decisions.labelled, history=history),
        negatives=decisions.negatives,
        decisions=len(decisions.labelled),
        new_decisions=sum(1 for d in decisions.labelled.dates if d > seen_until),
        history_rows=len(history) if history is not None else None,
        history_from=base_data or "kept by aduan classifier train",
    )


def train_through_gate(model_dir: Path, learning: LearningData) -> dict[str, Any]:
    """Train, gate and register; the version is active only if the gate let it through."""
    outcome = train_and_register(
        ModelRegistry(model_dir), learning.data, extra_negatives=learning.negatives, kind="retrain"
    )
    return {
        "version": outcome.version,
        "trained_rows": outcome.trained_rows,
        "metrics": outcome.metrics,
        "promoted": outcome.promotion.promoted if outcome.promotion else True,
        "reason": outcome.promotion.reason if outcome.promotion else "tanpa holdout",
        "decisions": learning.decisions,
        "new_decisions": learning.new_decisions,
    }


def retag_open_items(
    sessions: sessionmaker[Session],
    write_sessions: sessionmaker[Session],
    *,
    model_dir: Path,
    version: str,
    chunk_size: int = RETAG_CHUNK,
    progress: Callable[[int, int], object] | None = None,
) -> int:
    """The items still waiting for a decision (pending, deferred) get the suggestion of
    ``version``, the model just promoted: the queue the admins work next, its "paling tidak
    yakin" order and its "kemungkinan bukan aduan" view then come from what they taught
    it, not from the model before. Decided items keep theirs (what the admin saw). The
    earlier suggestions stay, superseded; a chunk is one transaction and an item whose
    suggestion is already from ``version`` is skipped, so a run that stopped is finished by
    the next. ``progress(done, total)`` hears after each chunk."""
    with sessions() as session:
        ids = list(
            session.scalars(
                select(Item.id).where(Item.triage_state.in_(OPEN_TRIAGE_STATES)).order_by(Item.id)
            )
        )
    written = 0
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        written += tag_with_version(
            sessions, write_sessions, chunk, model_dir=model_dir, version=version, now=utcnow()
        )
        if progress is not None:
            progress(start + len(chunk), len(ids))
    return written


def too_few(learning: LearningData, min_decisions: int, base_data: str | None) -> bool:
    """Nothing to retrain: fewer new decisions than ``min_decisions`` and no ``base_data``
    (the seeds and a kept history alone teach the active model nothing new)."""
    return learning.new_decisions < min_decisions and not base_data


def skipped(learning: LearningData) -> dict[str, Any]:
    return {
        "skipped": True,
        "decisions": learning.decisions,
        "new_decisions": learning.new_decisions,
    }


def retrain_now(
    sessions: sessionmaker[Session],
    write_sessions: sessionmaker[Session],
    *,
    model_dir: Path,
    base_data: str | None = None,
    min_decisions: int = MIN_DECISIONS,
) -> dict[str, Any]:
    """The whole loop at once, as the ``retrain`` flow runs it: ``skipped`` (``too_few``)
    with fewer than ``min_decisions`` new decisions and no ``base_data``, else the gate's
    outcome and ``retagged``."""
    with sessions() as session:
        learning = learning_data(session, model_dir=model_dir, base_data=base_data)
    if too_few(learning, min_decisions, base_data):
        return skipped(learning)
    result = train_through_gate(model_dir, learning)
    result["retagged"] = (
        retag_open_items(sessions, write_sessions, model_dir=model_dir, version=result["version"])
        if result["promoted"]
        else 0
    )
    log.info("retrain: model %s, %s, %d re-tagged", result["version"], result["reason"],
             result["retagged"])  # fmt: skip
    return result
