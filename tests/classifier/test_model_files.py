"""Model files are data, never code: only the exact types our pipelines contain load."""

from __future__ import annotations

import builtins
from pathlib import Path

import numpy
import pytest
import skops.io as sio
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from classifier.bootstrap import bootstrap_training_set
from classifier.registry import (
    FEATURES,
    PARTS,
    TRUSTED_TYPES,
    ModelRegistry,
    UntrustedModelError,
    model_file_types,
)
from classifier.train import load_training_csv, train_bundle
from tests.conftest import write_surabaya_sample


def test_every_shipped_and_trained_model_uses_only_trusted_types(
    tmp_path: Path, shared_dir: Path
) -> None:
    registry = ModelRegistry(tmp_path / "models")
    sample = write_surabaya_sample(tmp_path / "sby.csv", every=20)
    for kind, data in (("bootstrap", bootstrap_training_set()), ("csv", load_training_csv(sample))):
        digest = kind[0] * 64  # the version name carries it: two saves in one second
        version = registry.save(train_bundle(data), kind=kind, data_digest=digest, n_rows=1)
        assert (registry.versions_dir / version / f"{FEATURES}.skops").is_file()  # once
        for part in (*PARTS, FEATURES):
            path = registry.versions_dir / version / f"{part}.skops"
            if path.is_file():
                assert model_file_types(path) <= TRUSTED_TYPES, (kind, part)
        bundle = registry.load(version)
        assert bundle.topic.predict(["jalan rusak parah di Martapura"]).shape == (1,)


HOSTILE = {
    "exec": FunctionTransformer(func=builtins.exec, kw_args={"source": "x = 1"}),
    "eval": FunctionTransformer(func=builtins.eval),
    "getattr": FunctionTransformer(func=builtins.getattr),
    "__import__": FunctionTransformer(func=builtins.__import__),
    "numpy.load": FunctionTransformer(func=numpy.load),
    # A function skops trusts by default is still not one of ours.
    "numpy.add": FunctionTransformer(func=numpy.add),
    "chain": Pipeline(
        [
            ("iter", FunctionTransformer(func=builtins.iter)),
            ("next", FunctionTransformer(func=builtins.next)),
            ("exec", FunctionTransformer(func=builtins.exec)),
        ]
    ),
}


@pytest.mark.parametrize(
    ("name", "part"), [(name, "topic") for name in sorted(HOSTILE)] + [("exec", FEATURES)]
)
def test_a_model_file_with_any_other_type_is_refused_before_loading(
    name: str, part: str, tmp_path: Path
) -> None:
    registry = ModelRegistry(tmp_path)
    bundle = train_bundle(bootstrap_training_set())
    version = registry.save(bundle, kind="bootstrap", data_digest="x" * 64, n_rows=1)
    path = registry.versions_dir / version / f"{part}.skops"
    sio.dump(HOSTILE[name], path)
    loaded: list[str] = []
    original = sio.load
    sio.load = lambda *a, **k: loaded.append("load") or original(*a, **k)  # type: ignore[assignment]
    try:
        with pytest.raises(UntrustedModelError, match="tidak dipercaya dan tidak dimuat"):
            registry.load(version)
    finally:
        sio.load = original  # type: ignore[assignment]
    assert loaded == []  # refused from the schema alone: skops never ran


def test_a_damaged_model_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    version = registry.save(
        train_bundle(bootstrap_training_set()), kind="bootstrap", data_digest="x" * 64, n_rows=1
    )
    (registry.versions_dir / version / "agency.skops").write_bytes(b"\x00bukan zip")
    with pytest.raises(UntrustedModelError, match="rusak atau bukan berkas skops"):
        registry.load(version)
