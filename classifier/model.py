"""The text classifier: normalisation, TF-IDF word and character n-grams, a linear SVM
with temperature-scaled probabilities, top-k suggestions and term-level explanations."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from classifier.normalize import normalize_text

FUNCTION_WORDS_FILE = Path(__file__).resolve().parent / "data" / "function_words.yaml"

__all__ = [
    "Prediction",
    "TemperatureScaledSVC",
    "after_normalize",
    "build_features",
    "build_pipeline",
    "explain",
    "explain_many",
    "head_pipeline",
    "heads_on",
    "predict_top",
    "shared_features",
    "word_block",
]


def normalize_batch(texts: Sequence[str]) -> list[str]:
    return [normalize_text(t or "") for t in texts]


def after_normalize(pipeline: Pipeline) -> Pipeline:
    """The pipeline without its normalisation step, for texts already normalised (one
    normalisation serves the topic, agency and relevance models and the reasons)."""
    if pipeline.steps[0][0] == "normalize":
        return pipeline[1:]
    return pipeline


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


class TemperatureScaledSVC(ClassifierMixin, BaseEstimator):
    """LinearSVC whose decision values become probabilities through a softmax with one
    temperature, fitted on a held-out fifth of the training data (two fits in all, where
    CalibratedClassifierCV would need four).

    ``calibration="newest"``: the held-out fifth is the *last* fifth of the rows as given
    (the caller orders them oldest first), so the confidence shown tomorrow is calibrated
    on the most recent complaints, not on a random slice of old ones. ``"random"``: a
    stratified random fifth (for data without dates, e.g. the written seed examples).
    """

    def __init__(
        self,
        C: float = 0.5,
        class_weight: str | None = None,
        random_state: int = 0,
        calibration: str = "random",
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state
        self.calibration = calibration

    def fit(self, X, y, sample_weight=None):  # type: ignore[no-untyped-def]
        y = np.asarray(y)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        counts = {label: int((y == label).sum()) for label in np.unique(y)}
        self.temperature_ = 1.0
        if len(counts) > 1 and len(y) >= 50 and getattr(self, "calibration", "random") == "newest":
            cut = len(y) - max(1, round(0.2 * len(y)))
            head = np.arange(cut)
            probe = LinearSVC(C=self.C, class_weight=self.class_weight)
            if len(np.unique(y[head])) > 1:
                probe.fit(
                    X[head], y[head], sample_weight=None if weights is None else weights[head]
                )
                self.temperature_ = _fit_temperature(probe, X[cut:], y[cut:])
        elif len(counts) > 1 and len(y) >= 50:
            # Rare classes (one or two rows) must not switch calibration off: the split
            # is stratified over the classes that can be split, and a class missing from
            # either side only leaves out its rows when fitting the temperature.
            strata = np.where([counts[label] >= 5 for label in y], y, "\x00rare")
            _, sizes = np.unique(strata, return_counts=True)
            stratify = strata if sizes.min() >= 2 else None
            X_fit, X_cal, y_fit, y_cal = train_test_split(
                X, y, test_size=0.2, random_state=self.random_state, stratify=stratify
            )
            probe = LinearSVC(C=self.C, class_weight=self.class_weight).fit(X_fit, y_fit)
            self.temperature_ = _fit_temperature(probe, X_cal, y_cal)
        self.svc_ = LinearSVC(C=self.C, class_weight=self.class_weight).fit(
            X, y, sample_weight=weights
        )
        self.classes_ = self.svc_.classes_
        return self

    def decision_function(self, X) -> np.ndarray:  # type: ignore[no-untyped-def]
        scores = self.svc_.decision_function(X)
        if scores.ndim == 1:  # two classes
            scores = np.column_stack([-scores, scores])
        return np.asarray(scores)

    def predict_proba(self, X) -> np.ndarray:  # type: ignore[no-untyped-def]
        return _softmax(self.decision_function(X) / self.temperature_)

    def predict(self, X) -> np.ndarray:  # type: ignore[no-untyped-def]
        return np.asarray(self.classes_[self.decision_function(X).argmax(axis=1)])


def _fit_temperature(model: LinearSVC, X, y) -> float:  # type: ignore[no-untyped-def]
    scores = model.decision_function(X)
    if scores.ndim == 1:
        scores = np.column_stack([-scores, scores])
    index = {c: i for i, c in enumerate(model.classes_)}
    known = np.array([label in index for label in y])
    if not known.any():
        return 1.0
    rows = np.arange(known.sum())
    cols = np.array([index[label] for label in np.asarray(y)[known]])
    scores = scores[known]

    def nll(t: float) -> float:
        return float(-np.log(_softmax(scores / t)[rows, cols] + 1e-12).mean())

    return float(minimize_scalar(nll, bounds=(0.02, 10.0), method="bounded").x)


def build_features(
    *, min_df: int = 2, char_ngrams: tuple[int, int] | None = None
) -> TfidfVectorizer | FeatureUnion:
    """TF-IDF of words and word pairs, and with ``char_ngrams`` of character n-grams
    (``char_wb``) beside them; the word block always comes first (the reasons shown to an
    admin are words, ``word_block``)."""
    words = TfidfVectorizer(
        ngram_range=(1, 2),
        min_df=min_df,
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w+\b",  # noqa: S106  a regex, not a secret
        dtype=np.float32,
    )
    if char_ngrams is None:
        return words
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=char_ngrams,
        min_df=2,
        sublinear_tf=True,
        dtype=np.float32,
    )
    return FeatureUnion([("words", words), ("chars", chars)])


def build_pipeline(
    *,
    C: float = 0.5,
    class_weight: str | None = None,
    min_df: int = 2,
    calibration: str = "random",
    char_ngrams: tuple[int, int] | None = None,
) -> Pipeline:
    """Normalised text -> TF-IDF of words and word pairs -> temperature-scaled linear SVM.

    ``char_ngrams`` adds character n-grams (``char_wb``). A trained bundle shares one
    fitted feature step among its three models (``head_pipeline``, classifier/train.py);
    this builds a pipeline with its own, for experiments and tests.
    """
    return Pipeline(
        [
            ("normalize", FunctionTransformer(normalize_batch)),
            ("words", build_features(min_df=min_df, char_ngrams=char_ngrams)),
            (
                "model",
                TemperatureScaledSVC(C=C, class_weight=class_weight, calibration=calibration),
            ),
        ]
    )


def head_pipeline(features: Any, head: TemperatureScaledSVC) -> Pipeline:
    """A pipeline of already fitted parts: normalisation, ``features`` (fitted, possibly
    shared with other heads) and ``head`` (fitted on those features)."""
    return Pipeline(
        [("normalize", FunctionTransformer(normalize_batch)), ("words", features), ("model", head)]
    )


def shared_features(*pipelines: Pipeline | None) -> Any | None:
    """The one feature step all of ``pipelines`` (``None`` ignored) use, if they share one:
    transform once, then call each head on the matrix."""
    steps = [p.named_steps["words"] for p in pipelines if p is not None]
    if steps and all(step is steps[0] for step in steps):
        return steps[0]
    return None


def heads_on(
    pipelines: Sequence[Pipeline | None], normalized: Sequence[str]
) -> tuple[list[Any], Any, Any]:
    """What to call for already normalised texts: each pipeline's model (``None`` kept)
    and their common input, plus the feature matrix when there is one. With a shared
    feature step the texts are vectorised once and the heads take the matrix; model files
    of earlier versions (a feature step each) take the texts, after normalisation."""
    features = shared_features(*pipelines)
    if features is None:
        models = [after_normalize(p) if p is not None else None for p in pipelines]
        return models, list(normalized), None
    matrix = features.transform(list(normalized))
    return [p.named_steps["model"] if p is not None else None for p in pipelines], matrix, matrix


def word_block(features: Any) -> tuple[TfidfVectorizer, int]:
    """The word vectoriser of a feature step and how many columns it owns (the first
    ones): reasons are shown in words, never in character n-grams."""
    if isinstance(features, FeatureUnion):
        words = dict(features.transformer_list)["words"]
        return words, len(words.vocabulary_)
    return features, len(features.vocabulary_)


@dataclass(frozen=True, slots=True)
class Prediction:
    label: str
    confidence: float
    top: list[tuple[str, float]]


def predict_top(pipeline: Any, texts: Any, k: int = 3) -> list[Prediction]:
    """The ``k`` most probable classes per text; ``pipeline`` may be a head alone and
    ``texts`` its feature matrix."""
    proba = pipeline.predict_proba(texts if hasattr(texts, "shape") else list(texts))
    classes = pipeline.classes_
    order = np.argsort(-proba, axis=1)[:, :k]
    # Rounded and turned into Python floats in one array operation, not one per class.
    ranked = np.round(np.take_along_axis(proba, order, axis=1), 4).tolist()
    names = [str(c) for c in classes]
    results = []
    for idx, probs in zip(order.tolist(), ranked, strict=True):
        top = [(names[i], p) for i, p in zip(idx, probs, strict=True)]
        results.append(Prediction(label=top[0][0], confidence=top[0][1], top=top))
    return results


def explain(pipeline: Pipeline, text: str, label: str, k: int = 5) -> list[str]:
    """The word n-grams of ``text`` that pushed hardest towards ``label``."""
    normalized = pipeline.named_steps["normalize"].transform([text])
    features = pipeline.named_steps["words"]
    words, width = word_block(features)
    vector = words.transform(normalized)
    model: TemperatureScaledSVC = pipeline.named_steps["model"]
    classes = list(model.classes_)
    if label not in classes:
        return []
    coef = model.svc_.coef_
    row = (
        coef[classes.index(label)]
        if coef.shape[0] > 1
        else coef[0] * (1 if classes.index(label) == 1 else -1)
    )
    weights = vector.multiply(np.asarray(row)[:width]).tocsr()
    if weights.nnz == 0:
        return []
    names = _feature_names(words)
    terms: list[str] = []
    for i in np.argsort(-weights.data):
        if weights.data[i] <= 0 or len(terms) == k:
            break
        term = str(names[weights.indices[i]])
        if informative(term):
            terms.append(term)
    return terms


def explain_many(
    pipeline: Pipeline,
    texts: Sequence[str],
    labels: Sequence[str],
    k: int = 5,
    *,
    normalized: Sequence[str] | None = None,
    matrix: Any = None,
) -> list[list[str]]:
    """``explain`` for many texts with one normalisation and one vectorisation of the
    batch (per text, the vectoriser's overhead was 60% of tagging time); ``matrix``: the
    texts' features, already computed by the pipeline's feature step."""
    words, width = word_block(pipeline.named_steps["words"])
    if matrix is None:
        if normalized is None:
            normalized = pipeline.named_steps["normalize"].transform(list(texts))
        matrix = words.transform(normalized)
    matrix = matrix.tocsr()
    model: TemperatureScaledSVC = pipeline.named_steps["model"]
    classes = list(model.classes_)
    coef = model.svc_.coef_
    names = _feature_names(words)
    out: list[list[str]] = []
    for i, label in enumerate(labels):
        if label not in classes:
            out.append([])
            continue
        c = classes.index(label)
        row = coef[c] if coef.shape[0] > 1 else coef[0] * (1 if c == 1 else -1)
        start, end = matrix.indptr[i], matrix.indptr[i + 1]
        indices = matrix.indices[start:end]
        values = matrix.data[start:end]
        in_words = indices < width  # the word block: character n-grams are no reason
        indices, values = indices[in_words], values[in_words]
        weights = values * np.asarray(row)[indices]
        terms: list[str] = []
        for j in np.argsort(-weights):
            if weights[j] <= 0 or len(terms) == k:
                break
            term = str(names[indices[j]])
            if informative(term):
                terms.append(term)
        out.append(terms)
    return out


#: A fitted vectorizer's vocabulary as an array, built once per vectorizer rather than once
#: per explained text (get_feature_names_out copies the whole vocabulary each call).
_NAMES: weakref.WeakKeyDictionary[TfidfVectorizer, np.ndarray] = weakref.WeakKeyDictionary()


def _feature_names(words: TfidfVectorizer) -> np.ndarray:
    names = _NAMES.get(words)
    if names is None:
        names = _NAMES[words] = words.get_feature_names_out()
    return names


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    data = yaml.safe_load(FUNCTION_WORDS_FILE.read_text(encoding="utf-8"))
    return frozenset(str(w) for w in data["words"])


def informative(term: str) -> bool:
    """A term worth showing as a reason: not only function words ("dengan", "di yang")
    and not only a placeholder of the normaliser (``_num_``)."""
    tokens = term.split()
    return any(t not in _function_words() and not t.startswith("_") for t in tokens)
