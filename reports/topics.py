"""The topic report: relevant items and confirmed complaints by topic, by SKPD and by
kabupaten/kota for a period, against the previous period (the same elapsed days of it
while this one is still running), each with the number of distinct reporters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.complaint import Complaint
from models.enums import ComplaintStatus
from models.region import Region
from reports.facts import ALL, ReportScope, item_facts
from reports.periods import Period, offset_minutes

__all__ = ["DIMENSIONS", "Breakdown", "Window", "breakdown", "totals", "window_for"]

#: Report dimension -> label of its first column.
DIMENSIONS = {"topik": "Topik", "skpd": "SKPD", "wilayah": "Kabupaten/kota"}

#: Complaints that count as "confirmed": everything an admin made, unless later rejected.
NOT_COUNTED = (ComplaintStatus.REJECTED,)


@dataclass(frozen=True, slots=True)
class Window:
    """The current and the comparable previous time ranges, in UTC."""

    start: datetime
    end: datetime
    prev_start: datetime
    prev_end: datetime
    offset: int  # minutes east of UTC
    running: bool
    compared_days: int


def window_for(period: Period, now: datetime) -> Window:
    start, end = period.utc_bounds(period.elapsed_last(now) if period.is_running(now) else None)
    prev, prev_last = period.comparable_previous(now)
    prev_start, prev_end = prev.utc_bounds(prev_last)
    return Window(
        start,
        end,
        prev_start,
        prev_end,
        offset_minutes(period.tz, start),
        period.is_running(now),
        (prev_last - prev.first).days + 1,
    )


@dataclass(slots=True)
class Breakdown:
    key: Any  # topic code, agency id or region id (None = not known)
    name: str
    items: int = 0
    reporters: int = 0
    items_prev: int = 0
    complaints: int = 0
    complaints_prev: int = 0
    share: float | None = None  # of all relevant items of the period

    @property
    def change(self) -> int:
        return self.items - self.items_prev

    @property
    def change_pct(self) -> float | None:
        return (self.items - self.items_prev) / self.items_prev if self.items_prev else None


def _complaint_key(dim: str) -> Any:
    return {"topik": Complaint.topic, "skpd": Complaint.agency_id, "wilayah": Complaint.region_id}[
        dim
    ]


def _names(db: Session, dim: str, keys: set[Any], topic_label: Any) -> dict[Any, str]:
    if dim == "topik":
        return {k: topic_label(k) if k else "(belum ada topik)" for k in keys}
    model: Any = Agency if dim == "skpd" else Region
    ids = [k for k in keys if k is not None]
    names = dict(db.execute(select(model.id, model.name).where(model.id.in_(ids))).tuples().all())
    names[None] = "(belum ditentukan)"
    return names


def breakdown(
    db: Session,
    dim: str,
    win: Window,
    *,
    scope: ReportScope = ALL,
    topic_label: Any = str,
) -> list[Breakdown]:
    """Rows for ``dim`` ("topik", "skpd", "wilayah"), the largest first."""
    facts = item_facts(
        win.start,
        win.end,
        offset_minutes=win.offset,
        scope=scope,
        extra_window=(win.prev_start, win.prev_end),
    )
    key = {"topik": facts.c.topic, "skpd": facts.c.agency_id, "wilayah": facts.c.region_id}[dim]
    current = facts.c.reported_at >= win.start
    rows: dict[Any, Breakdown] = {}
    for k, items, reporters, prev in db.execute(
        select(
            key,
            func.sum(case((current, 1), else_=0)),
            func.count(func.distinct(case((current, facts.c.reporter)))),
            func.sum(case((current, 0), else_=1)),
        ).group_by(key)
    ):
        rows[k] = Breakdown(k, "", int(items or 0), int(reporters or 0), int(prev or 0))
    ckey = _complaint_key(dim)
    in_cur = and_(Complaint.created_at >= win.start, Complaint.created_at < win.end)
    in_prev = and_(Complaint.created_at >= win.prev_start, Complaint.created_at < win.prev_end)
    cstmt = select(
        ckey, func.sum(case((in_cur, 1), else_=0)), func.sum(case((in_prev, 1), else_=0))
    ).where(Complaint.status.not_in(NOT_COUNTED), in_cur | in_prev)
    if scope.region_id is not None:
        cstmt = cstmt.where(Complaint.region_id == scope.region_id)
    if scope.agency_id is not None:
        cstmt = cstmt.where(Complaint.agency_id == scope.agency_id)
    for k, cur, prev in db.execute(cstmt.group_by(ckey)):
        row = rows.setdefault(k, Breakdown(k, ""))
        row.complaints, row.complaints_prev = int(cur or 0), int(prev or 0)
    names = _names(db, dim, set(rows), topic_label)
    total = sum(r.items for r in rows.values())
    for row in rows.values():
        row.name = names.get(row.key, str(row.key))
        row.share = row.items / total if total else None
    return sorted(rows.values(), key=lambda r: (-r.items, -r.complaints, r.name))


def totals(rows: list[Breakdown]) -> dict[str, int]:
    return {
        "items": sum(r.items for r in rows),
        "items_prev": sum(r.items_prev for r in rows),
        "complaints": sum(r.complaints for r in rows),
        "complaints_prev": sum(r.complaints_prev for r in rows),
    }
