"""The retrain flow: base data plus admins' decisions -> new model -> promotion gate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from aduan.db import session_scope
from aduan.settings import get_settings
from classifier.decisions import decision_labels
from classifier.lifecycle import read_history, train_and_register
from classifier.mix import training_mix
from classifier.registry import ModelRegistry
from classifier.train import TrainingSet, load_training_csv

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


@flow(name="retrain")
def retrain(base_data: str | None = None, min_decisions: int = 20) -> dict[str, Any]:
    """Retrain on the seed examples, ``base_data`` (a labelled CSV, e.g. the SP4N-LAPOR!
    history) and every admin decision (weighted higher); the new version is activated
    only if the gate lets it through, and is then trained on everything."""
    logger = get_run_logger()
    data, negatives, n_decisions = load_data(base_data)
    if n_decisions < min_decisions and not base_data:
        logger.info("only %d decisions, below %d: nothing to retrain", n_decisions, min_decisions)
        return {"skipped": True, "decisions": n_decisions}
    result = train(data, negatives)
    result["decisions"] = n_decisions
    logger.info("model %s: %s", result["version"], result["reason"])
    return result
