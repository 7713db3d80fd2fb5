"""Training, evaluating and promoting models: the steps behind the CLI and the retrain flow."""

from __future__ import annotations

import csv
from collections.abc import Callable
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

__all__ = [
    "TrainOutcome",
    "load_bundle",
    "promote",
    "read_history",
    "remember_history",
    "train_and_register",
]

SUMMARY_KEYS = ("accuracy", "macro_f1", "top3_accuracy", "accuracy_at_80_coverage")


@dataclass(frozen=True, slots=True)
class TrainOutcome:
    version: str
    trained_rows: int
    metrics: dict[str, Any] | None
    promotion: PromotionResult | None


def write_training_csv(data: TrainingSet, path: Path) -> None:
    """``data`` in our own columns (text, topic, agency, date), written atomically: a reader
    sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "topic", "agency", "date"])
        dates = data.dates or [""] * len(data)
        for text, topic, agency, date in zip(
            data.texts, data.topics, data.agencies, dates, strict=True
        ):
            writer.writerow([text, topic, agency or "", date])
    tmp.replace(path)


def read_training_csv(path: Path) -> TrainingSet:
    """A file ``write_training_csv`` wrote."""
    return load_training_csv(path, text_column="text", topic_column="topic", agency_column="agency")


read_holdout = read_training_csv


def remember_history(registry: ModelRegistry, data: TrainingSet) -> Path:
    """Keep a deployment's labelled history (what ``aduan classifier train`` was given) in
    the registry, in our own columns and with its dates, so the nightly retrain trains on
    it again beside the seed examples and the decisions: without it, the first retrain
    after a training on the history would learn from the seeds and decisions alone."""
    write_training_csv(data, registry.history_path)
    return registry.history_path


def read_history(registry: ModelRegistry) -> TrainingSet | None:
    """The history ``remember_history`` kept, or None."""
    path = registry.history_path
    return read_training_csv(path) if path.is_file() else None


def summary(metrics: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"n": metrics["n"]}
    for task in ("topic", "agency", "function"):
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


#: Fewer unseen rows than this cannot tell two models apart: the active one stays.
MIN_GATE_ROWS = 30


def active_seen_until(registry: ModelRegistry) -> str:
    """The date of the newest row the active model was trained on ("" when there is no
    active model or it saw no dated row, e.g. the bootstrap model): rows dated after it
    are what a retrain has that the active model has not seen."""
    version = registry.active_version()
    return str(registry.metadata(version).get("newest_row") or "") if version else ""


def _newest(data: TrainingSet) -> str:
    return max((d for d in data.dates if d), default="") if data.dates else ""


def train_and_register(
    registry: ModelRegistry,
    data: TrainingSet,
    *,
    holdout_fraction: float = 0.15,
    extra_negatives: list[str] | None = None,
    activate: bool = True,
    kind: str = "trained",
    on_stage: Callable[[str], object] | None = None,
) -> TrainOutcome:
    """Gate a candidate by rolling time origin, then train the promoted model on everything.

    1. The newest ``holdout_fraction`` of the rows (by date; undated rows such as the seed
       examples count as oldest) is held out, but never a row the active model was trained
       on (when at least ``MIN_GATE_ROWS`` rows are newer than it); a candidate is trained
       on the rest, so it has seen at least what the active model saw.
    2. The gate scores the candidate and the active model on the held-out rows *newer
       than anything the active model was trained on* (its ``newest_row``), so neither
       has seen them: like with like, on the newest data, every time. With fewer than
       ``MIN_GATE_ROWS`` such rows there is nothing new to judge by and the active model
       stays (unless there is none).
    3. Passed (or ``activate=False``): the registered model is trained on *all* rows —
       the newest complaints are exactly what it must know. Its metadata keeps the gate
       figures (candidate and active on the same rows), how many rows were compared, the
       rows the candidate saw, the rows it saw and the newest row's date. Refused: the
       candidate is registered, not activated. The held-out rows are written to
       ``holdout.csv`` for ``aduan classifier evaluate``/``promote``.
    """
    negatives = extra_negatives or []
    order = sorted(range(len(data)), key=lambda i: (data.dates[i] if data.dates else "", i))
    n_hold = round(holdout_fraction * len(order)) if len(data) >= 20 else 0
    active_version = registry.active_version()
    seen_until = active_seen_until(registry)
    if n_hold and active_version is not None:
        unseen_rows = sum(1 for d in data.dates or [] if d and d > seen_until)
        if unseen_rows >= MIN_GATE_ROWS:
            # Hold out no row the active model has seen: the candidate then learns from
            # everything the active model learnt from. Holding out more (the newest 15%
            # when only the last 100 decisions are new) made the gate judge a candidate
            # that saw fewer decisions against an active model that saw more, and refuse it.
            n_hold = min(n_hold, unseen_rows)
    if n_hold == 0:
        bundle = train_bundle(data, extra_negatives=negatives, on_stage=on_stage)
        version = registry.save(
            bundle,
            kind=kind,
            data_digest=data.digest(),
            n_rows=len(data),
            extra={"trained_on_holdout": False, "newest_row": _newest(data)},
        )
        if activate:
            registry.set_active(version)
        return TrainOutcome(version=version, trained_rows=len(data), metrics=None, promotion=None)
    train_part, holdout = data.subset(order[:-n_hold]), data.subset(order[-n_hold:])
    write_training_csv(holdout, registry.holdout_path)
    stage = on_stage or (lambda name: None)
    candidate = train_bundle(
        train_part,
        extra_negatives=negatives,
        on_stage=lambda name: stage(f"kandidat (tanpa holdout): {name}"),
    )
    compared = holdout
    active: dict[str, Any] | None = None
    if active_version is not None:
        unseen = [i for i, d in enumerate(holdout.dates or []) if d and d > seen_until]
        compared = holdout.subset(unseen)
    gate = summary(evaluate_bundle(candidate, compared)) if len(compared) else {"n": 0}
    if active_version is None:
        ok, reason = True, "belum ada model aktif"
    elif len(compared) < MIN_GATE_ROWS:
        ok, reason = (
            False,
            (
                f"hanya {len(compared)} baris baru yang belum dilihat model aktif "
                f"(perlu {MIN_GATE_ROWS}): model aktif dipertahankan"
            ),
        )
    else:
        active = summary(evaluate_bundle(registry.load(active_version), compared))
        ok, reason = is_not_worse(gate, active)
    promotion = PromotionResult(promoted=ok, reason=reason, candidate=gate, active=active)
    final = (
        train_bundle(
            data,
            extra_negatives=negatives,
            on_stage=lambda name: stage(f"model akhir (semua baris): {name}"),
        )
        if ok or not activate
        else candidate
    )
    trained = data if final is not candidate else train_part
    version = registry.save(
        final,
        kind=kind,
        data_digest=trained.digest(),
        n_rows=len(trained),
        metrics={"gate": gate, "gate_active": active or {}, "holdout": gate},
        extra={
            "trained_on_holdout": final is not candidate,
            "newest_row": _newest(trained),
            "gate_rows": len(train_part),
            "holdout_rows": len(holdout),
            "gate_compared_rows": len(compared),
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
