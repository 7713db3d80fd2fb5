"""Training data, training the model bundle, and evaluating it."""

from __future__ import annotations

import csv
import hashlib
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.sparse import vstack
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.pipeline import Pipeline

from classifier.labels import AgencyMap, load_agency_map
from classifier.model import (
    TemperatureScaledSVC,
    build_features,
    head_pipeline,
    normalize_batch,
)

__all__ = [
    "ModelBundle",
    "TrainingSet",
    "evaluate_bundle",
    "function_proba",
    "load_training_csv",
    "read_negatives",
    "train_bundle",
]

NEGATIVES_FILE = Path(__file__).resolve().parent / "data" / "relevance_negatives.yaml"
DATE_COLUMNS = ("tanggal_keluhan", "tanggal", "date", "created_at", "waktu")
#: Complaints used per negative in the relevance model: more drowns the few negatives
#: (measured: 46% of unseen news passed as complaints at 3:1, 69% at 10:1).
RELEVANCE_RATIO = 3
MIN_RELEVANCE_POSITIVES = 300


@dataclass(slots=True)
class TrainingSet:
    texts: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    agencies: list[str | None] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    #: Per-row training weight (empty: every row 1.0). Admins' decisions from this region
    #: weigh more than the written seed examples and another city's history.
    weights: list[float] = field(default_factory=list)
    skipped: int = 0

    def __len__(self) -> int:
        return len(self.texts)

    def digest(self) -> str:
        h = hashlib.sha256()
        for text, topic, agency in zip(self.texts, self.topics, self.agencies, strict=True):
            h.update(f"{text}\x1f{topic}\x1f{agency}\x1e".encode())
        return h.hexdigest()

    def subset(self, index: Iterable[int]) -> TrainingSet:
        idx = list(index)
        return TrainingSet(
            texts=[self.texts[i] for i in idx],
            topics=[self.topics[i] for i in idx],
            agencies=[self.agencies[i] for i in idx],
            dates=[self.dates[i] for i in idx] if self.dates else [],
            weights=[self.weights[i] for i in idx] if self.weights else [],
        )

    def extend(self, other: TrainingSet, *, weight: float | None = None) -> None:
        """Append ``other``'s rows; ``weight`` sets their training weight (else theirs)."""
        n_self, n_other = len(self.texts), len(other.texts)
        if weight is not None or self.weights or other.weights:
            mine = self.weights or [1.0] * n_self
            theirs = [weight] * n_other if weight is not None else other.weights or [1.0] * n_other
            self.weights = mine + theirs
        self.dates = (self.dates or [""] * n_self) + (other.dates or [""] * n_other)
        self.texts += other.texts
        self.topics += other.topics
        self.agencies += other.agencies

    def row_weights(self) -> list[float] | None:
        return list(self.weights) if self.weights else None

    def newest_last(self) -> tuple[TrainingSet, bool]:
        """The rows oldest first, and whether enough of them carry a date (half or more)
        for the confidence to be calibrated on the newest rows."""
        dated = sum(1 for d in self.dates if d) if self.dates else 0
        if dated * 2 < len(self):
            return self, False
        order = sorted(range(len(self)), key=lambda i: (self.dates[i] or "", i))
        return self.subset(order), True


def load_training_csv(
    path: Path,
    *,
    text_column: str = "keluhan",
    topic_column: str | None = None,
    agency_column: str | None = "instansi",
    agency_map: AgencyMap | None = None,
) -> TrainingSet:
    """Rows with a text; topics from ``topic_column`` or else from the agency via the map.
    Exact duplicate texts are kept once (the first)."""
    agency_map = agency_map or load_agency_map()
    data = TrainingSet()
    seen: set[str] = set()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        for needed in (text_column, topic_column, agency_column):
            if needed and needed not in columns:
                raise ValueError(f"kolom '{needed}' tidak ada di {path.name} (ada: {columns})")
        date_column = next((c for c in DATE_COLUMNS if c in columns), None)
        for row in reader:
            text = (row.get(text_column) or "").strip()
            if not text or text in seen:
                data.skipped += 1
                continue
            agency = (row.get(agency_column) or "").strip() if agency_column else ""
            if topic_column:
                topic = (row.get(topic_column) or "").strip()
            else:
                topic = agency_map.topic(agency) or "other" if agency else ""
            if not topic:
                data.skipped += 1
                continue
            seen.add(text)
            data.texts.append(text)
            data.topics.append(topic)
            data.agencies.append(agency_map.agency_class(agency) if agency else None)
            data.dates.append(row.get(date_column, "") if date_column else "")
    return data


#: Character 4-grams beside the words, in the one feature step the three models share:
#: unseen news is mostly unseen words, and parts of words carry over (relevance: recorded
#: news passing 32.4% -> 26.1%); for topic and agency they add agency macro-F1 and
#: calibration on the time split and accuracy on Kalsel-style posts. Computed once per
#: text for all three models, they cost no more than the relevance model's own did
#: (docs/decisions.md).
CHAR_NGRAMS = (4, 4)

#: A complaint says something about something: a bare keyword ("jalan", "lampu PJU") of
#: the bootstrap data is a topic hint, not an example of a complaint.
MIN_POSITIVE_WORDS = 4


def relevance_positives(texts: Sequence[str], *, cap: int, seed: int = 0) -> list[str]:
    """The complaint side of the relevance model: texts of at least
    ``MIN_POSITIVE_WORDS`` words (all texts when most are shorter), a random ``cap`` of
    them when there are more."""
    positives = [t for t in texts if len(t.split()) >= MIN_POSITIVE_WORDS]
    if len(positives) < len(texts) / 2:  # a set of short texts (tests, tweets): keep all
        positives = list(texts)
    if len(positives) > cap:
        positives = random.Random(seed).sample(positives, cap)  # noqa: S311  sampling
    return positives


@lru_cache(maxsize=1)
def relevance_negatives() -> tuple[str, ...]:
    data = yaml.safe_load(NEGATIVES_FILE.read_text(encoding="utf-8"))
    return tuple(data["texts"])


def read_negatives(path: Path) -> list[str]:
    """Texts that are not complaints: a CSV with a ``text`` column, or one text per line."""
    raw = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(raw.splitlines())
        if "text" not in (reader.fieldnames or []):
            raise ValueError(f"{path.name}: kolom 'text' tidak ada")
        return [r["text"].strip() for r in reader if (r.get("text") or "").strip()]
    return [line.strip() for line in raw.splitlines() if line.strip()]


@dataclass(slots=True)
class ModelBundle:
    topic: Pipeline
    agency: Pipeline | None
    relevance: Pipeline
    agency_functions: dict[str, str]
    #: The urusan head, trained on the agency rows' functions when the agency labels are
    #: agencies (several per function, a local-office catch-all): ``None`` when the agency
    #: head's classes are functions already (bootstrap, the learning loop's mix) or in
    #: model files of earlier versions; then the agency probabilities are summed per
    #: function (``function_proba``).
    function: Pipeline | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def heads(self) -> tuple[Pipeline | None, ...]:
        """Topic, agency, relevance and function pipelines (``None`` where absent)."""
        return (self.topic, self.agency, self.relevance, self.function)


def function_proba(
    bundle: ModelBundle, agency: Any, function: Any, inputs: Any, *, office_class: str
) -> tuple[list[str], np.ndarray] | None:
    """Each input's probability per urusan and the urusan names, or None when the bundle
    has neither a function nor an agency head. ``agency``/``function``: the bundle's heads
    as ``heads_on`` returns them (pipelines or bare heads for a feature matrix). Without a
    function head the agency probabilities are summed per function; the local-office
    catch-all is a routing habit, not an urusan: its share goes to no function."""
    if function is not None:
        return [str(c) for c in function.classes_], np.asarray(function.predict_proba(inputs))
    if agency is None:
        return None
    classes = [str(c) for c in agency.classes_]
    names = sorted(
        {f for c in classes if c != office_class and (f := bundle.agency_functions.get(c))}
    )
    if not names:
        return None
    column = {name: j for j, name in enumerate(names)}
    vote = np.zeros((len(classes), len(names)))
    for i, c in enumerate(classes):
        f = bundle.agency_functions.get(c)
        if f and c != office_class:
            vote[i, column[f]] = 1.0
    return names, np.asarray(agency.predict_proba(inputs)) @ vote


def train_bundle(
    data: TrainingSet,
    *,
    agency_map: AgencyMap | None = None,
    extra_negatives: Sequence[str] = (),
    seed: int = 0,
    on_stage: Callable[[str], object] | None = None,
) -> ModelBundle:
    """Topic, agency and relevance models on ``data``; ``on_stage(name)`` hears when each
    model is done (the CLI reports progress with it)."""
    agency_map = agency_map or load_agency_map()
    done = on_stage or (lambda name: None)
    min_df = 1 if len(data) < 2000 else 2  # small seed sets: every word counts
    data, dated = data.newest_last()
    calibration = "newest" if dated else "random"
    weights = data.row_weights()
    negatives = [*relevance_negatives(), *extra_negatives]
    positives = relevance_positives(
        data.texts, cap=max(MIN_RELEVANCE_POSITIVES, RELEVANCE_RATIO * len(negatives)), seed=seed
    )
    # One feature step for the three models, fitted on every text any of them sees:
    # a text is normalised and vectorised once when tagged, not once per model.
    plain = normalize_batch(data.texts)
    plain_negatives = normalize_batch(negatives)
    features = build_features(min_df=min_df, char_ngrams=CHAR_NGRAMS).fit(plain + plain_negatives)
    X = features.transform(plain).tocsr()
    # Balanced class weights for the topic head only: the rare topics gain recall (topic
    # macro-F1 +0.007 and accuracy +0.003 on the time split) at a calibration error still
    # under 0.04; for the agency head they cost function accuracy (docs/decisions.md).
    topic = head_pipeline(
        features,
        TemperatureScaledSVC(class_weight="balanced", calibration=calibration).fit(
            X, data.topics, sample_weight=weights
        ),
    )
    done("model topik")
    labelled = [i for i, a in enumerate(data.agencies) if a]
    agency = None
    if labelled and len({data.agencies[i] for i in labelled}) > 1:
        agency = head_pipeline(
            features,
            TemperatureScaledSVC(calibration=calibration).fit(
                X[labelled],
                [data.agencies[i] for i in labelled],
                sample_weight=[weights[i] for i in labelled] if weights else None,
            ),
        )
    done("model SKPD")
    row = {text: i for i, text in enumerate(data.texts)}  # positives are training rows
    relevance_x = vstack(
        [X[[row[text] for text in positives]], features.transform(plain_negatives)]
    ).tocsr()
    relevance = head_pipeline(
        features,
        TemperatureScaledSVC(class_weight="balanced").fit(
            relevance_x, ["complaint"] * len(positives) + ["other"] * len(negatives)
        ),
    )
    done("model relevansi")
    functions = {}
    for name in set(filter(None, data.agencies)):
        function = agency_map.function(name)
        if function:
            functions[name] = function
    function_head = None
    if agency is not None and _labels_are_agencies(functions, agency_map):
        function_head = _function_head(
            features, X, data, functions, office=agency_map.office_class, calibration=calibration
        )
        done("model urusan")
    return ModelBundle(
        topic=topic,
        agency=agency,
        relevance=relevance,
        agency_functions=functions,
        function=function_head,
    )


def _function_head(
    features: Any,
    X: Any,
    data: TrainingSet,
    functions: dict[str, str],
    *,
    office: str,
    calibration: str,
) -> Pipeline | None:
    """The urusan head: trained on what the tagger predicts, over the content rows (those
    whose agency has a function and is not the local-office catch-all). Chosen on the 2022
    rows' newest 15% over summing the agency probabilities per function (accuracy, top-3
    and accuracy at 80% coverage all higher; docs/decisions.md). None with one urusan."""
    content = [
        i for i, a in enumerate(data.agencies) if a is not None and a in functions and a != office
    ]
    labels = [functions[data.agencies[i] or ""] for i in content]
    if len(set(labels)) < 2:
        return None
    weights = data.row_weights()
    head = TemperatureScaledSVC(calibration=calibration).fit(
        X[content], labels, sample_weight=[weights[i] for i in content] if weights else None
    )
    return head_pipeline(features, head)


def _labels_are_agencies(functions: dict[str, str], agency_map: AgencyMap) -> bool:
    """Whether the agency classes are agencies rather than functions: some function has
    several of them, or one is the local-office catch-all."""
    return agency_map.office_class in functions or len(set(functions.values())) < len(functions)


def _task_metrics(model: Pipeline, texts: list[str], labels: list[str]) -> dict[str, Any]:
    return _metrics(np.asarray(model.predict_proba(texts)), model.classes_, labels)


def _metrics(proba: np.ndarray, classes: Any, labels: list[str]) -> dict[str, Any]:
    classes = np.asarray(classes)
    order = np.argsort(-proba, axis=1)
    predicted = classes[order[:, 0]]
    truth = np.asarray(labels)
    top3 = np.array([t in classes[o[:3]] for t, o in zip(truth, order, strict=True)])
    confidence = proba.max(axis=1)
    keep = np.argsort(-confidence)[: max(1, round(0.8 * len(labels)))]
    labels_sorted = sorted(set(truth) | set(predicted))
    p, r, f, s = precision_recall_fscore_support(
        truth, predicted, labels=labels_sorted, zero_division=0
    )
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
        "top3_accuracy": round(float(top3.mean()), 4),
        "accuracy_at_80_coverage": round(float((predicted[keep] == truth[keep]).mean()), 4),
        "per_class": {
            label: {
                "precision": round(float(pi), 4),
                "recall": round(float(ri), 4),
                "f1": round(float(fi), 4),
                "support": int(si),
            }
            for label, pi, ri, fi, si in zip(labels_sorted, p, r, f, s, strict=True)
        },
    }


def evaluate_bundle(bundle: ModelBundle, data: TrainingSet) -> dict[str, Any]:
    result: dict[str, Any] = {"n": len(data)}
    result["topic"] = _task_metrics(bundle.topic, data.texts, data.topics)
    labelled = [i for i, a in enumerate(data.agencies) if a]
    if bundle.agency is not None and labelled:
        result["agency"] = _task_metrics(
            bundle.agency,
            [data.texts[i] for i in labelled],
            [a for a in (data.agencies[i] for i in labelled) if a],
        )
    # The urusan the tagger routes by, on the rows whose agency is not the local-office
    # catch-all (an operator's routing choice, not a content class).
    agency_map = load_agency_map()
    content = [
        (i, f)
        for i in labelled
        if (a := data.agencies[i]) != agency_map.office_class
        and (f := bundle.agency_functions.get(a or "") or agency_map.function(a or ""))
    ]
    scored = (
        function_proba(
            bundle,
            bundle.agency,
            bundle.function,
            [data.texts[i] for i, _ in content],
            office_class=agency_map.office_class,
        )
        if content
        else None
    )
    if scored is not None:
        names, proba = scored
        result["function"] = _metrics(proba, names, [f for _, f in content])
    result["label_counts"] = dict(Counter(data.topics).most_common())
    return result
