"""The list behind a report number: the items or complaints it counted, with the same
conditions (``reports/facts.py``, ``reports/topics.py``, ``reports/performance.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from models.complaint import Complaint
from models.item import Item
from models.source import Source
from reports.facts import ALL, ReportScope, item_facts
from reports.performance import forwarded_in, measures
from reports.recurring import WINDOW_DAYS
from reports.topics import NOT_COUNTED, Window

__all__ = ["NULL", "Drill", "drill_complaints", "drill_items"]

#: The value of a filter meaning "not known" (the "(belum ditentukan)" rows).
NULL = "kosong"
PAGE = 100


@dataclass(slots=True)
class Drill:
    """Filters from the link: each is None (any), NULL or a value."""

    topic: str | None = None
    agency: str | None = None
    region: str | None = None
    place: str | None = None
    previous: bool = False
    measure: str | None = None  # follow-up figures: a key of performance.measures


def _match(column: Any, value: str | None) -> Any:
    if value is None:
        return None
    if value == NULL:
        return column.is_(None)
    if column.type.python_type is int:
        try:
            return column == int(value)
        except ValueError:
            return column.is_(None) & column.is_not(None)  # nothing matches
    return column == value


def drill_items(
    db: Session, win: Window, drill: Drill, *, scope: ReportScope = ALL, page: int = 1
) -> tuple[list[Any], int]:
    """Relevant items of the window (or of the previous window, or of the 60 days of a
    recurring issue when ``place`` is given), newest first, and how many there are."""
    if drill.place:
        start, end = win.end - timedelta(days=WINDOW_DAYS), win.end
    elif drill.previous:
        start, end = win.prev_start, win.prev_end
    else:
        start, end = win.start, win.end
    facts = item_facts(start, end, offset_minutes=win.offset, scope=scope)
    conds = [
        c
        for c in (
            _match(facts.c.topic, drill.topic),
            _match(facts.c.agency_id, drill.agency),
            _match(facts.c.region_id, drill.region),
            facts.c.place_key == drill.place if drill.place else None,
        )
        if c is not None
    ]
    total = db.scalar(select(func.count()).select_from(facts).where(*conds)) or 0
    rows = db.execute(
        select(
            Item.id,
            facts.c.reported_at,
            Source.name,
            Source.kind,
            Item.title,
            Item.text,
            facts.c.topic,
            facts.c.complaint_id,
        )
        .join(Item, Item.id == facts.c.id)
        .join(Source, Source.id == Item.source_id)
        .where(*conds)
        .order_by(facts.c.reported_at.desc(), Item.id.desc())
        .limit(PAGE)
        .offset(PAGE * (page - 1))
    ).all()
    return list(rows), int(total)


def drill_complaints(
    db: Session,
    win: Window,
    drill: Drill,
    *,
    now: datetime,
    scope: ReportScope = ALL,
    page: int = 1,
) -> tuple[list[Complaint], int]:
    """Confirmed complaints of the window (topic report), or with ``measure`` the
    forwarded complaints behind a follow-up figure."""
    if drill.measure:
        conds = [*forwarded_in(win.start, win.end, scope), measures(now)[drill.measure]]
        order: Any = Complaint.forwarded_at.desc()
    else:
        start, end = (win.prev_start, win.prev_end) if drill.previous else (win.start, win.end)
        conds = [
            Complaint.status.not_in(NOT_COUNTED),
            and_(Complaint.created_at >= start, Complaint.created_at < end),
        ]
        if scope.region_id is not None:
            conds.append(Complaint.region_id == scope.region_id)
        if scope.agency_id is not None:
            conds.append(Complaint.agency_id == scope.agency_id)
        order = Complaint.created_at.desc()
    conds += [
        c
        for c in (
            _match(Complaint.topic, drill.topic),
            _match(Complaint.agency_id, drill.agency),
            _match(Complaint.region_id, drill.region),
        )
        if c is not None
    ]
    total = db.scalar(select(func.count()).select_from(Complaint).where(*conds)) or 0
    rows = db.scalars(
        select(Complaint)
        .where(*conds)
        .order_by(order, Complaint.id.desc())
        .limit(PAGE)
        .offset(PAGE * (page - 1))
    ).all()
    return list(rows), int(total)
