"""The benchmarks still run (on a small stream; their figures live in docs/benchmarks.md)."""

from __future__ import annotations

from bench.pipeline import run


def test_pipeline_benchmark_runs_and_reports_memory() -> None:
    result = run(1200, batch=200)
    assert result["items"] >= 1200
    assert result["joined_clusters"] > 0  # every 10th replica keeps its text
    assert len(result["memory"]) >= 9


def test_web_benchmark_runs_every_page() -> None:
    from bench.web import PAGES
    from bench.web import run as run_web

    result = run_web(600, 300, repeat=2, decisions=200)
    assert set(result["pages"]) == {"/healthz", *PAGES}  # the pages and the bare floor
    assert all(t["p95_ms"] > 0 for t in result["pages"].values())


def test_reports_benchmark_runs_on_a_small_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bench.reports import main

    result = main(["--items", "6000", "--complaints", "2000", "--db", str(tmp_path / "r.db")])
    finished = result["finished month"]
    assert finished["topic table"] > 0 and finished["follow-up table (SKPD)"] > 0
    assert result["aduan report --format xlsx (process)"]["seconds"] > 0
    assert (tmp_path / "r.xlsx").exists()


def test_new_region_benchmark_learns_from_decisions_through_the_gate(shared_dir) -> None:  # type: ignore[no-untyped-def]
    from bench.classifier_quality import DATA, time_split
    from bench.new_region import simulate
    from classifier.mix import as_functions
    from classifier.train import load_training_csv

    pool, test = time_split(load_training_csv(DATA))
    pool = as_functions(pool.subset(range(0, len(pool), 10)))
    test = as_functions(test.subset(range(0, len(test), 10)))
    curve = simulate(pool, test, strategy="uncertainty", step=150, rounds=2, weight=3.0)
    assert [p["decisions"] for p in curve] == [0, 150, 300]
    assert curve[-1]["topic"] > curve[0]["topic"]  # decisions teach the region's words


def test_quality_benchmark_scores_the_plain_baseline_on_the_same_rows(shared_dir) -> None:  # type: ignore[no-untyped-def]
    from bench.classifier_quality import DATA, baseline_scores, time_split
    from classifier.train import load_training_csv

    train, test = time_split(load_training_csv(DATA))
    scores = baseline_scores(
        train.subset(range(0, len(train), 5)), test.subset(range(0, len(test), 5))
    )
    assert 0.5 < scores["topic"]["accuracy"] <= 1 and 0.3 < scores["agency"]["accuracy"] <= 1
    for task in ("topic", "agency"):  # the shipped model's figures, for the baseline too
        figures = scores[task]
        assert figures["accuracy"] <= figures["top3_accuracy"] <= 1
        assert figures["accuracy"] <= figures["accuracy_at_80_coverage"] <= 1
    assert 0.5 < scores["function_accuracy_content_rows"] <= 1
    function = scores["function_content_rows"]  # the urusan, scored like the shipped tagger's
    assert function["accuracy"] == scores["function_accuracy_content_rows"]
    assert function["accuracy"] <= function["top3_accuracy"] <= 1
    assert function["accuracy"] <= function["accuracy_at_80_coverage"] <= 1
    from bench.classifier_quality import calibration
    from classifier.train import train_bundle

    small_test = test.subset(range(0, len(test), 5))
    c = calibration(train_bundle(train.subset(range(0, len(train), 5))), small_test)
    assert 0 <= c["topic_ece"] < 0.2 and 0.3 < c["unflagged_share"] <= 1
    assert c["unflagged_accuracy"] > 0.6
    # The tagger's whole rule flags more than topic confidence alone, and is right more often.
    assert 0.2 < c["review_rule_share"] <= c["unflagged_share"]
    assert c["review_rule_suggestion_accuracy"] <= c["review_rule_topic_accuracy"]
    assert c["review_rule_topic_accuracy"] >= c["unflagged_accuracy"]
    # The content rows alone (the catch-all's rows have "other" as their topic label).
    office = sum(1 for a in small_test.agencies if a == "Kelurahan/Kecamatan")
    assert c["content_rows"] == len(small_test) - office > 0
    assert c["content_review_rule_suggestion_accuracy"] >= c["review_rule_suggestion_accuracy"]


def test_day_one_review_figures_on_the_kalsel_set() -> None:
    from bench.classifier_quality import kalsel_eval, kalsel_review
    from classifier.bootstrap import train_bootstrap_bundle

    day_one = kalsel_review(train_bootstrap_bundle())
    assert day_one["n"] == len(kalsel_eval()[0]) >= 300
    assert 0.5 < day_one["review_rule_share"] < 1
    # What is not flagged is right more often than the suggestions as a whole.
    assert day_one["review_rule_suggestion_accuracy"] >= day_one["suggestion_accuracy_all"] > 0.8


def test_function_head_variants_are_scored_on_the_same_rows(shared_dir) -> None:  # type: ignore[no-untyped-def]
    from bench.classifier_quality import DATA, time_split
    from bench.function_head import _Split, errors, variants
    from classifier.train import load_training_csv

    train, test = time_split(load_training_csv(DATA))
    train, _ = train.newest_last()
    split = _Split(train.subset(range(0, len(train), 8)), test.subset(range(0, len(test), 8)))
    scored = variants(split)
    assert "shipped (C=0.5)" in scored and len(scored) >= 15
    for figures in scored.values():
        assert 0.3 < figures["accuracy"] <= figures["top3_accuracy"] <= 1
    wrong = errors(split, 5)
    assert len(wrong) == 5
    assert all(not e["label"].startswith(e["predicted"] + " ") for e in wrong)
