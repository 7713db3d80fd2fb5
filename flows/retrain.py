"""The retrain flow: base data plus admins' decisions -> new model -> promotion gate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from aduan.db import session_scope
from aduan.settings import get_settings
from classifier.decisions import decision_labels
from classifier.lifecycle import train_and_register
from classifier.registry import ModelRegistry
from classifier.train import TrainingSet, load_training_csv

__all__ = ["retrain"]


@task(name="load-training-data")
def load_data(base_data: str | None) -> tuple[TrainingSet, list[str], int]:
    data = load_training_csv(Path(base_data)) if base_data else TrainingSet()
    with session_scope() as session:
        decisions = decision_labels(session)
    data.extend(decisions.labelled)
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


@flow(name="retrain")
def retrain(base_data: str | None = None, min_decisions: int = 20) -> dict[str, Any]:
    """Retrain on ``base_data`` (a labelled CSV, e.g. the SP4N-LAPOR! history) plus every
    admin decision; the new version is activated only if the gate lets it through."""
    logger = get_run_logger()
    data, negatives, n_decisions = load_data(base_data)
    if n_decisions < min_decisions and not base_data:
        logger.info("only %d decisions, below %d: nothing to retrain", n_decisions, min_decisions)
        return {"skipped": True, "decisions": n_decisions}
    result = train(data, negatives)
    result["decisions"] = n_decisions
    logger.info("model %s: %s", result["version"], result["reason"])
    return result
