"""Versioned model directories with metadata, saved with skops (never pickle), one active.

<model_dir>/versions/<version>/{topic,agency,relevance}.skops + metadata.json
<model_dir>/ACTIVE          the active version's name
<model_dir>/holdout.csv     the fixed holdout the promotion gate compares on
"""

from __future__ import annotations

import json
import math
import platform
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy
import scipy
import sklearn
import skops
import skops.io as sio
from sklearn.pipeline import Pipeline

from classifier.model import shared_features
from classifier.train import ModelBundle

__all__ = [
    "TRUSTED_TYPES",
    "ModelRegistry",
    "PromotionResult",
    "UntrustedModelError",
    "model_file_types",
]

PARTS = ("topic", "agency", "relevance", "function")
#: The feature step the models share (models saved since 2026-12-04).
FEATURES = "features"
#: Every type and function a model file of ours may name: exactly what our pipelines
#: (classifier/model.py) contain, found by walking the files they save. A file naming
#: anything else is refused before any of it is loaded; prefixes like "builtins." would
#: let a crafted file chain builtins.exec through a FunctionTransformer.
TRUSTED_TYPES = frozenset(
    {
        "builtins.bool",
        "builtins.dict",
        "builtins.float",
        "builtins.int",
        "builtins.list",
        "builtins.str",
        "builtins.tuple",
        "classifier.model.TemperatureScaledSVC",
        "classifier.model.normalize_batch",
        "numpy.float32",
        "numpy.float64",
        "numpy.int64",
        "numpy.ndarray",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._function_transformer.FunctionTransformer",
        "sklearn.svm._classes.LinearSVC",
    }
)
#: "Not worse" allows for this much noise on the holdout.
PROMOTION_TOLERANCE = 0.005


class UntrustedModelError(RuntimeError):
    """A model file holds types outside the allow-list; it is not loaded."""


@dataclass(frozen=True, slots=True)
class PromotionResult:
    promoted: bool
    reason: str
    candidate: dict[str, Any]
    active: dict[str, Any] | None


def model_file_types(path: Path) -> set[str]:
    """Every type and function a skops file names, read from its schema without loading."""
    try:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise UntrustedModelError(
            f"berkas model {path} rusak atau bukan berkas skops: {exc}"
        ) from exc
    found: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__loader__" in node:
                found.add(f"{node.get('__module__')}.{node.get('__class__')}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _check_part(path: Path) -> None:
    refused = sorted(model_file_types(path) - TRUSTED_TYPES)
    if refused:
        raise UntrustedModelError(
            f"berkas model {path} memuat tipe yang tidak dipercaya dan tidak dimuat: "
            f"{', '.join(refused)}"
        )


def _load_checked(path: Path) -> Any:
    """A file ``_check_part`` has passed."""
    return sio.load(path, trusted=sorted(TRUSTED_TYPES & set(sio.get_untrusted_types(file=path))))


class ModelRegistry:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions_dir = root / "versions"

    @property
    def history_path(self) -> Path:
        """The labelled history the nightly retrain trains on (``remember_history``)."""
        return self.root / "history.csv"

    @property
    def holdout_path(self) -> Path:
        return self.root / "holdout.csv"

    def versions(self) -> list[dict[str, Any]]:
        if not self.versions_dir.is_dir():
            return []
        found = []
        for path in sorted(self.versions_dir.iterdir()):
            meta = path / "metadata.json"
            if meta.is_file():
                found.append(json.loads(meta.read_text(encoding="utf-8")))
        return found

    def metadata(self, version: str) -> dict[str, Any]:
        meta_path = self.versions_dir / version / "metadata.json"
        if not meta_path.is_file():
            raise KeyError(f"versi model tidak ada: {version}")
        data: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        return data

    def active_version(self) -> str | None:
        pointer = self.root / "ACTIVE"
        if not pointer.is_file():
            return None
        version = pointer.read_text(encoding="utf-8").strip()
        return version if (self.versions_dir / version).is_dir() else None

    def set_active(self, version: str) -> None:
        if not (self.versions_dir / version).is_dir():
            raise KeyError(f"versi model tidak ada: {version}")
        tmp = self.root / "ACTIVE.tmp"
        tmp.write_text(version + "\n", encoding="utf-8")
        tmp.replace(self.root / "ACTIVE")  # atomic: readers see the old or the new name

    def save(
        self,
        bundle: ModelBundle,
        *,
        kind: str,
        data_digest: str,
        n_rows: int,
        metrics: dict[str, Any] | None = None,
        version: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        now = datetime.now(UTC)
        version = version or f"{now:%Y%m%d-%H%M%S}-{data_digest[:8]}"
        target = self.versions_dir / version
        tmp = self.versions_dir / f".{version}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        features = shared_features(*bundle.heads())
        if features is not None:  # stored once; each model file holds its head
            sio.dump(features, tmp / f"{FEATURES}.skops")
        for part in PARTS:
            model = getattr(bundle, part)
            if model is not None:
                if features is not None:
                    model = Pipeline([*model.steps[:1], ("words", "passthrough"), *model.steps[2:]])
                sio.dump(model, tmp / f"{part}.skops")
        metadata = {
            "version": version,
            "kind": kind,
            "created_at": now.isoformat(),
            "training_data_sha256": data_digest,
            "training_rows": n_rows,
            "metrics": metrics or {},
            **(extra or {}),
            # The three models share one fitted feature step (classifier/train.py), stored
            # once in features.skops; loading puts it back into each model.
            "shared_features": features is not None,
            "agency_functions": bundle.agency_functions,
            "topics": [str(c) for c in bundle.topic.classes_],
            "agencies": [str(c) for c in bundle.agency.classes_] if bundle.agency else [],
            "libraries": {
                "python": platform.python_version(),
                "scikit-learn": sklearn.__version__,
                "numpy": numpy.__version__,
                "scipy": scipy.__version__,
                "skops": skops.__version__,
            },
        }
        (tmp / "metadata.json").write_text(
            json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        tmp.replace(target)
        return version

    def load(self, version: str | None = None) -> ModelBundle:
        version = version or self.active_version()
        if version is None:
            raise LookupError("belum ada model aktif")
        path = self.versions_dir / version
        metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        files = [path / f"{p}.skops" for p in (*PARTS, FEATURES)]
        for file in files:  # every file checked before any is loaded
            if file.is_file():
                _check_part(file)
        parts = {
            p: _load_checked(path / f"{p}.skops") if (path / f"{p}.skops").is_file() else None
            for p in PARTS
        }
        if metadata.get("shared_features"):
            features = _load_checked(path / f"{FEATURES}.skops")
            for part in PARTS:
                pipeline = parts[part]
                if pipeline is not None:
                    pipeline.steps[1] = ("words", features)
        return ModelBundle(
            topic=parts["topic"],
            agency=parts["agency"],
            relevance=parts["relevance"],
            agency_functions=metadata.get("agency_functions", {}),
            function=parts["function"],
            metadata=metadata,
        )

    def update_metrics(self, version: str, key: str, metrics: dict[str, Any]) -> None:
        meta_path = self.versions_dir / version / "metadata.json"
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        metadata.setdefault("metrics", {})[key] = metrics
        meta_path.write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")


def is_not_worse(candidate: dict[str, Any], active: dict[str, Any]) -> tuple[bool, str]:
    """Each task's (topic, agency, function) accuracy and macro-F1 at least the active
    model's, less a tolerance that allows for the noise of the rows compared: the larger
    of PROMOTION_TOLERANCE and one standard error of the active model's accuracy on ``n``
    rows (twice that for macro-F1, which moves more). On 200 rows a 0.01 dip is noise; on
    2,000 it is not."""
    n = int(active.get("n") or candidate.get("n") or 0)
    for task in ("topic", "agency", "function"):
        if task not in candidate or task not in active:
            continue
        p = float(active[task]["accuracy"])
        se = math.sqrt(max(p * (1 - p), 0.0) / n) if n else 0.0
        for metric, factor in (("accuracy", 1.0), ("macro_f1", 2.0)):
            new, old = candidate[task][metric], active[task][metric]
            tolerance = max(PROMOTION_TOLERANCE, factor * se)
            if new < old - tolerance:
                return (
                    False,
                    f"{task} {metric} turun: {new:.4f} < {old:.4f} (toleransi {tolerance:.3f})",
                )
    return True, "tidak lebih buruk dari model aktif"
