"""Report files from the command line: XLSX with a sheet per table and charts, CSV,
Markdown, standalone HTML; the caveat everywhere; names escaped."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from aduan.cli import cli
from reports.facts import CAVEAT
from tests.reports.conftest import World

ROAD = "jalan a yani km 14"


def _fill(world: World) -> None:
    world.pupr.name = "Dinas <script>alert(1)</script> PUPR"
    for day, who in (("02", "a"), ("10", "b"), ("20", "c")):
        world.item(f"2026-11-{day} 10:00", place=ROAD, author=who)
    world.item("2026-11-21 10:00", topic="transport", agency=world.dishub, region=world.banjar)
    world.complaint("2026-11-03 08:00", forwarded="2026-11-03 09:00", done="2026-11-04 10:00")
    world.session.commit()


def test_every_format_from_the_command_line(world: World, tmp_path: Path) -> None:
    _fill(world)
    runner = CliRunner()
    for fmt in ("xlsx", "csv", "html", "md"):
        out = tmp_path / f"laporan.{fmt}"
        result = runner.invoke(
            cli, ["report", "--period", "2026-11", "--format", fmt, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert "item relevan: 4" in result.output and "masalah berulang: 1" in result.output
    wb = load_workbook(tmp_path / "laporan.xlsx")
    assert wb.sheetnames[:4] == ["Ringkasan", "Per topik", "Per SKPD", "Per kabupaten-kota"]
    topics = wb["Per topik"]
    assert topics["A3"].value == "Topik" and topics["B4"].value == 3  # infrastructure first
    assert len(topics._charts) == 1 and len(wb["Tindak lanjut SKPD"]._charts) == 1
    assert wb["Ringkasan"]["A2"].value == CAVEAT
    recurring = wb["Masalah berulang"]
    assert recurring["D4"].value == ROAD and recurring["E4"].value == 3
    html = (tmp_path / "laporan.html").read_text(encoding="utf-8")
    assert CAVEAT in html and html.count("<svg") == 4
    assert "<script>" not in html and "&lt;script&gt;" in html
    md = (tmp_path / "laporan.md").read_text(encoding="utf-8")
    assert CAVEAT in md and f"| {ROAD} |" in md
    rows = list(csv.reader(io.StringIO((tmp_path / "laporan.csv").read_text("utf-8-sig"))))
    assert rows[1] == [CAVEAT] and ["Per topik"] in rows


def test_scope_and_bad_input_get_clear_messages(world: World, tmp_path: Path) -> None:
    _fill(world)
    runner = CliRunner()
    out = tmp_path / "bjm.md"
    ok = runner.invoke(
        cli,
        [
            "report",
            "--period",
            "2026-11",
            "--format",
            "md",
            "--out",
            str(out),
            "--kabupaten",
            "63.03",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert "item relevan: 1" in ok.output and "Kabupaten Banjar" in out.read_text("utf-8")
    bad = runner.invoke(cli, ["report", "--period", "November", "--out", str(out)])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
    bad = runner.invoke(cli, ["report", "--period", "2026-11", "--out", str(out), "--skpd", "x"])
    assert bad.exit_code == 2 and "SKPD 'x' tidak dikenal" in bad.output
