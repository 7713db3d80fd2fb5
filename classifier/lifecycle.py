"""Training, evaluating and promoting models: the steps behind the CLI and the retrain flow."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifier.registry import ModelRegistry, PromotionResult, is_not_worse
from classifier.train import (
    ModelBundle,
    TrainingSet,
    evaluate_bundle,
    load_training_csv,
    train_bundle,
)

__all__ = ["TrainOutcome", "load_bundle", "promote", "split_holdout", "train_and_register"]

SUMMARY_KEYS = ("accuracy", "macro_f1", "top3_accuracy", "accuracy_at_80_coverage")


@dataclass(frozen=True, slots=True)
class TrainOutcome:
    version: str
    trained_rows: int
    metrics: dict[str, Any] | None
    promotion: PromotionResult | None


def split_holdout(data: TrainingSet, fraction: float) -> tuple[TrainingSet, TrainingSet]:
    """The newest ``fraction`` of rows (by date when there is one) is the holdout."""
    order = sorted(range(len(data)), key=lambda i: (data.dates[i] if data.dates else "", i))
    cut = len(order) - max(1, round(fraction * len(order)))
    return data.subset(order[:cut]), data.subset(order[cut:])


def write_holdout(data: TrainingSet, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "topic", "agency"])
        for text, topic, agency in zip(data.texts, data.topics, data.agencies, strict=True):
            writer.writerow([text, topic, agency or ""])


def read_holdout(path: Path) -> TrainingSet:
    return load_training_csv(path, text_column="text", topic_column="topic", agency_column="agency")


def summary(metrics: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"n": metrics["n"]}
    for task in ("topic", "agency"):
        if task in metrics:
            out[task] = {k: metrics[task][k] for k in SUMMARY_KEYS}
    return out


def load_bundle(path: Path) -> tuple[ModelBundle, str]:
    """A registry root (its active model) or one version directory."""
    if (path / "metadata.json").is_file():
        registry = ModelRegistry(path.parent.parent)
        return registry.load(path.name), path.name
    registry = ModelRegistry(path)
    version = registry.active_version()
    if version is None:
        raise LookupError(f"tidak ada model aktif di {path}")
    return registry.load(version), version


def promote(
    registry: ModelRegistry, version: str, *, holdout: TrainingSet, force: bool = False
) -> PromotionResult:
    candidate = summary(evaluate_bundle(registry.load(version), holdout))
    active_version = registry.active_version()
    active = None
    if active_version is not None and active_version != version:
        active = summary(evaluate_bundle(registry.load(active_version), holdout))
    ok, reason = (
        (True, "belum ada model aktif") if active is None else is_not_worse(candidate, active)
    )
    if force and not ok:
        ok, reason = True, f"dipaksa (--force): {reason}"
    if ok:
        registry.set_active(version)
    registry.update_metrics(version, "holdout", candidate)
    return PromotionResult(promoted=ok, reason=reason, candidate=candidate, active=active)


def train_and_register(
    registry: ModelRegistry,
    data: TrainingSet,
    *,
    holdout_fraction: float = 0.15,
    extra_negatives: list[str] | None = None,
    activate: bool = True,
    kind: str = "trained",
) -> TrainOutcome:
    """Train on ``data`` (less a fixed holdout, created on first use), register, and
    promote through the gate when ``activate``."""
    holdout: TrainingSet | None = None
    if registry.holdout_path.is_file():
        holdout = read_holdout(registry.holdout_path)
        held = set(holdout.texts)
        data = data.subset(i for i, t in enumerate(data.texts) if t not in held)
    elif holdout_fraction > 0:
        data, holdout = split_holdout(data, holdout_fraction)
        write_holdout(holdout, registry.holdout_path)
    bundle = train_bundle(data, extra_negatives=extra_negatives or [])
    metrics = summary(evaluate_bundle(bundle, holdout)) if holdout else None
    version = registry.save(
        bundle,
        kind=kind,
        data_digest=data.digest(),
        n_rows=len(data),
        metrics={"holdout": metrics} if metrics else {},
    )
    promotion = None
    if activate and holdout is not None:
        promotion = promote(registry, version, holdout=holdout)
    elif activate:
        registry.set_active(version)
    return TrainOutcome(
        version=version, trained_rows=len(data), metrics=metrics, promotion=promotion
    )
