"""Manual intake: CSV and XLSX with a column mapping, a row report, all-or-nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from aduan.cli import cli
from models import Item, ItemSuggestion, Region, Source, SourceKind

GOOD_CSV = (
    "No Tiket;Tanggal;Nama Pelapor;Kabupaten/Kota;Isi Aduan\n"
    "T-001;24/11/2026 09:15;Ahmad;Kota Banjarmasin;Lampu jalan mati di Jl. Veteran sejak seminggu\n"
    "T-002;2026-11-23;Siti;Kabupaten Tapin;Bansos PKH belum cair, mohon dicek Dinsos\n"
    ";;;;\n"
    "T-003;23 November 2026;;Kota Banjarbaru;Sampah menumpuk di pasar, bau sekali\n"
)


def _write(tmp_path: Path, name: str, content: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding=encoding)
    return path


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Item)) or 0


@pytest.fixture
def db(sqlite_engine: Engine) -> Engine:
    assert CliRunner().invoke(cli, ["db", "init"]).exit_code == 0
    return sqlite_engine


def test_csv_rows_become_tagged_items_and_reimport_adds_nothing(db: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, "aduan.csv", GOOD_CSV)
    first = CliRunner().invoke(cli, ["import", str(path)])
    assert first.exit_code == 0, first.output
    assert "3 baris dibaca: 3 valid, 0 salah" in first.output
    assert re.search(r"Tersimpan dalam [0-9,]+ detik: 3 aduan baru", first.output)
    second = CliRunner().invoke(cli, ["import", str(path)])
    assert re.search(r"Tersimpan dalam .*: 0 aduan baru, 3 sudah ada", second.output)
    with Session(db) as session:
        items = session.scalars(select(Item).order_by(Item.id)).all()
        assert [i.external_id for i in items] == ["id:T-001", "id:T-002", "id:T-003"]
        assert items[0].source.kind is SourceKind.MANUAL
        assert items[0].published_at.isoformat() == "2026-11-24T01:15:00+00:00"  # 09:15 WITA
        suggestion = session.scalar(
            select(ItemSuggestion).where(ItemSuggestion.item_id == items[1].id)
        )
        region = session.get(Region, suggestion.region_id)
        assert region.name == "Kabupaten Tapin"  # from the region column


def test_one_bad_row_stops_the_whole_file_unless_partial(db: Engine, tmp_path: Path) -> None:
    content = GOOD_CSV + "T-004;kemarin sore;Budi;Kota Banjarmasin;Jalan rusak\nT-005;;;;\n"
    content += "T-001;24/11/2026;Ahmad;Kota Banjarmasin;salinan\n"
    path = _write(tmp_path, "campur.csv", content)
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code != 0
    assert "baris 6: tanggal tidak terbaca: 'kemarin sore'" in result.output
    assert "baris 7: isi aduan kosong" in result.output
    assert "baris 8: duplikat baris 2" in result.output
    assert "tidak ada yang disimpan" in result.output
    assert _count(db) == 0
    partial = CliRunner().invoke(cli, ["import", str(path), "--partial"])
    assert partial.exit_code == 0 and re.search(r"Tersimpan dalam .*: 3 aduan baru", partial.output)
    assert _count(db) == 3


def test_column_mapping_and_hash_ids_for_files_without_ids(db: Engine, tmp_path: Path) -> None:
    content = "waktu lapor,cerita warga\n2026-11-20 10:00,Air PDAM keruh di Kuin\n"
    path = _write(tmp_path, "tanpa_id.csv", content, encoding="cp1252")
    runner = CliRunner()
    missing = runner.invoke(cli, ["import", str(path)])
    assert missing.exit_code != 0 and "--map text=" in missing.output
    ok = runner.invoke(
        cli, ["import", str(path), "--map", "text=cerita warga", "--map", "date=waktu lapor"]
    )
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(
        cli, ["import", str(path), "--map", "text=cerita warga", "--map", "date=waktu lapor"]
    )
    assert "0 aduan baru" in again.output
    with Session(db) as session:
        (item,) = session.scalars(select(Item)).all()
        assert item.external_id.startswith("row:")
    bad = runner.invoke(cli, ["import", str(path), "--map", "text=tidak ada"])
    assert bad.exit_code != 0 and "kolom 'tidak ada' tidak ada" in bad.output


def test_xlsx_is_read_like_csv(db: Engine, tmp_path: Path) -> None:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["Nomor", "Tanggal", "Keluhan"])
    sheet.append(["X-1", datetime(2026, 11, 24, 8, 0), "Jembatan di Balangan rusak"])  # noqa: DTZ001
    sheet.append(["X-2", None, "Puskesmas Marabahan kekurangan obat"])
    path = tmp_path / "aduan.xlsx"
    book.save(path)
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 aduan baru" in result.output
    listing = json.loads(CliRunner().invoke(cli, ["queue", "list", "--json"]).output)
    assert {e["source_kind"] for e in listing} == {"manual"}


def test_dry_run_and_unsupported_files(db: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, "aduan.csv", GOOD_CSV)
    result = CliRunner().invoke(cli, ["import", str(path), "--dry-run"])
    assert "tidak ada yang disimpan" in result.output and _count(db) == 0
    other = _write(tmp_path, "aduan.pdf", "x")
    result = CliRunner().invoke(cli, ["import", str(other)])
    assert result.exit_code != 0 and "format berkas tidak didukung" in result.output
    with Session(db) as session:
        assert session.scalar(select(Source).where(Source.kind == SourceKind.MANUAL)) is None


def test_distinct_rows_sharing_a_url_are_all_kept(db: Engine, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "url.csv",
        "isi,tautan\n"
        "Jalan rusak di Gambut sudah sebulan,https://berita.example/jalan\n"
        "Jembatan Desa Sungai Tabuk retak,https://berita.example/jalan\n"
        "Lampu PJU mati di Landasan Ulin,https://berita.example/jalan\n",
    )
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 aduan baru, 0 sudah ada sebelumnya" in result.output
    assert _count(db) == 3


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _hostile(tmp_path: Path, case: str) -> Path:
    import datetime as dt

    if case == "empty_xlsx":
        (tmp_path / "kosong.xlsx").write_bytes(b"")
        return tmp_path / "kosong.xlsx"
    if case == "binary_xlsx":
        (tmp_path / "acak.xlsx").write_bytes(bytes(range(256)) * 40)
        return tmp_path / "acak.xlsx"
    if case == "binary_csv":
        (tmp_path / "gambar.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
        return tmp_path / "gambar.csv"
    if case == "huge_cell":
        return _write(tmp_path, "besar.csv", "isi,tanggal\n" + "a" * 1_100_000 + ",2026-11-20\n")
    if case == "time_cell":
        return _xlsx(
            tmp_path / "jam.xlsx", [["Isi", "Tanggal"], ["Jalan rusak di Gambut", dt.time(8, 30)]]
        )
    raise AssertionError(case)


HOSTILE_IMPORTS = {
    "empty_xlsx": "bukan XLSX yang bisa dibaca",
    "binary_xlsx": "bukan XLSX yang bisa dibaca",
    "binary_csv": "bukan CSV teks",
    "huge_cell": "baris 2: isi aduan lebih dari",
    "time_cell": "baris 2: tanggal tidak terbaca",
}


@pytest.mark.parametrize("case", sorted(HOSTILE_IMPORTS))
def test_a_hostile_file_gets_an_indonesian_message_and_stores_nothing(
    case: str, db: Engine, tmp_path: Path
) -> None:
    result = CliRunner().invoke(cli, ["import", str(_hostile(tmp_path, case))])
    assert result.exit_code == 1, result.output
    assert HOSTILE_IMPORTS[case] in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert _count(db) == 0
