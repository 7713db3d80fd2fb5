"""Report periods in local time (WITA): a month, an ISO week, or a range of days.

``2026-11`` is November 2026, ``2026-W48`` ISO week 48, ``2026-11-03..2026-11-17`` the
days from the 3rd to the 17th inclusive; all in ``Asia/Makassar`` unless told otherwise.
A period still running is compared with the same number of elapsed days of the previous
one, so a month on its 10th day is set against the first 10 days of the month before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

__all__ = [
    "Period",
    "PeriodError",
    "current_month",
    "last_complete",
    "month",
    "offset_minutes",
    "parse_period",
]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
MAX_RANGE_DAYS = 731


class PeriodError(ValueError):
    """A period the reports cannot read; the message says what is accepted."""


@dataclass(frozen=True, slots=True)
class Period:
    """Days ``first``..``last`` (inclusive, local dates) in time zone ``tz``."""

    code: str  # what the user typed, normalised: "2026-11", "2026-W48", "a..b"
    kind: str  # "month" | "week" | "range"
    first: date
    last: date
    tz: ZoneInfo

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{_MONTHS[self.first.month - 1]} {self.first.year}"
        if self.kind == "week":
            iso = self.first.isocalendar()
            return f"Minggu {iso.week} tahun {iso.year} ({self.first:%d/%m}–{self.last:%d/%m/%Y})"
        return f"{self.first:%d/%m/%Y} – {self.last:%d/%m/%Y}"

    def utc_bounds(self, last: date | None = None) -> tuple[datetime, datetime]:
        """[start, end) in UTC, from local midnight of ``first`` to the midnight after
        ``last`` (or after the given day)."""
        start = datetime.combine(self.first, time(0), tzinfo=self.tz).astimezone(UTC)
        end_day = (last or self.last) + timedelta(days=1)
        end = datetime.combine(end_day, time(0), tzinfo=self.tz).astimezone(UTC)
        return start, end

    def elapsed_last(self, now: datetime) -> date:
        """The last day counted: ``last``, or today when the period is still running."""
        today = now.astimezone(self.tz).date()
        return min(self.last, max(today, self.first))

    def is_running(self, now: datetime) -> bool:
        return self.first <= now.astimezone(self.tz).date() < self.last

    def previous(self) -> Period:
        """The period just before, of the same kind and length."""
        if self.kind == "month":
            first = self.first - relativedelta(months=1)
            return month(first.year, first.month, self.tz)
        if self.kind == "week":
            first = self.first - timedelta(days=7)
            iso = first.isocalendar()
            return Period(
                f"{iso.year}-W{iso.week:02d}", "week", first, first + timedelta(days=6), self.tz
            )
        last = self.first - timedelta(days=1)
        first = last - timedelta(days=self.days - 1)
        return Period(f"{first}..{last}", "range", first, last, self.tz)

    def comparable_previous(self, now: datetime) -> tuple[Period, date]:
        """The previous period and the last day of it to count: for a running period,
        as many days as have elapsed in this one."""
        prev = self.previous()
        if not self.is_running(now):
            return prev, prev.last
        elapsed = (self.elapsed_last(now) - self.first).days
        return prev, min(prev.last, prev.first + timedelta(days=elapsed))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "first": self.first, "last": self.last}


def month(year: int, number: int, tz: ZoneInfo) -> Period:
    first = date(year, number, 1)
    last = first + relativedelta(months=1) - timedelta(days=1)
    return Period(f"{year}-{number:02d}", "month", first, last, tz)


def parse_period(text: str, tz: ZoneInfo) -> Period:
    """``YYYY-MM``, ``YYYY-Www`` or ``YYYY-MM-DD..YYYY-MM-DD``."""
    text = (text or "").strip()
    try:
        if m := _MONTH.match(text):
            return month(int(m.group(1)), int(m.group(2)), tz)
        if m := _WEEK.match(text):
            year, week = int(m.group(1)), int(m.group(2))
            first = date.fromisocalendar(year, week, 1)
            return Period(f"{year}-W{week:02d}", "week", first, first + timedelta(days=6), tz)
        if m := _RANGE.match(text):
            first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
            if last < first:
                raise PeriodError(f"periode '{text}': tanggal akhir sebelum tanggal awal")
            if (last - first).days >= MAX_RANGE_DAYS:
                raise PeriodError(f"periode '{text}': paling panjang {MAX_RANGE_DAYS} hari")
            return Period(f"{first}..{last}", "range", first, last, tz)
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"periode '{text}' tidak valid: {exc}") from exc
    raise PeriodError(
        f"periode '{text}' tidak dikenal; pakai YYYY-MM (2026-11), YYYY-Www (2026-W48) "
        "atau YYYY-MM-DD..YYYY-MM-DD"
    )


def current_month(now: datetime, tz: ZoneInfo) -> Period:
    local = now.astimezone(tz)
    return month(local.year, local.month, tz)


def offset_minutes(tz: ZoneInfo, when: datetime) -> int:
    offset = when.astimezone(tz).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def last_complete(kind: str, now: datetime, tz: ZoneInfo) -> Period:
    """The last finished week (``weekly``) or month (``monthly``) before ``now``: what a
    scheduled run on Monday morning or on the 1st reports on."""
    today = now.astimezone(tz).date()
    if kind == "weekly":
        monday = today - timedelta(days=today.weekday() + 7)
        iso = monday.isocalendar()
        return parse_period(f"{iso.year}-W{iso.week:02d}", tz)
    if kind == "monthly":
        first = today.replace(day=1) - relativedelta(months=1)
        return month(first.year, first.month, tz)
    raise PeriodError(f"jenis laporan '{kind}' tidak dikenal; pilih weekly atau monthly")
