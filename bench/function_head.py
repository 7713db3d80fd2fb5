"""Where the urusan head stands: variants of it, chosen on the 2022 rows alone.

The shipped head (classifier/train.py ``_function_head``: the shared word + character
4-gram features, a temperature-scaled LinearSVC at C=0.5 on the content rows' functions)
beside the variants tried to lift function accuracy on content rows: regularisation,
recency weights, other character ranges, logistic regression, an SVM+LR average, dropping
rows the cross-validated model disagrees with, a nearest-neighbour vote blended in, the
lead words as a block of their own. Trained on the oldest 85% of the 2022 rows and scored
on the newest 15% (the split the head itself was chosen on; the test months are not
touched). ``--errors N`` prints N random errors of the shipped head on the test months,
for reading by hand (what the labels say against what the text says).

    python -m bench.function_head [--json] [--errors 30]
"""

from __future__ import annotations

import argparse
import json
import os
import random
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from bench.classifier_quality import DATA, function_figures, time_split
from classifier.labels import load_agency_map
from classifier.model import TemperatureScaledSVC, build_features, normalize_batch
from classifier.train import CHAR_NGRAMS, TrainingSet, load_training_csv


class _Split:
    """Features and content-row function labels of one train/test pair."""

    def __init__(self, train: TrainingSet, test: TrainingSet) -> None:
        agency_map = load_agency_map()
        office = agency_map.office_class

        def content(data: TrainingSet) -> tuple[list[int], list[str]]:
            rows = [
                i
                for i, a in enumerate(data.agencies)
                if a and a != office and agency_map.function(a)
            ]
            return rows, [agency_map.function(data.agencies[i] or "") or "" for i in rows]

        self.train_plain = normalize_batch(train.texts)
        self.test_plain = normalize_batch(test.texts)
        self.train_rows, labels = content(train)
        self.test_rows, self.truth = content(test)
        self.labels = np.asarray(labels)
        self.months = np.array([int(d[:4]) * 12 + int(d[5:7]) for d in train.dates])
        self.X, self.T = self.features(CHAR_NGRAMS)
        self.test_texts = [test.texts[i] for i in self.test_rows]
        self.test_agencies = [test.agencies[i] for i in self.test_rows]

    def features(self, char_ngrams: tuple[int, int]) -> tuple[Any, Any]:
        step = build_features(min_df=2, char_ngrams=char_ngrams).fit(self.train_plain)
        X = step.transform(self.train_plain).tocsr()[self.train_rows]
        T = step.transform(self.test_plain).tocsr()[self.test_rows]
        return X, T

    def figures(self, proba: np.ndarray, classes: Any) -> dict[str, float]:
        rows = [dict(zip(classes, row, strict=True)) for row in np.asarray(proba).tolist()]
        return function_figures(self.truth, rows)

    def svc(
        self, *, C: float = 0.5, weights: np.ndarray | None = None, X: Any = None, T: Any = None
    ) -> tuple[np.ndarray, Any]:
        X = self.X if X is None else X
        T = self.T if T is None else T
        head = TemperatureScaledSVC(C=C, calibration="newest").fit(
            X, self.labels, sample_weight=weights
        )
        return head.predict_proba(T), head.classes_


def variants(split: _Split) -> dict[str, dict[str, float]]:
    """Each variant's accuracy, top-3 and accuracy at 80% coverage on the scored rows."""
    out: dict[str, dict[str, float]] = {}

    def record(name: str, scored: tuple[np.ndarray, Any]) -> None:
        out[name] = split.figures(*scored)

    shipped = split.svc()
    record("shipped (C=0.5)", shipped)
    for C in (0.25, 1.0):
        record(f"C={C}", split.svc(C=C))
    age = split.months[split.train_rows].max() - split.months[split.train_rows]
    for tau in (3, 6, 12):
        record(f"recency weight exp(-months/{tau})", split.svc(weights=np.exp(-age / tau)))
    for ngrams in ((3, 5), (2, 5), (3, 4)):
        X, T = split.features(ngrams)
        record(f"characters {ngrams[0]}-{ngrams[1]}", split.svc(X=X, T=T))
    lr = LogisticRegression(C=20, max_iter=2000).fit(split.X, split.labels)
    lr_proba = lr.predict_proba(split.T)
    record("logistic regression C=20", (lr_proba, lr.classes_))
    record("mean of SVM and LR", ((shipped[0] + lr_proba) / 2, shipped[1]))
    record_cleaned(split, record)
    record_neighbours(split, shipped, record)
    record_lead(split, record)
    return out


def record_cleaned(split: _Split, record: Callable[[str, Any], None]) -> None:
    """Rows whose own label trails the cross-validated best by a margin are dropped (rows
    of urusan with fewer than five rows are always kept: five folds cannot judge them)."""
    classes, counts = np.unique(split.labels, return_counts=True)
    judged = np.where(np.isin(split.labels, classes[counts >= 5]))[0]
    labels = split.labels[judged]
    scores = cross_val_predict(
        LinearSVC(C=0.5),
        split.X[judged],
        labels,
        cv=StratifiedKFold(5, shuffle=True, random_state=0),
        method="decision_function",
    )
    column = {c: j for j, c in enumerate(np.unique(labels))}
    gap = scores.max(axis=1) - scores[np.arange(len(labels)), [column[c] for c in labels]]
    doubted = np.zeros(len(split.labels), dtype=bool)
    for margin in (0.5, 1.0):
        doubted[judged] = gap >= margin
        keep = np.where(~doubted)[0]
        head = TemperatureScaledSVC(calibration="newest").fit(split.X[keep], split.labels[keep])
        record(
            f"without rows the CV model doubts (margin {margin}, {len(keep)}/{len(doubted)} kept)",
            (head.predict_proba(split.T), head.classes_),
        )


def record_neighbours(
    split: _Split, shipped: tuple[np.ndarray, Any], record: Callable[[str, Any], None]
) -> None:
    """A similarity-weighted vote of the 20 nearest training rows, blended in."""
    proba, classes = shipped
    column = {c: j for j, c in enumerate(classes)}
    similarity = (normalize(split.T) @ normalize(split.X).T).toarray()
    onehot = np.zeros((len(split.labels), len(classes)))
    onehot[np.arange(len(split.labels)), [column[c] for c in split.labels]] = 1
    nearest = np.argsort(-similarity, axis=1)[:, :20]
    weight = np.take_along_axis(similarity, nearest, 1)
    vote = np.einsum("nk,nkc->nc", weight, onehot[nearest])
    vote /= np.maximum(vote.sum(axis=1, keepdims=True), 1e-9)
    record("20 nearest neighbours alone", (vote, classes))
    for share in (0.2, 0.35):
        record(f"SVM + neighbours ({share})", ((1 - share) * proba + share * vote, classes))


def record_lead(split: _Split, record: Callable[[str, Any], None]) -> None:
    """The first 20 words again as a block of their own (the subject comes first)."""
    lead = TfidfVectorizer(
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w+\b",  # noqa: S106  a regex, not a secret
    )

    def first(texts: list[str], rows: list[int]) -> list[str]:
        return [" ".join(texts[i].split()[:20]) for i in rows]

    L = lead.fit_transform(first(split.train_plain, split.train_rows))
    M = lead.transform(first(split.test_plain, split.test_rows))
    record(
        "lead words as their own block",
        split.svc(X=hstack([split.X, L]).tocsr(), T=hstack([split.T, M]).tocsr()),
    )


def errors(split: _Split, n: int, seed: int = 1) -> list[dict[str, str]]:
    """``n`` random errors of the shipped head on ``split``'s scored rows."""
    proba, classes = split.svc()
    predicted = np.asarray(classes)[np.asarray(proba).argmax(axis=1)]
    wrong = [i for i, (p, t) in enumerate(zip(predicted, split.truth, strict=True)) if p != t]
    chosen = sorted(random.Random(seed).sample(wrong, min(n, len(wrong))))
    return [
        {
            "label": f"{split.truth[i]} ({split.test_agencies[i]})",
            "predicted": str(predicted[i]),
            "text": " ".join(split.test_texts[i].split())[:200],
        }
        for i in chosen
    ]


def run(error_count: int = 0) -> dict[str, Any]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    train, test = time_split(load_training_csv(DATA))
    train, _ = train.newest_last()
    cut = round(0.85 * len(train))
    dev = _Split(train.subset(range(cut)), train.subset(range(cut, len(train))))
    out: dict[str, Any] = {"scored_rows": len(dev.truth), "variants": variants(dev)}
    if error_count:
        out["test_month_errors"] = errors(_Split(train, test), error_count)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", type=int, default=0)
    args = parser.parse_args(argv)
    result = run(args.errors)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(f"2022 newest 15%: {result['scored_rows']} content rows")
    print(f"{'variant':<72} {'acc':>6} {'top-3':>6} {'@80':>6}")
    for name, figures in result["variants"].items():
        print(
            f"{name:<72} {figures['accuracy']:>6.4f} {figures['top3_accuracy']:>6.4f}"
            f" {figures['accuracy_at_80_coverage']:>6.4f}"
        )
    for error in result.get("test_month_errors", []):
        print(f"\n[{error['label']}] -> {error['predicted']}\n  {error['text']}")


if __name__ == "__main__":
    main()
