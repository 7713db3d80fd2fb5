"""Calendar arithmetic in SQL that reads the same on SQLite and PostgreSQL.

Timestamps are stored in UTC. Asia/Makassar has no daylight saving (always UTC+8), so a
fixed offset gives exact local dates. ``local_day_no`` counts days since Monday
1970-01-05, so ``local_day_no // 7`` is a Monday-to-Sunday week number.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, String, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

__all__ = ["EPOCH", "day_no", "local_day", "local_day_no", "local_month"]

#: Day 0 of ``local_day_no``: a Monday.
EPOCH = date(1970, 1, 5)
_EPOCH_JULIAN = 2440591.5  # julianday('1970-01-05 00:00')


def day_no(day: date) -> int:
    """``local_day_no`` of a local date, in Python."""
    return (day - EPOCH).days


class _Local(FunctionElement[Any]):
    inherit_cache = True  # the offset is a clause, so it is part of the cache key

    def __init__(self, column: ColumnElement[Any] | Any, offset_minutes: int) -> None:
        super().__init__(column, literal_column(str(int(offset_minutes))))

    def parts(self, compiler: Any, **kw: Any) -> tuple[str, int]:
        column, offset = self.clauses
        return compiler.process(column, **kw), int(offset.name)


class local_day(_Local):
    """The local date of a timestamp (``date``; text 'YYYY-MM-DD' on SQLite)."""

    inherit_cache = True

    type = Date()


class local_day_no(_Local):
    """Whole local days since Monday 1970-01-05."""

    inherit_cache = True

    type = Integer()


class local_month(_Local):
    """The local month of a timestamp as 'YYYY-MM'."""

    inherit_cache = True

    type = String()


def _pg_local(ts: str, offset: int) -> str:
    return f"(({ts}) AT TIME ZONE 'UTC' + interval '{offset} minutes')"


@compiles(local_day, "sqlite")
def _day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    ts, offset = element.parts(compiler, **kw)
    return f"date({ts}, '{offset:+d} minutes')"


@compiles(local_day)
def _day_pg(element: local_day, compiler: Any, **kw: Any) -> str:
    return f"CAST({_pg_local(*element.parts(compiler, **kw))} AS DATE)"


@compiles(local_day_no, "sqlite")
def _day_no_sqlite(element: local_day_no, compiler: Any, **kw: Any) -> str:
    ts, offset = element.parts(compiler, **kw)
    return f"CAST(julianday({ts}, '{offset:+d} minutes') - {_EPOCH_JULIAN} AS INTEGER)"


@compiles(local_day_no)
def _day_no_pg(element: local_day_no, compiler: Any, **kw: Any) -> str:
    local = _pg_local(*element.parts(compiler, **kw))
    return f"(CAST({local} AS DATE) - DATE '{EPOCH.isoformat()}')"


@compiles(local_month, "sqlite")
def _month_sqlite(element: local_month, compiler: Any, **kw: Any) -> str:
    ts, offset = element.parts(compiler, **kw)
    return f"strftime('%Y-%m', {ts}, '{offset:+d} minutes')"


@compiles(local_month)
def _month_pg(element: local_month, compiler: Any, **kw: Any) -> str:
    return f"to_char({_pg_local(*element.parts(compiler, **kw))}, 'YYYY-MM')"
