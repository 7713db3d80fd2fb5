"""Manual intake: complaints gathered by hand (CSV or XLSX), e.g. while SP4N-LAPOR! is down.

The file is read as a stream (``collectors.tables``), twice: every row is validated
first, then stored; by default a file is all-or-nothing. Each row gets a stable
external id (the mapped id column, or a hash of its content), so importing the same
file again adds nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from collectors.base import RawItem
from collectors.dates import parse_datetime
from collectors.normalize import normalise_whitespace
from models.enums import SourceKind
from models.source import Source

__all__ = [
    "FIELDS",
    "RowError",
    "guess_mapping",
    "iter_rows",
    "manual_source",
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


def iter_rows(
    header: list[str], rows: Iterator[list[Any]], mapping: Mapping[str, int], *, file_name: str
) -> Iterator[RawItem | RowError]:
    """One outcome per non-blank row, as the file is read: an item, or why the row is
    refused. Rows sharing a URL are distinct reports; rows with the same id (or the same
    text, date and author) in one file are one report."""
    seen: dict[str, int] = {}
    for offset, row in enumerate(rows):
        line = offset + 2
        if not any(str(c or "").strip() for c in row):
            continue  # blank line
        text = _cell(row, mapping.get("text"))
        if text is None:
            yield RowError(line, "isi aduan kosong")
            continue
        text = normalise_whitespace(str(text))
        if len(text) > MAX_TEXT:
            yield RowError(line, f"isi aduan lebih dari {MAX_TEXT} karakter")
            continue
        date_cell = _cell(row, mapping.get("date"))
        published = _date(date_cell)
        if published is False:
            yield RowError(line, f"tanggal tidak terbaca: {_shown(date_cell)}")
            continue
        author = _cell(row, mapping.get("author"))
        explicit_id = _cell(row, mapping.get("id"))
        if explicit_id is not None:
            external_id = f"id:{str(explicit_id)[:200]}"
        else:
            digest = hashlib.sha256(f"{text}|{published}|{author}".encode()).hexdigest()[:32]
            external_id = f"row:{digest}"
        if external_id in seen:
            yield RowError(line, f"duplikat baris {seen[external_id]}")
            continue
        seen[external_id] = line
        title = _cell(row, mapping.get("title"))
        raw = {
            "file": file_name,
            "line": line,
            "region": _short(_cell(row, mapping.get("region"))),
            "contact": _short(_cell(row, mapping.get("contact"))),
            "columns": {h: _short(_jsonable(_cell(row, i))) for i, h in enumerate(header) if h},
        }
        yield RawItem(
            external_id=external_id,
            url=_short(_cell(row, mapping.get("url"))),
            title=str(title)[:1000] if title is not None else None,
            text=text,
            author=str(author)[:200] if author is not None else None,
            published_at=published if isinstance(published, datetime) else None,
            raw=raw,
        )


def _short(value: Any, limit: int = 2000) -> Any:
    """Spreadsheet cells kept beside the item: long ones cut (the text has its own check)."""
    return value[:limit] if isinstance(value, str) else value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _date(value: Any) -> datetime | bool | None:
    """A datetime, None when empty, False when present but unreadable (a time of day
    without a date is unreadable too)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return parse_datetime(value.isoformat(), default_zone=8)  # spreadsheets are local
    if isinstance(value, date):
        return parse_datetime(value.isoformat(), default_zone=8)
    if isinstance(value, time | timedelta):
        return False
    parsed = parse_datetime(str(value), default_zone=8)
    return parsed if parsed is not None else False


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return value


def manual_source(session: Session, name: str = "Input manual") -> int:
    """The id of the manual-intake source, created on first use."""
    return Source.ensure(session, SourceKind.MANUAL, name).id
