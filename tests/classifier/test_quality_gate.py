"""The quality gate: the classifier trained on 2022 must stay above the committed floors
on 2023-01..03 of the shared Surabaya data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.classifier_quality import DATA, time_split
from classifier.lifecycle import summary
from classifier.train import ModelBundle, evaluate_bundle, load_training_csv, train_bundle

BASELINE = Path(__file__).resolve().parents[2] / "classifier" / "quality_baseline.json"


@pytest.fixture(scope="module")
def metrics(shared_dir: Path) -> dict:
    assert DATA.is_file(), f"missing {DATA}"
    train, test = time_split(load_training_csv(DATA))
    assert len(train) > 8000 and len(test) > 2000
    return summary(evaluate_bundle(train_bundle(train), test))


@pytest.mark.parametrize("task", ["topic", "agency", "function"])
def test_metrics_stay_above_the_committed_floors(metrics: dict, task: str) -> None:
    floors = json.loads(BASELINE.read_text())[task]
    for name, floor in floors.items():
        assert metrics[task][name] >= floor, f"{task} {name}: {metrics[task][name]} < {floor}"


@pytest.fixture(scope="module")
def bootstrap() -> ModelBundle:
    from classifier.bootstrap import train_bootstrap_bundle

    return train_bootstrap_bundle()


def test_bootstrap_model_stays_above_its_floors_on_the_kalsel_set(bootstrap: ModelBundle) -> None:
    """The model a new deployment starts from, on the frozen Kalsel evaluation set (never
    trained on): a change to the seed examples or the pipeline must not make it worse."""
    from bench.classifier_quality import kalsel_scores

    scores = kalsel_scores(bootstrap.topic, bootstrap.agency, lambda name: name)
    floors = json.loads(BASELINE.read_text())["kalsel_bootstrap"]
    for name, floor in floors.items():
        assert scores[name] >= floor, f"{name}: {scores[name]} < {floor}"


def test_day_one_review_rule_keeps_its_share_and_accuracy(bootstrap: ModelBundle) -> None:
    """What an admin sees unflagged on day one (the tagger's review rule, bootstrap model,
    Kalsel set): as many items left unflagged, and as often right there."""
    from bench.classifier_quality import kalsel_review

    day_one = kalsel_review(bootstrap)
    floors = json.loads(BASELINE.read_text())["kalsel_day_one"]
    for name, floor in floors.items():
        assert day_one[name] >= floor, f"{name}: {day_one[name]} < {floor}"


def test_the_learning_loops_mix_stays_above_its_floors(shared_dir: Path) -> None:
    """What the retrain flow trains for a deployment with a history (seed examples + the
    history, agency labels as functions), on the test months: a change to the seeds, the
    mix or the pipeline must not make it worse on another city's complaints."""
    from bench.classifier_quality import mix_scores

    _, got, _ = mix_scores(*time_split(load_training_csv(DATA)))
    floors = json.loads(BASELINE.read_text())["mix"]
    measured = {
        "topic_accuracy": got["topic"]["accuracy"],
        "topic_macro_f1": got["topic"]["macro_f1"],
        "function_accuracy": got["function"]["accuracy"],
        "function_top3_accuracy": got["function"]["top3_accuracy"],
    }
    for name, floor in floors.items():
        assert measured[name] >= floor, f"{name}: {measured[name]} < {floor}"


def test_bootstrap_relevance_keeps_news_out_and_complaints_in(
    shared_dir: Path, bootstrap: ModelBundle
) -> None:
    """On news it never saw (the recorded feeds) and on another city's complaints."""

    from bench.classifier_quality import recorded_news

    relevance = bootstrap.relevance
    col = list(relevance.classes_).index("complaint")
    news = recorded_news()
    _, test = time_split(load_training_csv(DATA))
    passed_news = float((relevance.predict_proba(news)[:, col] >= 0.5).mean())
    recall = float((relevance.predict_proba(test.texts)[:, col] >= 0.5).mean())
    limits = json.loads(BASELINE.read_text())["bootstrap_relevance"]
    assert len(news) > 300
    assert passed_news <= limits["news_pass_at_most"], passed_news
    assert recall >= limits["complaint_recall"], recall


def test_day_one_routing_finds_the_region_and_the_skpd(
    bootstrap: ModelBundle, shared_dir: Path
) -> None:
    """The whole tagger on the Kalsel set with the official village table loaded (as
    ``aduan db init --wilayah`` does): the table helps, and the SKPD suggestions left
    unflagged stay right as often as pinned."""
    from bench.classifier_quality import WILAYAH, kalsel_routing

    plain, with_table = kalsel_routing(bootstrap), kalsel_routing(bootstrap, WILAYAH)
    assert with_table["region_accuracy"] > plain["region_accuracy"]
    assert with_table["skpd_accuracy"] > plain["skpd_accuracy"]
    floors = json.loads(BASELINE.read_text())["kalsel_routing"]
    for name, floor in floors.items():
        assert with_table[name] >= floor, f"{name}: {with_table[name]} < {floor}"
