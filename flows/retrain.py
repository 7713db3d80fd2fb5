"""The retrain flow: base data plus admins' decisions -> new model -> promotion gate ->
the open queue re-tagged by the promoted model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from sqlalchemy import select

from aduan.db import session_scope
from aduan.progress import Progress
from aduan.settings import get_settings
from classifier.decisions import decision_labels
from classifier.lifecycle import read_history, train_and_register
from classifier.mix import training_mix
from classifier.registry import ModelRegistry
from classifier.train import TrainingSet, load_training_csv
from flows.reclassify import CHUNK, classify_chunk
from models.enums import OPEN_TRIAGE_STATES
from models.item import Item

__all__ = ["retrain"]


@task(name="load-training-data")
def load_data(base_data: str | None) -> tuple[TrainingSet, list[str], int]:
    """The seed examples, the history and every admin decision (weighted). The history is
    ``base_data`` if given, else the one the active model was trained on by ``aduan
    classifier train`` (kept in the model registry), else none."""
    history = (
        load_training_csv(Path(base_data))
        if base_data
        else read_history(ModelRegistry(get_settings().resolved_model_dir))
    )
    get_run_logger().info(
        "history: %s",
        f"{len(history)} rows ({base_data or 'kept by aduan classifier train'})"
        if history is not None
        else "none",
    )
    with session_scope() as session:
        decisions = decision_labels(session)
    data = training_mix(decisions.labelled, history=history)
    return data, decisions.negatives, len(decisions.labelled)


@task(name="train-and-gate")
def train(data: TrainingSet, negatives: list[str]) -> dict[str, Any]:
    registry = ModelRegistry(get_settings().resolved_model_dir)
    outcome = train_and_register(registry, data, extra_negatives=negatives)
    return {
        "version": outcome.version,
        "trained_rows": outcome.trained_rows,
        "metrics": outcome.metrics,
        "promoted": outcome.promotion.promoted if outcome.promotion else True,
        "reason": outcome.promotion.reason if outcome.promotion else "tanpa holdout",
    }


@task(name="retag-open-items")
def retag_open_items(version: str, chunk_size: int = CHUNK) -> int:
    """The items still waiting for a decision (pending, deferred) get the suggestion of
    ``version``, the model just promoted: the queue the admins work in the morning, its
    "paling tidak yakin" order and its "kemungkinan bukan aduan" view then come from what
    they taught it, not from the model before. Decided items keep theirs (what the admin
    saw). The earlier suggestions stay, superseded; a chunk is one transaction and an item
    whose suggestion is already from ``version`` is skipped, so a run that stopped is
    finished by the next."""
    model_dir = str(get_settings().resolved_model_dir)
    with session_scope() as session:
        ids = list(
            session.scalars(
                select(Item.id).where(Item.triage_state.in_(OPEN_TRIAGE_STATES)).order_by(Item.id)
            )
        )
    written = 0
    with Progress("saran baru untuk antrean", len(ids), log=get_run_logger().info) as bar:
        for start in range(0, len(ids), chunk_size):
            chunk = ids[start : start + chunk_size]
            written += classify_chunk.fn(chunk, model_dir, version)
            bar.advance(len(chunk))
    return written


@flow(name="retrain")
def retrain(base_data: str | None = None, min_decisions: int = 20) -> dict[str, Any]:
    """Retrain on the seed examples, ``base_data`` (a labelled CSV, e.g. the SP4N-LAPOR!
    history) and every admin decision (weighted higher); the new version is activated
    only if the gate lets it through, and is then trained on everything; once promoted,
    the items waiting in the queue are re-tagged by it (``retagged``: how many)."""
    logger = get_run_logger()
    data, negatives, n_decisions = load_data(base_data)
    if n_decisions < min_decisions and not base_data:
        logger.info("only %d decisions, below %d: nothing to retrain", n_decisions, min_decisions)
        return {"skipped": True, "decisions": n_decisions}
    result = train(data, negatives)
    result["decisions"] = n_decisions
    logger.info("model %s: %s", result["version"], result["reason"])
    result["retagged"] = retag_open_items(result["version"]) if result["promoted"] else 0
    if result["promoted"]:
        logger.info("%d item antrean diberi saran model %s", result["retagged"], result["version"])
    return result
