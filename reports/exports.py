"""Complaint exports in SP4N-LAPOR!'s field order, as CSV or XLSX, scoped to the reader."""

from __future__ import annotations

import csv
import io
from datetime import datetime, tzinfo

from openpyxl import Workbook
from sqlalchemy.orm import Session

from classifier.taxonomy import load_taxonomy
from triage.actions import Actor
from triage.complaint_query import ComplaintFilter, filter_complaints

__all__ = ["EXPORT_COLUMNS", "EXPORT_LIMIT", "export_rows", "to_csv", "to_xlsx"]

EXPORT_LIMIT = 50_000

#: Column order follows what an admin types into SP4N-LAPOR!'s form.
EXPORT_COLUMNS = (
    "Nomor Aduan",
    "ID SP4N-LAPOR!",
    "Tanggal Masuk",
    "Judul Laporan",
    "Isi Laporan",
    "Kategori",
    "Instansi Tujuan",
    "Lokasi Kabupaten/Kota",
    "Status",
    "Anonim",
    "Rahasia",
    "Kontak Pelapor",
    "Diteruskan",
    "Tenggat Tindak Lanjut",
    "Terlambat",
)


def export_rows(
    db: Session, flt: ComplaintFilter, actor: Actor, *, now: datetime, tz: tzinfo
) -> list[list[str]]:
    """The complaints ``actor`` may see under ``flt``, one row of text per complaint;
    contacts of anonymous or confidential reporters are left out."""
    taxonomy = load_taxonomy()
    stmt = filter_complaints(flt, actor, now=now).limit(EXPORT_LIMIT)

    def when(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = []
    for c in db.scalars(stmt):
        rows.append(
            [
                c.tracking_number or "",
                c.lapor_tracking_id or "",
                when(c.created_at),
                c.title,
                c.description,
                taxonomy.topic_label(c.topic),
                c.agency.name if c.agency else "",
                c.region.name if c.region else "",
                c.status.label,
                "Ya" if c.is_anonymous else "Tidak",
                "Ya" if c.is_confidential else "Tidak",
                "" if (c.is_anonymous or c.is_confidential) else (c.reporter_contact or ""),
                when(c.forwarded_at),
                when(c.due_at),
                "Ya" if c.is_overdue(now) else "Tidak",
            ]
        )
    return rows


def _cell_safe(value: str) -> str:
    """Spreadsheet apps run cells starting with = + - @ as formulas; keep them text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows([_cell_safe(v) for v in row] for row in rows)
    return buffer.getvalue()


def to_xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Aduan")
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append([_cell_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
