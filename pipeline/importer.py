"""Importing a spreadsheet of manually collected complaints: check every row, then store
the valid ones and process them, streaming the file twice so memory stays flat."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from aduan.progress import Progress
from collectors.base import RawItem
from collectors.manual import RowError, guess_mapping, iter_rows, manual_source
from collectors.store import store_items
from collectors.tables import read_table
from pipeline.process import process_new_items

__all__ = ["CheckReport", "ImportOutcome", "check_file", "import_file"]

BATCH = 1000
MAX_ERRORS_KEPT = 200


@dataclass(slots=True)
class CheckReport:
    mapping: dict[str, int]
    rows: int = 0
    valid: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS_KEPT
    error_count: int = 0


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    new: int
    already_stored: int
    tagged: int


def check_file(path: Path, overrides: Mapping[str, str] | None = None) -> CheckReport:
    """Read every row once; nothing is stored. Raises ValueError (TableError) with an
    Indonesian message when the file itself cannot be read."""
    header, rows = read_table(path)
    report = CheckReport(mapping=guess_mapping(header, overrides))
    for outcome in iter_rows(header, rows, report.mapping, file_name=path.name):
        report.rows += 1
        if isinstance(outcome, RowError):
            report.error_count += 1
            if len(report.errors) < MAX_ERRORS_KEPT:
                report.errors.append(outcome)
        else:
            report.valid += 1
    return report


def import_file(
    session: Session,
    path: Path,
    mapping: Mapping[str, int],
    *,
    model_dir: Path,
    now: datetime,
    progress: Callable[[str, int | None], Progress] | None = None,
) -> ImportOutcome:
    """Store the valid rows (in the caller's transaction: all of them or none), then
    cluster and tag them. Rows sharing a URL are kept: they are different reports.
    ``progress(label, total)`` makes a Progress for each stage (the CLI shows them)."""
    make = progress or (lambda label, total: Progress(label, total, terminal=False, every=30))
    header, rows = read_table(path)
    source_id = manual_source(session)
    new_ids: list[int] = []
    already = 0
    batch: list[RawItem] = []

    def flush() -> None:
        nonlocal already
        stored = store_items(session, source_id, batch, now=now, dedup_by_url=False)
        new_ids.extend(stored.new_ids)
        already += stored.duplicates
        batch.clear()

    with make("menyimpan baris", None) as bar:
        for outcome in iter_rows(header, rows, mapping, file_name=path.name):
            if isinstance(outcome, RawItem):
                batch.append(outcome)
                if len(batch) >= BATCH:
                    bar.advance(len(batch))
                    flush()
        if batch:
            bar.advance(len(batch))
            flush()
    with make("pengelompokan dan pelabelan", 2 * len(new_ids)) as bar:
        processed = process_new_items(
            session, new_ids, model_dir=model_dir, now=now, progress=bar.advance
        )
    return ImportOutcome(len(new_ids), already, processed.tagged)
