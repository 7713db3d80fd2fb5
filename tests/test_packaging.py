"""The package builds without setuptools warnings and carries its data files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_builds_without_warnings_and_holds_the_data(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "absent from the `packages` configuration" not in done.stdout + done.stderr
    (wheel,) = tmp_path.glob("aduan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "aduan/data/regions.csv",
        "aduan/data/samples/kabar_banua.xml",
        "models/data/holidays_id.yaml",
        "classifier/data/taxonomy.yaml",
        "classifier/quality_baseline.json",
        "web/templates/report.html",
        "web/static/app.js",
        "web/static/icons/news.svg",
        "reports/templates/report_standalone.html",
        "migrations/script.py.mako",
    ):
        assert expected in names, expected
