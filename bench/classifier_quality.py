"""Classifier quality and speed on a time split of the Surabaya complaint data.

Train on 2022, test on 2023-01..03 (../shared/data/surabaya_mediacenter). Prints the
metrics of both tasks for the shipped method and, trained on the same rows in the same
run, a plain baseline (TF-IDF of words 1-2 and characters 3-5, LinearSVC with balanced
class weights, raw lower-cased text); batch prediction speed on one core; training time.

    python -m bench.classifier_quality [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from classifier.bootstrap import bootstrap_training_set, train_bootstrap_bundle
from classifier.labels import load_agency_map
from classifier.lifecycle import summary
from classifier.local_office import local_office
from classifier.mix import as_functions, training_mix
from classifier.model import heads_on, normalize_batch
from classifier.predict import RELEVANCE_THRESHOLD, REVIEW_THRESHOLD
from classifier.train import (
    ModelBundle,
    TrainingSet,
    evaluate_bundle,
    function_proba,
    load_training_csv,
    train_bundle,
)

DATA = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "surabaya_mediacenter"
    / "surabaya_keluhan_2022-01_2023-03.csv"
)


def time_split(data: TrainingSet) -> tuple[TrainingSet, TrainingSet]:
    train = data.subset(i for i, d in enumerate(data.dates) if d < "2023")
    test = data.subset(i for i, d in enumerate(data.dates) if d >= "2023")
    return train, test


def plain_baseline() -> Pipeline:
    """The yardstick the issue names: nothing Indonesian-specific, nothing tuned."""
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )
    return Pipeline([("features", features), ("svc", LinearSVC(class_weight="balanced"))])


def baseline_scores(
    train: TrainingSet, test: TrainingSet, models: dict[str, Pipeline] | None = None
) -> dict[str, Any]:
    """Accuracy and macro-F1 of the plain baseline; the fitted models go into ``models``."""
    out: dict[str, Any] = {}
    for task, train_labels, test_labels in (
        ("topic", train.topics, test.topics),
        ("agency", train.agencies, test.agencies),
    ):
        rows = [i for i, label in enumerate(train_labels) if label]
        model = plain_baseline().fit(
            [train.texts[i] for i in rows], [train_labels[i] for i in rows]
        )
        keep = [i for i, label in enumerate(test_labels) if label]
        truth = np.asarray([test_labels[i] for i in keep])
        scores = np.asarray(model.decision_function([test.texts[i] for i in keep]))
        classes = model.classes_
        order = np.argsort(-scores, axis=1)
        predicted = classes[order[:, 0]]
        # The same figures as the shipped model's, with the SVM's margin as confidence.
        top3 = np.array([t in classes[o[:3]] for t, o in zip(truth, order, strict=True)])
        sure = np.argsort(-scores.max(axis=1))[: max(1, round(0.8 * len(keep)))]
        if models is not None:
            models[task] = model
        out[task] = {
            "accuracy": round(float(accuracy_score(truth, predicted)), 4),
            "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
            "top3_accuracy": round(float(top3.mean()), 4),
            "accuracy_at_80_coverage": round(float((predicted[sure] == truth[sure]).mean()), 4),
        }
        if task == "agency":
            function = _baseline_function(classes, scores, truth)
            out["function_content_rows"] = function
            out["function_accuracy_content_rows"] = function["accuracy"] if function else None
    return out


def _baseline_function(
    classes: np.ndarray, scores: np.ndarray, truth: np.ndarray
) -> dict[str, float] | None:
    """The baseline's urusan on the content rows, each function scored by the best margin of
    its agencies other than the Kelurahan/Kecamatan catch-all (as the shipped tagger leaves
    it out); None when the labels are not agencies (the bootstrap data's are functions)."""
    agency_map = load_agency_map()
    office = agency_map.office_class
    functions = [agency_map.function(str(c)) if c != office else None for c in classes]
    content = truth != office
    if not any(functions) or not content.any():
        return None
    rows = []
    for row in scores[content]:
        best: dict[str, float] = {}
        for function, score in zip(functions, row, strict=True):
            if function and score > best.get(function, -np.inf):
                best[function] = float(score)
        rows.append(best)
    return function_figures([agency_map.function(str(t)) or "" for t in truth[content]], rows)


def function_figures(truth: list[str], scores: list[dict[str, float]]) -> dict[str, float]:
    """Accuracy, top-3 accuracy and accuracy on the 80% most confident of an urusan choice,
    from each row's score per function (the best one is the choice and its confidence)."""
    ranked = [sorted(row, key=row.__getitem__, reverse=True) for row in scores]
    hits = np.array([r[0] == t for r, t in zip(ranked, truth, strict=True)])
    top3 = np.array([t in r[:3] for r, t in zip(ranked, truth, strict=True)])
    confidence = np.array([row[r[0]] for row, r in zip(scores, ranked, strict=True)])
    sure = np.argsort(-confidence, kind="stable")[: max(1, round(0.8 * len(truth)))]
    return {
        "accuracy": round(float(hits.mean()), 4),
        "top3_accuracy": round(float(top3.mean()), 4),
        "accuracy_at_80_coverage": round(float(hits[sure].mean()), 4),
    }


def _function_scores(bundle: ModelBundle, texts: list[str]) -> list[dict[str, float]]:
    """Each text's score per urusan as the tagger computes it (``function_proba``: the
    function head's probabilities, or the agency probabilities summed per function with
    the local-office catch-all left out)."""
    scored = function_proba(
        bundle, bundle.agency, bundle.function, texts, office_class=load_agency_map().office_class
    )
    if scored is None:
        return [{} for _ in texts]
    names, proba = scored
    return [dict(zip(names, row, strict=True)) for row in proba.tolist()]


def _function_choice(bundle: ModelBundle, texts: list[str]) -> tuple[list[str], np.ndarray]:
    """The urusan the tagger picks for each text and its confidence."""
    rows = _function_scores(bundle, texts)
    chosen = [max(row, key=row.__getitem__) for row in rows]
    return chosen, np.array([row[best] for row, best in zip(rows, chosen, strict=True)])


def _model_review_rule(
    bundle: ModelBundle, texts: list[str], topic_proba: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """The urusan the tagger picks for each text, and the model's part of its review rule
    (classifier.predict): True where topic and function confidence are at or above
    REVIEW_THRESHOLD, relevance at or above RELEVANCE_THRESHOLD and the local-office rule
    is silent (the region flag is the router's: ``kalsel_routing``)."""
    functions, function_conf = _function_choice(bundle, texts)
    relevance = bundle.relevance.predict_proba(texts)[
        :, list(bundle.relevance.classes_).index("complaint")
    ]
    rule = (
        (topic_proba.max(axis=1) >= REVIEW_THRESHOLD)
        & (function_conf >= REVIEW_THRESHOLD)
        & (relevance >= RELEVANCE_THRESHOLD)
        & np.array([local_office(text) is None for text in texts])
    )
    return functions, rule


def calibration(bundle: ModelBundle, test: TrainingSet, threshold: float = 0.5) -> dict[str, Any]:
    """Expected calibration error of the topic confidence (10 equal-width bins); accuracy
    on the items not flagged for review by topic confidence alone (at or above the
    threshold), and by the tagger's whole rule (classifier.predict: topic and function
    confidence at or above REVIEW_THRESHOLD, relevance at or above RELEVANCE_THRESHOLD, the
    local-office rule silent), where "right" is the topic and, on content rows, the
    function too. (The tagger takes the routing confidence instead of the function's when
    a text names an SKPD; not modelled here.)"""
    proba = bundle.topic.predict_proba(test.texts)
    classes = bundle.topic.classes_
    predicted = classes[proba.argmax(axis=1)]
    confidence = proba.max(axis=1)
    correct = predicted == np.asarray(test.topics)
    bins = np.minimum((confidence * 10).astype(int), 9)
    ece = sum(
        abs(float(correct[bins == b].mean()) - float(confidence[bins == b].mean()))
        * float((bins == b).mean())
        for b in range(10)
        if (bins == b).any()
    )
    unflagged = confidence >= threshold
    agency_map = load_agency_map()
    functions, rule = _model_review_rule(bundle, test.texts, proba)
    truth = [
        agency_map.function(a) if a and a != agency_map.office_class else None
        for a in test.agencies
    ]
    function_ok = np.array([t is None or f == t for f, t in zip(functions, truth, strict=True)])
    # The Kelurahan/Kecamatan rows carry the catch-all's topic ("other") as their label, an
    # operator's routing choice, not what the text is about (issue 14, point 2): the same
    # rule scored on the content rows alone says how often an unflagged suggestion's topic
    # and urusan are right where the labels say what the post is about.
    content = np.array([t is not None for t in truth])
    content_rule = rule & content
    return {
        "topic_ece": round(ece, 4),
        "unflagged_share": round(float(unflagged.mean()), 4),
        "unflagged_accuracy": round(float(correct[unflagged].mean()), 4) if unflagged.any() else 0,
        "review_rule_share": round(float(rule.mean()), 4),
        "review_rule_topic_accuracy": round(float(correct[rule].mean()), 4) if rule.any() else 0,
        "review_rule_suggestion_accuracy": (
            round(float((correct & function_ok)[rule].mean()), 4) if rule.any() else 0
        ),
        "content_rows": int(content.sum()),
        "content_review_rule_share": round(float(content_rule.sum() / max(1, content.sum())), 4),
        "content_review_rule_suggestion_accuracy": (
            round(float((correct & function_ok)[content_rule].mean()), 4)
            if content_rule.any()
            else 0
        ),
    }


KALSEL = Path(__file__).with_name("data") / "kalsel_eval.yaml"


SHARED_RSS = DATA.parents[2] / "fixtures" / "rss"


def recorded_news() -> list[str]:
    """Title and summary of every entry of the recorded news feeds (none a complaint)."""
    import re

    import feedparser

    out = []
    for path in sorted(SHARED_RSS.glob("*.xml")):
        for entry in feedparser.parse(path.read_bytes()).entries:
            text = re.sub(r"<[^>]+>", " ", f"{entry.get('title', '')}\n{entry.get('summary', '')}")
            if text.strip():
                out.append(" ".join(text.split()))
    return out


def relevance_comparison(
    bundle: ModelBundle, train: TrainingSet, test: TrainingSet
) -> dict[str, dict[str, float]]:
    """Share of the recorded news that passes as a complaint (probability >= 0.5, the
    queue's threshold) and share of the Surabaya test-month complaints that do, for the
    shipped relevance model of the bootstrap and of the Surabaya-trained bundle, and the
    plain baseline trained on the same rows (a LinearSVC passes at decision > 0)."""
    from classifier.train import RELEVANCE_RATIO, relevance_negatives, relevance_positives

    news = recorded_news()
    complaints = test.texts
    out: dict[str, dict[str, float]] = {}
    for name, data, shipped in (
        ("bootstrap", bootstrap_training_set(), None),
        ("surabaya", train, bundle),
    ):
        shipped = shipped or train_bundle(data)
        col = list(shipped.relevance.classes_).index("complaint")

        def passes(texts: list[str], model: ModelBundle = shipped, col: int = col) -> float:
            return round(float((model.relevance.predict_proba(texts)[:, col] >= 0.5).mean()), 4)

        out[f"{name}_shipped"] = {
            "news_pass": passes(news),
            "complaint_recall": passes(complaints),
        }
        negatives = list(relevance_negatives())
        positives = relevance_positives(data.texts, cap=RELEVANCE_RATIO * len(negatives))
        plain = plain_baseline().fit(
            positives + negatives, [1] * len(positives) + [0] * len(negatives)
        )
        out[f"{name}_baseline"] = {
            "news_pass": round(float((plain.decision_function(news) > 0).mean()), 4),
            "complaint_recall": round(float((plain.decision_function(complaints) > 0).mean()), 4),
        }
    out["n"] = {"news": len(news), "complaints": len(complaints)}  # type: ignore[dict-item]
    return out


def function_and_office_policy(bundle: ModelBundle, test: TrainingSet) -> dict[str, Any]:
    """The two halves of routing, scored apart on the test rows. Function: the urusan the
    shipped tagger picks (``_function_scores``), on the content rows (those not labelled
    Kelurahan/Kecamatan). Policy: the written local-office rule (classifier/local_office.py)
    against the operators' choice of the catch-all: agreement, precision, recall, share
    flagged."""
    agency_map = load_agency_map()
    office = agency_map.office_class
    rows = [i for i, a in enumerate(test.agencies) if a]
    texts = [test.texts[i] for i in rows]
    labels = [str(test.agencies[i]) for i in rows]
    content = [i for i, label in enumerate(labels) if label != office]
    shipped = function_figures(
        [agency_map.function(labels[i]) or "" for i in content],
        _function_scores(bundle, [texts[i] for i in content]),
    )
    truth = np.array([label == office for label in labels])
    flagged = np.array([local_office(text) is not None for text in texts])
    hits = int((truth & flagged).sum())
    return {
        "content_rows": len(content),
        "function_accuracy_content_rows": shipped["accuracy"],
        "function_content_rows": shipped,
        "office_rows": int(truth.sum()),
        "policy_agreement": round(float((truth == flagged).mean()), 4),
        "policy_precision": round(hits / max(1, int(flagged.sum())), 4),
        "policy_recall": round(hits / max(1, int(truth.sum())), 4),
        "policy_flagged_share": round(float(flagged.mean()), 4),
    }


def _kalsel_rows() -> list[list[str]]:
    """[style, topic, function, region code, text, note] per post of the frozen Kalsel set."""
    return list(yaml.safe_load(KALSEL.read_text(encoding="utf-8"))["items"])


def kalsel_eval() -> tuple[list[str], list[str], list[str]]:
    """Texts, topics and functions of the frozen Kalsel evaluation set (never trained on)."""
    rows = _kalsel_rows()
    return [r[4] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def kalsel_scores(
    topic_model: Any, agency_model: Any, to_function: Callable[[str], str | None]
) -> dict[str, float]:
    """Topic and function accuracy on the Kalsel set; an agency prediction counts by the
    function of the predicted agency."""
    texts, topics, functions = kalsel_eval()
    predicted_topics = topic_model.predict(texts)
    predicted_functions = [to_function(str(a)) for a in agency_model.predict(texts)]
    return {
        "topic_accuracy": round(float(np.mean(np.asarray(predicted_topics) == topics)), 4),
        "function_accuracy": round(
            float(np.mean([p == f for p, f in zip(predicted_functions, functions, strict=True)])),
            4,
        ),
        "n": len(texts),
    }


def kalsel_review(bundle: ModelBundle) -> dict[str, float]:
    """Day one in Kalimantan Selatan: the model's part of the tagger's review rule (topic
    and function confidence >= REVIEW_THRESHOLD, relevance >= RELEVANCE_THRESHOLD, the
    local-office rule silent; the "no kabupaten/kota named" flag is ``kalsel_routing``'s)
    with the bootstrap model on the Kalsel set, the share not flagged and how often the
    topic and the urusan are both right there."""
    texts, topics, functions = kalsel_eval()
    proba = bundle.topic.predict_proba(texts)
    topic_ok = bundle.topic.classes_[proba.argmax(axis=1)] == np.asarray(topics)
    chosen, rule = _model_review_rule(bundle, texts, proba)
    both = topic_ok & (np.asarray(chosen) == np.asarray(functions))
    return {
        "n": len(texts),
        "review_rule_share": round(float(rule.mean()), 4),
        "review_rule_suggestion_accuracy": round(float(both[rule].mean()), 4) if rule.any() else 0,
        "suggestion_accuracy_all": round(float(both.mean()), 4),
    }


WILAYAH = DATA.parents[1] / "wilayah_id" / "wilayah_63_kalimantan_selatan.csv"


def kalsel_routing(bundle: ModelBundle, wilayah: Path | None = None) -> dict[str, Any]:
    """Day one end to end: the whole tagger (model, gazetteer, region detection, the
    registry of Kalsel SKPD) on the Kalsel set, in a fresh SQLite database loaded as
    ``aduan db init`` does (``wilayah``: with the official kecamatan and desa/kelurahan
    table, as ``--wilayah`` loads it). A form submission carries the kabupaten/kota its
    sender picked, as the public form appends it ("(Lokasi: ...)"). Region: the detected
    kabupaten/kota (or the province, or none, for a provincial post). SKPD: the suggested
    agency against the agency of the labelled function in the labelled region (the
    provincial one where the kabupaten/kota has none), on the posts whose function is not
    the local office's."""
    import tempfile

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from aduan.db import create_db_engine
    from aduan.migrate import upgrade_database
    from aduan.reference import load_agencies, load_districts, load_regions
    from classifier.mentions import build_gazetteer
    from classifier.predict import ModelTagger
    from classifier.routing import Router
    from classifier.taxonomy import load_taxonomy
    from models.region import Region

    rows = _kalsel_rows()
    with tempfile.TemporaryDirectory(prefix="aduan-kalsel-") as tmp:
        engine = create_db_engine(f"sqlite:///{tmp}/kalsel.db")
        try:
            upgrade_database(engine)
            with Session(engine) as session, session.begin():
                load_regions(session)
                if wilayah is not None:
                    load_districts(session, wilayah)
                load_agencies(session)
            with Session(engine) as session:
                router = Router(session)
                tagger = ModelTagger(
                    bundle,
                    version="bench",
                    taxonomy=load_taxonomy(),
                    gazetteer=build_gazetteer(session),
                    router=router,
                )
                regions = {r.code: r for r in session.scalars(select(Region))}
        finally:
            engine.dispose()
    posts = []
    for style, _, _, code, text, _ in rows:
        if style == "form" and code != "63":
            text = f"{text}\n(Lokasi: {regions[code].name})"
        posts.append((None, text))
    suggestions = tagger.suggest_many(posts)
    code_of = {r.id: code for code, r in regions.items()}
    region_hits: dict[str, list[bool]] = {}
    skpd_hits, unflagged_hits = [], []
    for (style, _, function, code, _, _), suggestion in zip(rows, suggestions, strict=True):
        got = code_of.get(suggestion.region_id) if suggestion.region_id else None
        region_ok = got == code or (code == "63" and got in (None, "63"))
        region_hits.setdefault(style, []).append(region_ok)
        if function == "governance":  # the local office: no SKPD of the registry
            continue
        region_id = regions[code].id
        expected = router.by_function.get((function, region_id)) or router.by_function.get(
            (function, router.province_id or -1)
        )
        ok = bool(expected) and suggestion.agency_id == expected[0]
        skpd_hits.append(ok)
        if not suggestion.needs_review:
            unflagged_hits.append(ok)
    every = [hit for hits in region_hits.values() for hit in hits]
    return {
        "n": len(rows),
        "region_accuracy": round(float(np.mean(every)), 4),
        "region_accuracy_by_style": {
            style: round(float(np.mean(hits)), 4) for style, hits in region_hits.items()
        },
        "skpd_rows": len(skpd_hits),
        "skpd_accuracy": round(float(np.mean(skpd_hits)), 4),
        "unflagged_share": round(len(unflagged_hits) / max(1, len(skpd_hits)), 4),
        "unflagged_skpd_accuracy": (
            round(float(np.mean(unflagged_hits)), 4) if unflagged_hits else 0.0
        ),
    }


def kalsel_comparison(
    surabaya: ModelBundle, surabaya_baseline: dict[str, Pipeline]
) -> dict[str, dict[str, float]]:
    """Shipped method and plain baseline, each trained on the team's bootstrap data and on
    the Surabaya training months, scored on the Kalsel evaluation set."""
    agency_map = load_agency_map()
    seeds = bootstrap_training_set()
    bootstrap = train_bootstrap_bundle(seeds)
    seed_baseline: dict[str, Pipeline] = {}
    baseline_scores(seeds, seeds, seed_baseline)
    same = lambda name: name  # noqa: E731  bootstrap agency labels are functions
    routing = {"without_wilayah": kalsel_routing(bootstrap)}
    if WILAYAH.is_file():
        routing["with_wilayah"] = kalsel_routing(bootstrap, WILAYAH)
    return {
        "bootstrap_routing": routing,  # type: ignore[dict-item]
        "bootstrap_review": kalsel_review(bootstrap),
        "bootstrap_shipped": kalsel_scores(bootstrap.topic, bootstrap.agency, same),
        "bootstrap_baseline": kalsel_scores(seed_baseline["topic"], seed_baseline["agency"], same),
        "surabaya_shipped": kalsel_scores(
            surabaya.topic,
            surabaya.function or surabaya.agency,
            same
            if surabaya.function is not None
            else lambda name: surabaya.agency_functions.get(name) or agency_map.function(name),
        ),
        "surabaya_baseline": kalsel_scores(
            surabaya_baseline["topic"], surabaya_baseline["agency"], agency_map.function
        ),
    }


def mix_scores(
    train: TrainingSet, test: TrainingSet
) -> tuple[ModelBundle, dict[str, Any], TrainingSet]:
    """What the learning loop ships for a deployment with a history: the retrain flow's mix
    (the team's seed examples + ``train`` as history, agency labels as functions,
    classifier/mix.py), trained and scored on ``test`` (topic on every row, function on
    the content rows: the catch-all's rows have no urusan); also the mixed rows."""
    mix = training_mix(TrainingSet(), history=train)
    bundle = train_bundle(mix)
    return bundle, summary(evaluate_bundle(bundle, as_functions(test))), mix


def mix_comparison(train: TrainingSet, test: TrainingSet) -> dict[str, Any]:
    """``mix_scores`` beside the plain baseline trained on the same mixed rows, and the
    mix model's review rule."""
    bundle, shipped, mix = mix_scores(train, test)
    plain = baseline_scores(mix, as_functions(test))
    return {
        "rows": len(mix),
        "shipped": {"topic": shipped["topic"], "function": shipped["function"]},
        # The baseline's "agency" head predicts the mix's labels: functions.
        "baseline": {"topic": plain["topic"], "function": plain["agency"]},
        "review": calibration(bundle, test),
    }


def run() -> dict[str, Any]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    data = load_training_csv(DATA)
    train, test = time_split(data)
    started = time.perf_counter()
    bundle = train_bundle(train)
    train_seconds = time.perf_counter() - started
    metrics = summary(evaluate_bundle(bundle, test))
    texts = test.texts * 3
    started = time.perf_counter()
    # What tagging does: normalise and vectorise once, then the three models' heads.
    heads, inputs, _ = heads_on(
        (
            bundle.topic,
            bundle.agency if bundle.function is None else None,
            bundle.relevance,
            bundle.function,
        ),
        normalize_batch(texts),
    )
    for head in heads:
        if head is not None:
            head.predict_proba(inputs)
    per_second = len(texts) / (time.perf_counter() - started)
    baseline_models: dict[str, Pipeline] = {}
    plain = baseline_scores(train, test, baseline_models)
    return {
        **metrics,
        "plain_baseline": plain,
        "kalsel": kalsel_comparison(bundle, baseline_models),
        "calibration": calibration(bundle, test),
        "routing": function_and_office_policy(bundle, test),
        "mix": mix_comparison(train, test),
        "relevance": relevance_comparison(bundle, train, test),
        "train_rows": len(train),
        "train_seconds_all_models": round(train_seconds, 1),
        "predict_texts_per_second": round(per_second),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for task in ("topic", "agency"):
        m = result[task]
        b = result["plain_baseline"][task]
        figures = ("accuracy", "macro_f1", "top3_accuracy", "accuracy_at_80_coverage")
        names = ("accuracy", "macro-F1", "top-3", "accuracy@80%")
        print(
            f"{task}: "
            + "  ".join(
                f"{name} {m[key]:.4f} (baseline {b[key]:.4f}{'' if m[key] >= b[key] else ' !'})"
                for key, name in zip(figures, names, strict=True)
            )
        )
    c = result["calibration"]
    print(
        f"topic confidence: expected calibration error {c['topic_ece']:.3f}; "
        f"{c['unflagged_share']:.0%} not flagged for review (confidence >= 0.5), "
        f"accuracy there {c['unflagged_accuracy']:.3f}; by the tagger's whole rule (topic "
        f"and function >= {REVIEW_THRESHOLD}, relevance, local-office rule) "
        f"{c['review_rule_share']:.0%} not flagged, topic right there "
        f"{c['review_rule_topic_accuracy']:.3f}, topic and function right "
        f"{c['review_rule_suggestion_accuracy']:.3f}"
    )
    print(
        f"  on the {c['content_rows']} content rows (the Kelurahan/Kecamatan rows' topic label "
        f"is the catch-all's): {c['content_review_rule_share']:.1%} not flagged, topic and "
        f"function right there {c['content_review_rule_suggestion_accuracy']:.3f}"
    )
    mix = result["mix"]
    for task in ("topic", "function"):
        m, b = mix["shipped"][task], mix["baseline"][task]
        print(
            f"learning-loop mix ({mix['rows']} rows: seed examples + the 2022 rows, agency as "
            f"function), {task}: "
            + "  ".join(
                f"{name} {m[key]:.4f} (baseline {b[key]:.4f}{'' if m[key] >= b[key] else ' !'})"
                for key, name in (
                    ("accuracy", "accuracy"),
                    ("macro_f1", "macro-F1"),
                    ("top3_accuracy", "top-3"),
                    ("accuracy_at_80_coverage", "accuracy@80%"),
                )
            )
        )
    c = mix["review"]
    print(
        f"  its review rule: {c['review_rule_share']:.1%} not flagged, topic and function right "
        f"there {c['review_rule_suggestion_accuracy']:.3f}; content rows "
        f"{c['content_review_rule_share']:.1%} at "
        f"{c['content_review_rule_suggestion_accuracy']:.3f}; topic ECE {c['topic_ece']:.3f}"
    )
    r = result["routing"]
    mine, theirs = r["function_content_rows"], result["plain_baseline"]["function_content_rows"]
    print(
        f"function on the {r['content_rows']} content rows: "
        + "  ".join(
            f"{name} {mine[key]:.4f} (baseline {theirs[key]:.4f}"
            f"{'' if mine[key] >= theirs[key] else ' !'})"
            for key, name in (
                ("accuracy", "accuracy"),
                ("top3_accuracy", "top-3"),
                ("accuracy_at_80_coverage", "accuracy@80%"),
            )
        )
    )
    print(
        f"local-office rule against the operators' Kelurahan/Kecamatan choice "
        f"({r['office_rows']} rows): agreement "
        f"{r['policy_agreement']:.3f}, precision {r['policy_precision']:.3f}, recall "
        f"{r['policy_recall']:.3f}, {r['policy_flagged_share']:.0%} flagged"
    )
    rel = result["relevance"]
    for name, r in rel.items():
        if name == "n":
            continue
        print(
            f"relevance, {name.replace('_', ' ')}: {r['news_pass']:.1%} of {rel['n']['news']} "
            f"recorded news pass as complaints, {r['complaint_recall']:.1%} of "
            f"{rel['n']['complaints']} Surabaya test-month complaints pass"
        )
    for name, k in result["kalsel"].pop("bootstrap_routing").items():
        styles = ", ".join(f"{s} {v:.3f}" for s, v in k["region_accuracy_by_style"].items())
        print(
            f"day one, routing on the Kalsel set ({name.replace('_', ' ')} table): region "
            f"{k['region_accuracy']:.3f} ({styles}); SKPD {k['skpd_accuracy']:.3f} of "
            f"{k['skpd_rows']} posts, {k['unflagged_share']:.1%} not flagged, SKPD right "
            f"there {k['unflagged_skpd_accuracy']:.3f}"
        )
    day_one = result["kalsel"].pop("bootstrap_review")
    print(
        f"day one, bootstrap model on the Kalsel evaluation set ({day_one['n']} posts): "
        f"{day_one['review_rule_share']:.1%} not flagged by the model's part of the review "
        f"rule (confidence, relevance, local office; the region aside), topic and "
        f"function right there {day_one['review_rule_suggestion_accuracy']:.3f} (on all "
        f"posts {day_one['suggestion_accuracy_all']:.3f})"
    )
    for name, k in result["kalsel"].items():
        print(
            f"Kalsel evaluation set ({k['n']} posts), {name.replace('_', ' ')}: "
            f"topic {k['topic_accuracy']:.3f}, function {k['function_accuracy']:.3f}"
        )
    print(
        f"train rows {result['train_rows']}, training all models "
        f"{result['train_seconds_all_models']} s, batch prediction "
        f"{result['predict_texts_per_second']} texts/s (topic, agency and relevance, one "
        "feature step)"
    )


if __name__ == "__main__":
    main()
