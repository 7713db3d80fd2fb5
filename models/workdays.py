"""Working days for follow-up deadlines: the holiday calendar (Indonesian public holidays
and cuti bersama), working-day arithmetic, and how deadlines are counted."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

__all__ = [
    "HOLIDAYS_FILE",
    "Deadlines",
    "HolidayCalendar",
    "HolidayFileError",
    "add_working_days",
    "is_working_day",
    "load_holidays",
    "working_days_between",
]

HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays_id.yaml"
log = logging.getLogger(__name__)


class HolidayFileError(ValueError):
    """The holidays file cannot be read; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    days: dict[date, str]
    complete_years: frozenset[int]
    listed_years: frozenset[int]

    def __contains__(self, day: object) -> bool:
        return day in self.days

    def __iter__(self) -> Iterator[date]:
        return iter(self.days)

    def __len__(self) -> int:
        return len(self.days)

    def name_of(self, day: date) -> str | None:
        return self.days.get(day)

    def warn_if_incomplete(self, year: int) -> bool:
        """Log (and return True) when deadlines in ``year`` may skip too few holidays."""
        if year in self.complete_years:
            return False
        log.warning(
            "holiday calendar has no complete list for %s: deadlines skip weekends and "
            "fixed-date holidays only (update ADUAN_HOLIDAYS_FILE)",
            year,
        )
        return True


def _parse(path: Path) -> HolidayCalendar:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise HolidayFileError(f"berkas hari libur {path} tidak terbaca: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
        raise HolidayFileError(f"berkas hari libur {path}: kunci 'years' tidak ada")
    days: dict[date, str] = {}
    complete: set[int] = set()
    for year, block in data["years"].items():
        if not isinstance(block, dict) or not isinstance(block.get("holidays"), dict):
            raise HolidayFileError(f"berkas hari libur {path}: tahun {year} tanpa 'holidays'")
        if block.get("complete", False):
            complete.add(int(year))
        for day, name in block["holidays"].items():
            if not isinstance(day, date) or day.year != int(year):
                raise HolidayFileError(
                    f"berkas hari libur {path}: tanggal {day!r} bukan tanggal tahun {year}"
                )
            days[day] = str(name)
    return HolidayCalendar(
        days=days,
        complete_years=frozenset(complete),
        listed_years=frozenset(int(y) for y in data["years"]),
    )


@lru_cache(maxsize=4)
def load_holidays(path: Path | None = None) -> HolidayCalendar:
    """The holiday calendar from ``path`` (default: the bundled Indonesian list)."""
    return _parse(path or HOLIDAYS_FILE)


def is_working_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(
    start: datetime, days: int, *, tz: ZoneInfo, holidays: Collection[date] = ()
) -> datetime:
    """The end (23:59:59 local time) of the ``days``-th working day after ``start``'s date.

    Forwarded on Friday 15:00 WITA with 3 days -> due Wednesday 23:59:59 WITA.
    The result is in UTC.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if days < 0:
        raise ValueError("days must not be negative")
    day = start.astimezone(tz).date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            remaining -= 1
    end_of_day = datetime.combine(day, time(23, 59, 59), tzinfo=tz)
    return end_of_day.astimezone(UTC)


def working_days_between(start: date, end: date, holidays: Collection[date] = ()) -> int:
    """Working days after ``start`` up to and including ``end``; negative (the working
    days after ``end`` up to and including ``start``) when ``end`` is before ``start``."""
    sign, first, last = (1, start, end) if end >= start else (-1, end, start)
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += is_working_day(day, holidays)
    return sign * count


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How follow-up deadlines are counted: built once from the settings and the holiday
    file by the entry point (web app, CLI, flow) and passed to the complaint lifecycle."""

    follow_up_days: int
    tz: ZoneInfo
    holidays: HolidayCalendar

    def working_days_left(self, due_at: datetime, now: datetime) -> int:
        """Working days from today until the due day: 0 = due today, negative = late by
        that many working days."""
        return working_days_between(
            now.astimezone(self.tz).date(), due_at.astimezone(self.tz).date(), self.holidays
        )

    def due_at(self, forwarded_at: datetime) -> datetime:
        """When an SKPD must have followed up a complaint forwarded at ``forwarded_at``."""
        self.holidays.warn_if_incomplete(forwarded_at.astimezone(self.tz).year)
        return add_working_days(
            forwarded_at, self.follow_up_days, tz=self.tz, holidays=self.holidays
        )
