"""`aduan ingest` killed with SIGKILL at several points, then run again: nothing lost and
nothing duplicated compared with a run that was never interrupted."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aduan.failpoints import FAILPOINTS

ADUAN = str(Path(sys.executable).with_name("aduan"))
pytestmark = pytest.mark.flow


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "PREFECT_"))}
    env["ADUAN_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def _run(data_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ADUAN, *args], env=_env(data_dir, **extra), cwd=data_dir.parent, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip


def _state(data_dir: Path) -> dict[str, Any]:
    db = sqlite3.connect(data_dir / "aduan.db")
    items = db.execute(
        "SELECT s.name, i.external_id, i.place_key, i.enrich_state, i.content_hash "
        "FROM items i JOIN sources s ON s.id = i.source_id ORDER BY 1, 2"
    ).fetchall()
    current = db.execute(
        "SELECT i.external_id, count(g.id), min(g.topic), min(g.model_version) FROM items i "
        "LEFT JOIN item_suggestions g ON g.item_id = i.id AND g.superseded_at IS NULL "
        "GROUP BY i.id ORDER BY 1"
    ).fetchall()
    clusters: dict[int, set[str]] = {}
    for cluster, ext in db.execute("SELECT cluster_id, external_id FROM items"):
        if cluster is not None:
            clusters.setdefault(cluster, set()).add(ext)
    db.close()
    return {
        "items": items,
        "suggestions": current,
        "clusters": sorted(sorted(c) for c in clusters.values()),
    }


def test_killed_ingest_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    baseline_dir = tmp_path / "baseline" / "var"
    baseline_dir.mkdir(parents=True)
    assert _run(baseline_dir, "db", "init").returncode == 0
    done = _run(baseline_dir, "ingest")
    assert done.returncode == 0, done.stderr[-2000:]
    expected = _state(baseline_dir)
    assert len(expected["items"]) >= 10 and expected["clusters"]
    assert all(n == 1 for _, n, _, _ in expected["suggestions"])
    for point in FAILPOINTS:
        data_dir = tmp_path / point.replace(":", "-") / "var"
        data_dir.mkdir(parents=True)
        assert _run(data_dir, "db", "init").returncode == 0
        killed = _run(data_dir, "ingest", ADUAN_FAILPOINT=point)
        assert killed.returncode == -9, (point, killed.returncode, killed.stderr[-2000:])
        partial = _state(data_dir)
        assert partial != expected, f"{point}: the kill came after the work was done"
        again = _run(data_dir, "ingest")
        assert again.returncode == 0, again.stderr[-2000:]
        assert _state(data_dir) == expected, point
