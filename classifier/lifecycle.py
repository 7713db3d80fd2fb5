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
    """Activate ``version`` if it is not worse than the active model on the holdout (for a
    model trained on everything, the figures of its gate candidate stand for it)."""
    candidate = _gate_figures(registry, version, holdout)
    active_version = registry.active_version()
    active = None
    if active_version is not None and active_version != version:
        active = _gate_figures(registry, active_version, holdout)
    ok, reason = (
        (True, "belum ada model aktif") if active is None else is_not_worse(candidate, active)
    )
    if force and not ok:
        ok, reason = True, f"dipaksa (--force): {reason}"
    if ok:
        registry.set_active(version)
    if not registry.metadata(version).get("trained_on_holdout"):
        registry.update_metrics(version, "holdout", candidate)
    return PromotionResult(promoted=ok, reason=reason, candidate=candidate, active=active)


def _gate_figures(registry: ModelRegistry, version: str, holdout: TrainingSet) -> dict[str, Any]:
    """What a version stands for on the holdout. A model trained on everything (holdout
    included) is represented by the figures its gate candidate got there — its own score
    would be inflated; any other model is simply scored."""
    meta = registry.metadata(version)
    gate = (meta.get("metrics") or {}).get("gate")
    if meta.get("trained_on_holdout") and gate:
        return dict(gate)
    return summary(evaluate_bundle(registry.load(version), holdout))


def train_and_register(
    registry: ModelRegistry,
    data: TrainingSet,
    *,
    holdout_fraction: float = 0.15,
    extra_negatives: list[str] | None = None,
    activate: bool = True,
    kind: str = "trained",
) -> TrainOutcome:
    """Gate a candidate on the fixed holdout, then train the promoted model on everything.

    1. The holdout (the newest ``holdout_fraction`` of rows, fixed on first use in the
       registry) is set aside; a candidate is trained on the rest and scored on it.
    2. The gate compares that score with the active model's (``_gate_figures``).
    3. Passed (or ``activate=False``): the registered model is trained on *all* rows,
       holdout included — the newest complaints are exactly what it must know. Its
       metadata keeps the gate figures, the rows the candidate saw and the rows it saw.
       Refused: the candidate's figures are recorded on a version that is not activated.
    """
    negatives = extra_negatives or []
    holdout: TrainingSet | None = None
    train_part = data
    if registry.holdout_path.is_file():
        holdout = read_holdout(registry.holdout_path)
        held = set(holdout.texts)
        train_part = data.subset(i for i, t in enumerate(data.texts) if t not in held)
    elif holdout_fraction > 0 and len(data) >= 20:
        train_part, holdout = split_holdout(data, holdout_fraction)
        write_holdout(holdout, registry.holdout_path)
    if holdout is None:
        bundle = train_bundle(data, extra_negatives=negatives)
        version = registry.save(
            bundle, kind=kind, data_digest=data.digest(), n_rows=len(data),
            extra={"trained_on_holdout": False},
        )  # fmt: skip
        if activate:
            registry.set_active(version)
        return TrainOutcome(version=version, trained_rows=len(data), metrics=None, promotion=None)
    candidate = train_bundle(train_part, extra_negatives=negatives)
    gate = summary(evaluate_bundle(candidate, holdout))
    active_version = registry.active_version()
    active = _gate_figures(registry, active_version, holdout) if active_version else None
    ok, reason = (True, "belum ada model aktif") if active is None else is_not_worse(gate, active)
    promotion = PromotionResult(promoted=ok, reason=reason, candidate=gate, active=active)
    # The final model: everything the deployment knows (the holdout rows are in ``data``
    # unless they came from an earlier training set; then they are added back).
    everything = data
    known = set(data.texts)
    missing = [i for i, t in enumerate(holdout.texts) if t not in known]
    if missing:
        everything = TrainingSet()
        everything.extend(data)
        everything.extend(holdout.subset(missing))
    final = train_bundle(everything, extra_negatives=negatives) if ok or not activate else candidate
    trained = everything if final is not candidate else train_part
    version = registry.save(
        final,
        kind=kind,
        data_digest=trained.digest(),
        n_rows=len(trained),
        metrics={"gate": gate, "holdout": gate},
        extra={
            "trained_on_holdout": final is not candidate,
            "gate_rows": len(train_part),
            "holdout_rows": len(holdout),
            "gate_reason": reason,
        },
    )
    if activate and ok:
        registry.set_active(version)
    return TrainOutcome(
        version=version,
        trained_rows=len(trained),
        metrics=gate,
        promotion=promotion if activate else None,
    )
