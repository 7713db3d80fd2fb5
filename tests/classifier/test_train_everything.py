"""The promoted model is trained on everything (holdout included) after a candidate
passed the gate; the gate compares like with like; confidence is calibrated on the
newest rows; decisions can weigh more than other rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifier.lifecycle import promote, read_holdout, train_and_register
from classifier.model import TemperatureScaledSVC, _fit_temperature, build_pipeline
from classifier.registry import ModelRegistry
from classifier.train import TrainingSet, load_training_csv, train_bundle
from tests.conftest import write_surabaya_sample


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    """1,500 rows of the shared Surabaya data, enough for a real but quick model."""
    return write_surabaya_sample(tmp_path_factory.mktemp("data") / "kecil.csv", every=7)


def test_the_promoted_model_has_seen_the_holdout_and_keeps_the_gate_figures(
    tmp_path: Path, small_csv: Path
) -> None:
    data = load_training_csv(small_csv)
    order = sorted(range(len(data)), key=lambda i: (data.dates[i], i))
    older, most = order[: int(0.6 * len(order))], order[: int(0.85 * len(order))]
    registry = ModelRegistry(tmp_path / "models")
    first = train_and_register(registry, data.subset(older))
    assert first.promotion is not None and first.promotion.promoted
    meta = registry.metadata(first.version)
    assert meta["trained_on_holdout"] is True and meta["training_rows"] == len(older)
    assert meta["gate_rows"] + meta["holdout_rows"] == len(older)
    # The newest rows are in the final model: it knows the holdout better than the gate
    # candidate did (which never saw them).
    holdout = read_holdout(registry.holdout_path)
    final = registry.load(first.version)
    assert (
        final.topic.score(holdout.texts, holdout.topics)
        > meta["metrics"]["gate"]["topic"]["accuracy"] + 0.05
    )
    # Nothing new since: the gate has no unseen rows to judge by, the active model stays.
    again = train_and_register(registry, data.subset(older))
    assert again.promotion is not None and not again.promotion.promoted
    assert "baris baru" in again.promotion.reason
    assert registry.active_version() == first.version
    # A month of new rows: candidate and active are scored on the rows newer than the
    # active model's newest row, and the more-data candidate passes.
    second = train_and_register(registry, data.subset(most))
    assert second.promotion is not None and second.promotion.promoted, second.promotion.reason
    meta = registry.metadata(second.version)
    assert meta["gate_compared_rows"] >= 30
    assert meta["metrics"]["gate_active"]["topic"]["accuracy"] > 0.3
    assert registry.active_version() == second.version
    # A candidate that lost most of the history is refused on the next new rows.
    thin = [i for n, i in enumerate(older) if n % 20 == 0] + order[int(0.85 * len(order)) :]
    weak = train_and_register(registry, data.subset(sorted(thin)))
    assert weak.promotion is not None and not weak.promotion.promoted, weak.promotion.reason
    assert "turun" in weak.promotion.reason
    assert registry.active_version() == second.version
    assert registry.metadata(weak.version)["trained_on_holdout"] is False
    assert not promote(registry, weak.version, holdout=holdout).promoted


def test_the_gate_candidate_has_seen_every_row_the_active_model_saw(
    tmp_path: Path, small_csv: Path
) -> None:
    """40 new decisions after a model trained on 70% of the rows: only rows the active
    model never saw are held out, so the gate does not judge a candidate that saw fewer
    rows against an active model that saw more (which refused new decisions for rounds)."""
    data = load_training_csv(small_csv)
    order = sorted(range(len(data)), key=lambda i: (data.dates[i], i))
    older = order[: int(0.7 * len(order))]
    registry = ModelRegistry(tmp_path / "models")
    train_and_register(registry, data.subset(older))
    second = train_and_register(registry, data.subset(order[: len(older) + 40]))
    meta = registry.metadata(second.version)
    assert meta["gate_rows"] >= len(older)  # the candidate saw everything the active saw
    assert 30 <= meta["holdout_rows"] == meta["gate_compared_rows"] <= 40
    assert second.promotion is not None and second.promotion.promoted, second.promotion.reason
    assert meta["trained_on_holdout"] is True and meta["training_rows"] == len(older) + 40


def test_confidence_is_calibrated_on_the_newest_rows() -> None:
    rng = np.random.default_rng(0)
    n = 200
    X = rng.normal(size=(n, 5))
    y = np.where(X[:, 0] > 0, "a", "b")
    y[-40:] = np.where(X[-40:, 1] > 0, "a", "b")  # the newest fifth follows another rule
    model = TemperatureScaledSVC(calibration="newest").fit(X, y)
    from sklearn.svm import LinearSVC

    probe = LinearSVC(C=0.5).fit(X[:160], y[:160])
    assert model.temperature_ == _fit_temperature(probe, X[160:], y[160:])
    random_slice = TemperatureScaledSVC(calibration="random").fit(X, y)
    assert random_slice.temperature_ != model.temperature_


def test_train_bundle_orders_by_date_and_uses_row_weights(small_csv: Path) -> None:
    data = load_training_csv(small_csv)
    assert data.newest_last()[1]  # the Surabaya rows carry dates
    model = train_bundle(data).topic.named_steps["model"]
    assert model.calibration == "newest"
    # Weights: a label the heavy rows carry wins over the light rows' label.
    mixed = TrainingSet()
    light = TrainingSet(
        texts=[f"lampu jalan padam blok {n}" for n in range(30)], topics=["energi"] * 30,
        agencies=[None] * 30,
    )  # fmt: skip
    heavy = TrainingSet(
        texts=[f"lampu jalan padam gang {n}" for n in range(30)], topics=["infra"] * 30,
        agencies=[None] * 30,
    )  # fmt: skip
    mixed.extend(light, weight=1.0)
    mixed.extend(heavy, weight=5.0)
    assert mixed.weights == [1.0] * 30 + [5.0] * 30 and len(mixed.dates) == 60
    pipe = build_pipeline(min_df=1).fit(
        mixed.texts, mixed.topics, model__sample_weight=mixed.row_weights()
    )
    assert pipe.predict(["lampu jalan padam"])[0] == "infra"
