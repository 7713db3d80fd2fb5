"""The working-day calendar in the database: reports count working days in SQL with it.

``workday_no`` counts working days (Monday to Friday, not a public holiday or cuti
bersama) from the first row up to and including ``day``; the working days between two
dates are the difference of their numbers. A follow-up on the day of forwarding is 0
working days, forwarded on Friday and followed up on Monday is 1.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Date, delete, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.workdays import HolidayCalendar, is_working_day

__all__ = ["CALENDAR_FIRST_YEAR", "WorkDay", "calendar_matches", "ensure_work_calendar"]

#: The calendar starts here (or earlier, for a report on an earlier period).
CALENDAR_FIRST_YEAR = 2015


class WorkDay(Base):
    __tablename__ = "work_calendar"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday_no: Mapped[int]


def _rows(first: date, last: date, holidays: HolidayCalendar) -> list[tuple[date, int]]:
    rows = []
    number = 0
    day = first
    while day <= last:
        number += is_working_day(day, holidays)
        rows.append((day, number))
        day += timedelta(days=1)
    return rows


def calendar_matches(
    session: Session, first_year: int, last_year: int, holidays: HolidayCalendar
) -> bool:
    """Whether the table holds exactly ``first_year``..``last_year`` under ``holidays``
    (a read: about 365 rows a year, compared in a few milliseconds)."""
    expected = _rows(date(first_year, 1, 1), date(last_year, 12, 31), holidays)
    stored = session.execute(select(WorkDay.day, WorkDay.workday_no).order_by(WorkDay.day)).all()
    return [tuple(r) for r in stored] == expected


def ensure_work_calendar(
    session: Session, first_year: int, last_year: int, holidays: HolidayCalendar
) -> bool:
    """Make the table hold exactly ``first_year``..``last_year`` under ``holidays``:
    rewritten when the years or the holiday file changed. Returns whether it wrote."""
    if calendar_matches(session, first_year, last_year, holidays):
        return False
    expected = _rows(date(first_year, 1, 1), date(last_year, 12, 31), holidays)
    session.execute(delete(WorkDay))
    session.execute(insert(WorkDay), [{"day": d, "workday_no": n} for d, n in expected])
    return True
