"""The retrain flow: base data plus admins' decisions -> new model -> promotion gate ->
the open queue re-tagged by the promoted model (steps: ``pipeline.learning``)."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task

from aduan.db import get_sessionmaker
from aduan.progress import Progress
from aduan.settings import get_settings
from pipeline.learning import (
    MIN_DECISIONS,
    LearningData,
    learning_data,
    retag_open_items,
    skipped,
    too_few,
    train_through_gate,
)

__all__ = ["retrain"]


@task(name="load-training-data")
def load_data(base_data: str | None) -> LearningData:
    """The seed examples, the history and every admin decision (weighted)."""
    with get_sessionmaker()() as session:
        learning = learning_data(
            session, model_dir=get_settings().resolved_model_dir, base_data=base_data
        )
    get_run_logger().info(
        "history: %s",
        f"{learning.history_rows} rows ({learning.history_from})"
        if learning.history_rows is not None
        else "none",
    )
    return learning


@task(name="train-and-gate")
def train(learning: LearningData) -> dict[str, Any]:
    return train_through_gate(get_settings().resolved_model_dir, learning)


@task(name="retag-open-items")
def retag(version: str) -> int:
    """The open queue gets the promoted model's suggestions (``retag_open_items``)."""
    with Progress("saran baru untuk antrean", None, log=get_run_logger().info) as bar:

        def heard(done: int, total: int) -> None:
            if bar.total is None:
                bar.expect(total)
            bar.advance(done - bar.done)

        return retag_open_items(
            get_sessionmaker(),
            get_sessionmaker(write=True),
            model_dir=get_settings().resolved_model_dir,
            version=version,
            progress=heard,
        )


@flow(name="retrain")
def retrain(base_data: str | None = None, min_decisions: int = MIN_DECISIONS) -> dict[str, Any]:
    """Retrain on the seed examples, ``base_data`` (a labelled CSV, e.g. the SP4N-LAPOR!
    history) and every admin decision (weighted higher), once ``min_decisions`` decisions
    are newer than the active model (or ``base_data`` is given); the new version is activated
    only if the gate lets it through, and is then trained on everything; once promoted,
    the items waiting in the queue are re-tagged by it (``retagged``: how many)."""
    logger = get_run_logger()
    learning = load_data(base_data)
    if too_few(learning, min_decisions, base_data):
        logger.info(
            "%d new decisions since the active model (of %d), below %d: nothing to retrain",
            learning.new_decisions,
            learning.decisions,
            min_decisions,
        )
        return skipped(learning)
    result = train(learning)
    logger.info("model %s: %s", result["version"], result["reason"])
    result["retagged"] = retag(result["version"]) if result["promoted"] else 0
    if result["promoted"]:
        logger.info("%d item antrean diberi saran model %s", result["retagged"], result["version"])
    return result
