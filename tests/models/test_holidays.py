"""The holiday calendar: bundled file, bad files, and deadlines counted with it."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from models.workdays import HolidayFileError, add_working_days, load_holidays

WITA = ZoneInfo("Asia/Makassar")


def test_bundled_calendar() -> None:
    cal = load_holidays()
    assert cal.name_of(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert date(2026, 3, 23) in cal  # cuti bersama Idul Fitri
    assert {2025, 2026} <= cal.complete_years
    assert all(d.weekday() < 7 for d in cal)


def test_idul_fitri_week_is_skipped() -> None:
    cal = load_holidays()
    # Thursday 19 Mar 2026 (Nyepi) forwarded at 09:00: 20, 23, 24 Mar are leave/holidays.
    start = datetime(2026, 3, 19, 9, 0, tzinfo=WITA)
    due = add_working_days(start, 3, tz=WITA, holidays=cal)
    assert due.astimezone(WITA).date() == date(2026, 3, 27)
    assert due.tzinfo == UTC


def test_incomplete_year_warns(caplog: pytest.LogCaptureFixture) -> None:
    cal = load_holidays()
    with caplog.at_level(logging.WARNING):
        assert cal.warn_if_incomplete(2027)
        assert not cal.warn_if_incomplete(2026)
    assert "2027" in caplog.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not: [valid", "tidak terbaca"),
        ("years: 3", "'years'"),
        ("years:\n  2026:\n    complete: true\n", "tanpa 'holidays'"),
        ("years:\n  2026:\n    holidays:\n      2025-01-01: salah tahun\n", "bukan tanggal"),
    ],
)
def test_bad_files_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "libur.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HolidayFileError, match=message):
        load_holidays(path)
