"""Follow-up rates per SKPD and per kabupaten/kota: how forwarded complaints were followed up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.complaint import Complaint
from models.enums import ComplaintStatus
from models.region import Region

__all__ = ["FORWARDED_STATUSES", "follow_up_rates"]

#: Complaints that reached an SKPD (the denominator of every follow-up rate).
FORWARDED_STATUSES = (
    ComplaintStatus.FORWARDED,
    ComplaintStatus.IN_PROGRESS,
    ComplaintStatus.DONE,
)


def follow_up_rates(db: Session, group: str, *, now: datetime) -> list[dict[str, Any]]:
    """Per SKPD (``group="skpd"``) or per kabupaten/kota: forwarded complaints, the share
    followed up (in progress + done), done, in progress, still waiting, and overdue now."""
    key, label_col, join_to = (
        (Complaint.agency_id, Agency.name, Agency)
        if group == "skpd"
        else (Complaint.region_id, Region.name, Region)
    )
    overdue = case((Complaint.is_overdue(now), 1), else_=0)
    rows = db.execute(
        select(
            label_col,
            func.count(),
            func.sum(case((Complaint.status == ComplaintStatus.IN_PROGRESS, 1), else_=0)),
            func.sum(case((Complaint.status == ComplaintStatus.DONE, 1), else_=0)),
            func.sum(overdue),
        )
        .join(join_to, join_to.id == key)
        .where(Complaint.status.in_(FORWARDED_STATUSES))
        .group_by(label_col)
        .order_by(label_col)
    ).all()
    out = []
    for name, total, in_progress, done, late in rows:
        followed = (in_progress or 0) + (done or 0)
        out.append(
            {
                "name": name,
                "total": total,
                "followed": followed / total if total else None,
                "done": (done or 0) / total if total else None,
                "in_progress": (in_progress or 0) / total if total else None,
                "waiting": total - followed,
                "overdue": late or 0,
            }
        )
    return out
