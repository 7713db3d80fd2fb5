"""Follow-up performance per SKPD, per kabupaten/kota and for the whole province.

Counted over the complaints forwarded in the period that are still at an SKPD or were
followed up (status diteruskan, ditindaklanjuti or selesai). A complaint returned as
"bukan wewenang" and forwarded again counts once, for the SKPD it is at now, with its
clock restarted at the new forwarding. A re-opened complaint counts as in progress.

- % ditindaklanjuti = (dalam proses + selesai) / n; % selesai; % dalam proses;
- working days to the first follow-up: median and 90th percentile (nearest rank), in
  working days after the forwarding day (``models/work_calendar.py``);
- on time: followed up by the deadline, counted only over complaints whose deadline has
  passed; overdue now; late but done (selesai, first follow-up after the deadline);
- ranked by the Wilson lower bound (95%) of the on-time rate, worst first, from n = 10
  forwarded complaints with a passed deadline; below that "belum diperingkat".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from models.agency import Agency
from models.complaint import Complaint
from models.enums import ComplaintStatus
from models.region import Region
from models.work_calendar import WorkDay
from reports.facts import ALL, ReportScope
from reports.follow_up import FORWARDED_STATUSES
from reports.sql import local_day

__all__ = [
    "MIN_RANKED",
    "Performance",
    "forwarded_in",
    "measures",
    "performance",
    "wilson_lower",
]

MIN_RANKED = 10
Z = 1.959964


def wilson_lower(successes: int, n: int, z: float = Z) -> float | None:
    """Lower bound of the Wilson score interval for ``successes`` of ``n``."""
    if n <= 0:
        return None
    p = successes / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - margin) / (1 + z * z / n)


@dataclass(slots=True)
class Performance:
    key: Any
    name: str
    n: int
    in_progress: int
    done: int
    due_passed: int
    on_time: int
    overdue: int
    late_done: int
    since: datetime | None
    median_days: int | None = None
    p90_days: int | None = None
    rank: int | None = None
    short: str = ""  # "Dinas PUPR Banjarmasin", for chart labels

    @property
    def followed(self) -> int:
        return self.in_progress + self.done

    def rate(self, part: int) -> float | None:
        return part / self.n if self.n else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due_passed if self.due_passed else None

    @property
    def wilson(self) -> float | None:
        return wilson_lower(self.on_time, self.due_passed)

    @property
    def ranked(self) -> bool:
        return self.n >= MIN_RANKED and self.due_passed >= MIN_RANKED


def forwarded_in(start: datetime, end: datetime, scope: ReportScope = ALL) -> list[Any]:
    """The complaints every follow-up figure counts: forwarded in [start, end), still at
    an SKPD or followed up."""
    base: list[Any] = [
        Complaint.status.in_(FORWARDED_STATUSES),
        Complaint.forwarded_at >= start,
        Complaint.forwarded_at < end,
    ]
    if scope.region_id is not None:
        base.append(Complaint.region_id == scope.region_id)
    if scope.agency_id is not None:
        base.append(Complaint.agency_id == scope.agency_id)
    return base


def measures(now: datetime) -> dict[str, Any]:
    """Each counted figure as a SQL condition, by the name the report links use."""
    passed = and_(Complaint.due_at.is_not(None), Complaint.due_at < now)
    return {
        "diteruskan": literal(True),
        "ditindaklanjuti": Complaint.status.in_(
            (ComplaintStatus.IN_PROGRESS, ComplaintStatus.DONE)
        ),
        "selesai": Complaint.status == ComplaintStatus.DONE,
        "proses": Complaint.status == ComplaintStatus.IN_PROGRESS,
        "lewat-tenggat": passed,
        "tepat-waktu": and_(
            passed,
            Complaint.first_follow_up_at.is_not(None),
            Complaint.first_follow_up_at <= Complaint.due_at,
        ),
        "terlambat": Complaint.is_overdue(now),
        "selesai-terlambat": and_(
            Complaint.status == ComplaintStatus.DONE,
            Complaint.due_at.is_not(None),
            Complaint.first_follow_up_at > Complaint.due_at,
        ),
    }


def performance(
    db: Session,
    group: str,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    offset_minutes: int,
    scope: ReportScope = ALL,
) -> list[Performance]:
    """``group`` is "skpd", "wilayah" or "provinsi" (one row over everything in scope).
    Rows ranked worst first, then the unranked by size."""
    key: Any = {
        "skpd": Complaint.agency_id,
        "wilayah": Complaint.region_id,
        "provinsi": literal(0),
    }[group]
    base = forwarded_in(start, end, scope)
    m = measures(now)
    passed, on_time, late_done = m["lewat-tenggat"], m["tepat-waktu"], m["selesai-terlambat"]

    def count(cond: Any) -> Any:
        return func.sum(case((cond, 1), else_=0))

    rows = db.execute(
        select(
            key.label("k"),
            func.count(),
            count(Complaint.status == ComplaintStatus.IN_PROGRESS),
            count(Complaint.status == ComplaintStatus.DONE),
            count(passed),
            count(on_time),
            count(Complaint.is_overdue(now)),
            count(late_done),
            func.min(Complaint.forwarded_at),
        )
        .select_from(Complaint)
        .where(*base)
        .group_by(key)
    ).all()
    out = {}
    for k, n, in_progress, done, passed_n, on_time_n, overdue, late, since in rows:
        c = [int(v or 0) for v in (n, in_progress, done, passed_n, on_time_n, overdue, late)]
        out[k] = Performance(k, "", c[0], c[1], c[2], c[3], c[4], c[5], c[6], since)
    for k, median, p90 in _percentiles(db, key, base, offset_minutes):
        if k in out:
            out[k].median_days, out[k].p90_days = median, p90
    _name(db, group, out)
    ranked = sorted((p for p in out.values() if p.ranked), key=lambda p: (p.wilson or 0, p.name))
    for i, p in enumerate(ranked, 1):
        p.rank = i
    rest = sorted((p for p in out.values() if not p.ranked), key=lambda p: (-p.n, p.name))
    return ranked + rest


def _percentiles(db: Session, key: Any, base: list[Any], offset: int) -> list[Any]:
    """Median and p90 of working days to the first follow-up, by window functions (the
    same SQL on SQLite and PostgreSQL)."""
    fwd, first = aliased(WorkDay), aliased(WorkDay)
    days = (first.workday_no - fwd.workday_no).label("wd")
    per = (
        select(
            key.label("k"),
            days,
            func.row_number().over(partition_by=key, order_by=days).label("rn"),
            func.count().over(partition_by=key).label("n"),
        )
        .select_from(Complaint)
        .join(fwd, fwd.day == local_day(Complaint.forwarded_at, offset))
        .join(first, first.day == local_day(Complaint.first_follow_up_at, offset))
        .where(*base, Complaint.first_follow_up_at.is_not(None))
        .subquery()
    )
    return list(
        db.execute(
            select(
                per.c.k,
                func.min(case((per.c.rn >= per.c.n * 0.5, per.c.wd))),
                func.min(case((per.c.rn >= per.c.n * 0.9, per.c.wd))),
            ).group_by(per.c.k)
        ).all()
    )


def _name(db: Session, group: str, out: dict[Any, Performance]) -> None:
    if group == "provinsi":
        for p in out.values():
            p.name = "Semua kabupaten/kota"
        return
    ids = [k for k in out if k is not None]
    if group == "skpd":
        names = {
            i: (name, (shorts or [name])[0])
            for i, name, shorts in db.execute(
                select(Agency.id, Agency.name, Agency.short_names).where(Agency.id.in_(ids))
            )
        }
    else:
        names = {
            i: (name, name)
            for i, name in db.execute(select(Region.id, Region.name).where(Region.id.in_(ids)))
        }
    for k, p in out.items():
        p.name, p.short = names.get(k, ("(belum ditentukan)", "(belum ditentukan)"))
