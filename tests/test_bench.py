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

    result = run_web(600, 300, repeat=2)
    assert set(result["pages"]) == set(PAGES)
    assert all(t["p95_ms"] > 0 for t in result["pages"].values())


def test_reports_benchmark_runs_on_a_small_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bench.reports import main

    result = main(["--items", "6000", "--complaints", "2000", "--db", str(tmp_path / "r.db")])
    finished = result["finished month"]
    assert finished["topic table"] > 0 and finished["follow-up table (SKPD)"] > 0
    assert result["aduan report --format xlsx (process)"]["seconds"] > 0
    assert (tmp_path / "r.xlsx").exists()
