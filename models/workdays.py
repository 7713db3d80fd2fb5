"""Working-day arithmetic for follow-up deadlines (weekends and public holidays skipped)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["add_working_days", "is_working_day"]


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
