"""Reading an admin's spreadsheet (CSV or XLSX) row by row, without holding the file in
memory, and saying in Indonesian what is wrong with a file that cannot be read."""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["TableError", "read_table"]

#: A cell may be this long before the CSV reader refuses it (the row check says more).
csv.field_size_limit(16 * 1024 * 1024)
_PROBE = 64 * 1024


class TableError(ValueError):
    """The file cannot be read as a table; the message is for the admin."""


def read_table(path: Path) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and a streaming iterator over the rows of a CSV (delimiter sniffed, UTF-8 or
    Windows-1252) or XLSX file. Call again for a second pass over the same file."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix not in (".csv", ".txt"):
        raise TableError(f"format berkas tidak didukung: {path.suffix} (pakai .csv atau .xlsx)")
    return _read_csv(path)


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[list[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise TableError(
            f"berkas {path.name} bukan XLSX yang bisa dibaca (kosong atau rusak): "
            f"{exc.__class__.__name__}"
        ) from exc
    sheet = workbook.active
    if sheet is None:
        workbook.close()
        raise TableError(f"berkas {path.name} tidak punya lembar kerja")
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        workbook.close()
        raise TableError(f"berkas {path.name} kosong: tidak ada baris judul kolom")
    header = [str(c or "").strip() for c in first]

    def body() -> Iterator[list[Any]]:
        try:
            for row in rows:
                yield list(row)
        finally:
            workbook.close()

    return header, body()


def _encoding_of(path: Path) -> str:
    """UTF-8 when the whole file decodes as UTF-8 (checked in chunks), else Windows-1252;
    a file that looks like binary data is refused."""
    with path.open("rb") as f:
        probe = f.read(_PROBE)
        if not probe.strip():
            raise TableError(f"berkas {path.name} kosong")
        control = sum(1 for b in probe if b < 32 and b not in (9, 10, 13))
        if control > len(probe) * 0.05:
            raise TableError(f"berkas {path.name} bukan CSV teks (isinya data biner)")
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = probe
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = f.read(1024 * 1024)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _read_csv(path: Path) -> tuple[list[str], Iterator[list[Any]]]:
    encoding = _encoding_of(path)
    handle = path.open(encoding=encoding, errors="replace", newline="")
    sample = handle.read(8192)
    handle.seek(0)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(handle, dialect)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        handle.close()
        raise TableError(f"baris judul {path.name} tidak terbaca sebagai CSV: {exc}") from exc

    def body() -> Iterator[list[Any]]:
        try:
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise TableError(f"baris {reader.line_num}: CSV rusak ({exc})") from exc
                yield row
        finally:
            handle.close()

    return header, body()
