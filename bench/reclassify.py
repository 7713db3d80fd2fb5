"""Re-classify N stored items through ``aduan classifier reclassify`` with 1 and 2 Dask
workers, against a bare floor timed in the same run (the same model predicting the same
texts in one process, no database, no Prefect, no Dask).

Builds a SQLite database of N items (Surabaya complaint texts, repeated with a number)
that carry a suggestion of an old model version, copies it fresh for each run, and
samples the memory of the whole process tree (CLI, Prefect server, Dask workers).

    python -m bench.reclassify --items 1000000
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from aduan.db import create_db_engine
from aduan.migrate import upgrade_database
from aduan.reference import load_agencies, load_regions
from bench.classifier_quality import DATA
from classifier.bootstrap import ensure_active_model
from classifier.registry import ModelRegistry

CHUNK = 50_000


def _texts(limit: int = 5000) -> list[str]:
    with DATA.open(encoding="utf-8") as handle:
        return [
            row["keluhan"] for _, row in zip(range(limit), csv.DictReader(handle), strict=False)
        ]


def build(path: Path, items: int) -> None:
    from sqlalchemy.orm import Session

    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    with Session(engine) as s, s.begin():
        load_regions(s)
        load_agencies(s)
    engine.dispose()
    texts = _texts()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute(
        "INSERT INTO sources (id, kind, name, config, enabled, cursor, consecutive_failures,"
        " created_at) VALUES (1, 'manual', 'bench', '{}', 1, '{}', 0, '2026-01-01 00:00:00')"
    )
    for base in range(0, items, CHUNK):
        ids = range(base + 1, min(base + CHUNK, items) + 1)
        db.executemany(
            "INSERT INTO items (id, source_id, external_id, text, fetched_at, raw, content_hash,"
            " triage_state) VALUES (?, 1, ?, ?, '2026-01-01 00:00:00', '{}', ?, 'pending')",
            ((i, f"b{i}", f"{texts[i % len(texts)]} ({i})", f"h{i}") for i in ids),
        )
        db.executemany(
            "INSERT INTO item_suggestions (item_id, topic, topic_confidence, agency_confidence,"
            " region_confidence, relevance, confidence, needs_review, model_version, details,"
            " created_at) VALUES (?, 'other', 0.1, 0.1, 0, 0.5, 0.1, 1, 'old', '{}',"
            " '2026-01-01 00:00:00')",
            ((i,) for i in ids),
        )
        db.commit()
    db.close()


def _peak_rss(pid: int, stop: threading.Event, out: list[float]) -> None:
    peak = 0.0
    while not stop.is_set():
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
            total = sum(p.memory_info().rss for p in procs if p.is_running())
            peak = max(peak, total)
        except psutil.Error:
            pass
        time.sleep(0.5)
    out.append(peak / 2**20)


def run_cli(db: Path, data_dir: Path, workers: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "PREFECT_"))}
    env.update(ADUAN_DATABASE_URL=f"sqlite:///{db}", ADUAN_DATA_DIR=str(data_dir))
    aduan = str(Path(sys.executable).with_name("aduan"))
    t = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603  our own CLI, fixed arguments
        [aduan, "classifier", "reclassify", "--workers", str(workers)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    stop, peak = threading.Event(), []
    watcher = threading.Thread(target=_peak_rss, args=(proc.pid, stop, peak))
    watcher.start()
    output, _ = proc.communicate()
    stop.set()
    watcher.join()
    if proc.returncode != 0:
        raise RuntimeError(output[-3000:])
    return {"seconds": time.perf_counter() - t, "peak_mb": peak[0], "output": output.strip()}


def floor(items: int, model_dir: Path) -> float:
    registry = ModelRegistry(model_dir)
    bundle = registry.load(ensure_active_model(registry))
    texts = _texts()
    body = [f"{texts[i % len(texts)]} ({i})" for i in range(items)]
    t = time.perf_counter()
    for start in range(0, items, 10_000):
        part = body[start : start + 10_000]
        bundle.topic.predict(part)
        bundle.agency.predict(part)
        bundle.relevance.predict_proba(part)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"items": args.items}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        template = root / "template.db"
        t = time.perf_counter()
        build(template, args.items)
        print(f"built {args.items} items in {time.perf_counter() - t:.0f} s")
        data_dir = root / "var"
        data_dir.mkdir()
        sample = min(args.items, 100_000)  # the floor's rate does not depend on N
        seconds = floor(sample, data_dir / "models")
        results["floor_items_per_s"] = sample / seconds
        print(f"floor (model only, one process): {sample / seconds:,.0f} items/s")
        for workers in args.workers:
            db = root / f"run-{workers}.db"
            shutil.copy(template, db)
            run = run_cli(db, data_dir, workers)
            rate = args.items / run["seconds"]
            results[f"{workers}_workers"] = {**run, "items_per_s": rate}
            print(
                f"{workers} Dask worker(s): {run['seconds']:.0f} s, {rate:,.0f} items/s, "
                f"peak memory {run['peak_mb']:.0f} MB, {results['floor_items_per_s'] / rate:.1f}x "
                f"the floor — {run['output'].splitlines()[-1]}"
            )
            db.unlink()
    return results


if __name__ == "__main__":
    main()
