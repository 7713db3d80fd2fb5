"""Recurring issues: the same problem at the same place, reported again and again.

Definition (docs/decisions.md, "Recurring issues"):
- a **group** is the relevant items with the same topic, the same kabupaten/kota and the
  same place key (a named road, landmark or facility, ``classifier/places.py``);
- a **report** is a near-duplicate cluster, not an item: one story on five news sites or
  a retweet storm is one report;
- a group **qualifies** when, within the 60 days ending on the report's last day, it has
  at least 3 reports from at least 2 distinct reporters (author at a source, or a source
  when there is no author) in at least 2 distinct weeks (Monday to Sunday, WITA);
- **kambuh**: an item of the group was reported after one of its complaints was marked
  selesai (and that complaint is still selesai).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from models.complaint import Complaint
from models.enums import ComplaintStatus
from models.region import Region
from models.source import Source
from reports.facts import ALL, ReportScope, item_facts

__all__ = ["MIN_REPORTERS", "MIN_REPORTS", "MIN_WEEKS", "WINDOW_DAYS", "Recurring", "recurring"]

WINDOW_DAYS = 60
MIN_REPORTS = 3
MIN_REPORTERS = 2
MIN_WEEKS = 2


@dataclass(slots=True)
class Recurring:
    topic: str
    region_id: int
    region: str
    place_key: str
    reports: int
    items: int
    reporters: int
    sources: int
    weeks: int
    first: datetime
    last: datetime
    district_id: int | None = None
    district: str | None = None
    topic_label: str = ""
    complaint_id: int | None = None
    complaint_number: str | None = None
    status: ComplaintStatus | None = None
    kambuh: bool = False
    complaints: list[int] = field(default_factory=list)
    source_names: list[str] = field(default_factory=list)


def recurring(
    db: Session,
    end: datetime,
    *,
    offset_minutes: int,
    scope: ReportScope = ALL,
) -> list[Recurring]:
    """Qualifying groups in the 60 days before ``end`` (UTC), most reports first."""
    facts = item_facts(
        end - timedelta(days=WINDOW_DAYS), end, offset_minutes=offset_minutes, scope=scope
    )
    group = (facts.c.topic, facts.c.region_id, facts.c.place_key)
    week = facts.c.day_no // 7
    stmt = (
        select(
            *group,
            func.count(func.distinct(facts.c.cluster)),
            func.count(),
            func.count(func.distinct(facts.c.reporter)),
            func.count(func.distinct(facts.c.source_id)),
            func.count(func.distinct(week)),
            func.min(facts.c.reported_at),
            func.max(facts.c.reported_at),
            func.max(facts.c.place_district_id),
        )
        .where(
            facts.c.place_key.is_not(None),
            facts.c.place_key != "",
            facts.c.topic.is_not(None),
            facts.c.region_id.is_not(None),
        )
        .group_by(*group)
        .having(
            func.count(func.distinct(facts.c.cluster)) >= MIN_REPORTS,
            func.count(func.distinct(facts.c.reporter)) >= MIN_REPORTERS,
            func.count(func.distinct(week)) >= MIN_WEEKS,
        )
    )
    found: dict[tuple[Any, ...], Recurring] = {}
    for topic, region_id, key, *counts, first, last, dist in db.execute(stmt):
        reports, items, reporters, sources, weeks = (int(n) for n in counts)
        found[(topic, region_id, key)] = Recurring(
            topic, region_id, "", key, reports, items, reporters, sources, weeks,
            _aware(first), _aware(last), district_id=dist,
        )  # fmt: skip
    if not found:
        return []
    _attach_complaints(db, facts, found)
    _attach_sources(db, facts, found)
    names = dict(
        db.execute(
            select(Region.id, Region.name).where(
                Region.id.in_(
                    {g.region_id for g in found.values()}
                    | {g.district_id for g in found.values() if g.district_id}
                )
            )
        )
        .tuples()
        .all()
    )
    for g in found.values():
        g.region = names.get(g.region_id, "")
        g.district = names.get(g.district_id) if g.district_id else None
    return sorted(found.values(), key=lambda g: (-g.reports, -g.last.timestamp(), g.place_key))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _by_group(
    db: Session, facts: Any, found: dict[tuple[Any, ...], Recurring], *columns: Any, join: Any
) -> list[Any]:
    """``columns`` of what each qualifying group joins to (distinct), with its key first."""
    group = (facts.c.topic, facts.c.region_id, facts.c.place_key)
    return list(
        db.execute(
            select(*group, *columns)
            .join(*join)
            .where(tuple_(*group).in_(list(found)))
            .distinct()
            .order_by(*columns[:1])
        )
    )


def _attach_sources(db: Session, facts: Any, found: dict[tuple[Any, ...], Recurring]) -> None:
    rows = _by_group(db, facts, found, Source.name, join=(Source, Source.id == facts.c.source_id))
    for topic, region_id, key, name in rows:
        found[(topic, region_id, key)].source_names.append(name)


def _attach_complaints(db: Session, facts: Any, found: dict[tuple[Any, ...], Recurring]) -> None:
    """The complaints of each group: the newest one's status, and the kambuh flag."""
    rows = _by_group(
        db,
        facts,
        found,
        Complaint.id,
        Complaint.tracking_number,
        Complaint.status,
        Complaint.finished_at,
        join=(Complaint, Complaint.id == facts.c.complaint_id),
    )
    for topic, region_id, key, cid, number, status, finished in rows:
        g = found[(topic, region_id, key)]
        g.complaints.append(cid)
        g.complaint_id, g.complaint_number, g.status = cid, number, status
        if status is ComplaintStatus.DONE and finished is not None and _aware(finished) < g.last:
            g.kambuh = True
