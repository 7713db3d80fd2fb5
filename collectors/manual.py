"""Manual intake: complaints gathered by hand (CSV or XLSX), e.g. while SP4N-LAPOR! is down.

Every row is validated first; by default a file is all-or-nothing. Each row gets a stable
external id (the mapped id column, or a hash of its content), so importing the same
file again adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from collectors.base import RawItem
from collectors.dates import parse_datetime
from collectors.normalize import normalise_whitespace
from models.enums import SourceKind
from models.source import Source

__all__ = [
    "FIELDS",
    "ImportReport",
    "RowError",
    "guess_mapping",
    "manual_source",
    "parse_rows",
    "read_table",
]

MAX_TEXT = 20_000
#: Our fields and the column names they are recognised by (case-insensitive).
FIELDS: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "teks",
        "isi",
        "isi aduan",
        "isi laporan",
        "keluhan",
        "aduan",
        "laporan",
        "uraian",
        "isi pengaduan",
        "pengaduan",
    ),
    "title": ("title", "judul", "judul aduan", "perihal"),
    "date": ("date", "tanggal", "tanggal aduan", "tanggal_keluhan", "waktu", "tgl"),
    "author": ("author", "nama", "nama pelapor", "pelapor"),
    "contact": ("contact", "kontak", "telepon", "no hp", "hp", "email", "wa"),
    "region": ("region", "wilayah", "kabupaten/kota", "kabupaten", "kota", "kab/kota"),
    "url": ("url", "tautan", "link"),
    "id": ("id", "nomor", "no tiket", "nomor tiket", "no_tiket", "kode"),
}


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # 1-based line number as the admin sees it in the spreadsheet (header = 1)
    message: str


@dataclass(slots=True)
class ImportReport:
    items: list[RawItem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


def read_table(path: Path) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows of a CSV (delimiter sniffed, UTF-8 or Windows-1252) or XLSX file."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        rows = workbook.active.iter_rows(values_only=True)
        header = [str(c or "").strip() for c in next(rows, [])]
        return header, (list(r) for r in rows)
    if suffix not in (".csv", ".txt"):
        raise ValueError(f"format berkas tidak didukung: {path.suffix} (pakai .csv atau .xlsx)")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [h.strip() for h in next(reader, [])]
    return header, (list(r) for r in reader)


def guess_mapping(header: list[str], overrides: Mapping[str, str] | None = None) -> dict[str, int]:
    """Our field -> column index. ``overrides`` maps a field to a column name."""
    lowered = {h.strip().lower(): i for i, h in enumerate(header)}
    mapping: dict[str, int] = {}
    for name, column in (overrides or {}).items():
        if name not in FIELDS:
            raise ValueError(f"kolom tujuan tidak dikenal: {name} (pilihan: {', '.join(FIELDS)})")
        if column.strip().lower() not in lowered:
            raise ValueError(f"kolom '{column}' tidak ada di berkas (ada: {', '.join(header)})")
        mapping[name] = lowered[column.strip().lower()]
    for name, aliases in FIELDS.items():
        if name in mapping:
            continue
        for alias in aliases:
            if alias in lowered:
                mapping[name] = lowered[alias]
                break
    if "text" not in mapping:
        raise ValueError(
            "kolom isi aduan tidak ditemukan; sebutkan dengan --map text=NAMA_KOLOM "
            f"(kolom yang ada: {', '.join(header)})"
        )
    return mapping


def _cell(row: list[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    value = row[index]
    if isinstance(value, str):
        value = value.strip()
    return value if value not in ("", None) else None


def parse_rows(
    header: list[str], rows: Iterator[list[Any]], mapping: Mapping[str, int], *, file_name: str
) -> ImportReport:
    report = ImportReport()
    seen: dict[str, int] = {}
    for offset, row in enumerate(rows):
        line = offset + 2
        if not any(str(c or "").strip() for c in row):
            continue  # blank line
        report.rows += 1
        text = _cell(row, mapping.get("text"))
        if text is None:
            report.errors.append(RowError(line, "isi aduan kosong"))
            continue
        text = normalise_whitespace(str(text))
        if len(text) > MAX_TEXT:
            report.errors.append(RowError(line, f"isi aduan lebih dari {MAX_TEXT} karakter"))
            continue
        published = _date(_cell(row, mapping.get("date")))
        if published is False:
            report.errors.append(
                RowError(line, f"tanggal tidak terbaca: {_cell(row, mapping.get('date'))!r}")
            )
            continue
        author = _cell(row, mapping.get("author"))
        explicit_id = _cell(row, mapping.get("id"))
        if explicit_id is not None:
            external_id = f"id:{explicit_id}"
        else:
            digest = hashlib.sha256(f"{text}|{published}|{author}".encode()).hexdigest()[:32]
            external_id = f"row:{digest}"
        if external_id in seen:
            report.errors.append(RowError(line, f"duplikat baris {seen[external_id]}"))
            continue
        seen[external_id] = line
        title = _cell(row, mapping.get("title"))
        raw = {
            "file": file_name,
            "line": line,
            "region": _cell(row, mapping.get("region")),
            "contact": _cell(row, mapping.get("contact")),
            "columns": {h: _jsonable(_cell(row, i)) for i, h in enumerate(header) if h},
        }
        report.items.append(
            RawItem(
                external_id=external_id,
                url=_cell(row, mapping.get("url")),
                title=str(title) if title is not None else None,
                text=text,
                author=str(author) if author is not None else None,
                published_at=published if isinstance(published, datetime) else None,
                raw=raw,
            )
        )
    return report


def _date(value: Any) -> datetime | bool | None:
    """A datetime, None when empty, False when present but unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return parse_datetime(value.isoformat(), default_zone=8)  # spreadsheets are local
    parsed = parse_datetime(str(value), default_zone=8)
    return parsed if parsed is not None else False


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def manual_source(session: Session, name: str = "Input manual") -> int:
    """The id of the manual-intake source, created on first use."""
    return Source.ensure(session, SourceKind.MANUAL, name).id
