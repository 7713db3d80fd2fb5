"""What the reports count, defined once: relevant items with their topic, place and
reporter, and the scope a reader may see.

A **relevant item** is a post or article that an admin made into (or merged into) a
complaint, or one still in the queue whose current suggestion says it reads like a
complaint (relevance >= ``RELEVANCE_THRESHOLD``). Rejected items count nowhere: an admin
said they are not a complaint, spam, someone else's business or a duplicate.

Its topic, SKPD and kabupaten/kota are the complaint's when it has one (the admin's
correction wins), otherwise the current suggestion's. Its **reporter** is the author at
the source ("sumber:penulis"); a feed entry without an author counts as its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select
from sqlalchemy.sql import Select, Subquery

from classifier.predict import RELEVANCE_THRESHOLD
from models.complaint import Complaint
from models.enums import OPEN_TRIAGE_STATES, TriageState
from models.item import Item, ItemSuggestion
from reports.sql import local_day_no

__all__ = ["ALL", "CAVEAT", "ReportScope", "item_facts", "relevant_condition"]

#: Printed on every report, in every format.
CAVEAT = (
    "Catatan: item dari X dan berita daring mengukur perhatian publik di internet, "
    "bukan seberapa sering suatu masalah terjadi."
)


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Whose figures: one kabupaten/kota and/or one SKPD (None = all)."""

    region_id: int | None = None
    agency_id: int | None = None

    def as_params(self) -> dict[str, Any]:
        return {k: v for k, v in (("wilayah", self.region_id), ("skpd", self.agency_id)) if v}


#: Everything (no kabupaten/kota or SKPD filter).
ALL = ReportScope()


def relevant_condition() -> ColumnElement[bool]:
    decided = Item.triage_state.in_((TriageState.CONFIRMED, TriageState.MERGED))
    looks_like = and_(
        Item.triage_state.in_(OPEN_TRIAGE_STATES),
        ItemSuggestion.relevance >= RELEVANCE_THRESHOLD,
    )
    return or_(decided, looks_like)


def item_facts(
    start: datetime,
    end: datetime,
    *,
    offset_minutes: int,
    scope: ReportScope = ALL,
    extra_window: tuple[datetime, datetime] | None = None,
) -> Subquery:
    """One row per relevant item reported in [start, end) (or in ``extra_window``):
    id, reported_at, day_no (local), source_id, reporter, cluster (a key shared by the
    items of one near-duplicate cluster), topic, region_id, agency_id, complaint_id,
    place_key, place_district_id."""
    reported = Item.reported_at()
    when = and_(reported >= start, reported < end)
    if extra_window is not None:
        when = or_(when, and_(reported >= extra_window[0], reported < extra_window[1]))
    topic = func.coalesce(Complaint.topic, ItemSuggestion.topic)
    region = func.coalesce(Complaint.region_id, ItemSuggestion.region_id)
    agency = func.coalesce(Complaint.agency_id, ItemSuggestion.agency_id)
    stmt: Select[Any] = (
        select(
            Item.id.label("id"),
            reported.label("reported_at"),
            local_day_no(reported, offset_minutes).label("day_no"),
            Item.source_id.label("source_id"),
            (
                cast(Item.source_id, String)
                + ":"
                + func.coalesce(func.lower(func.trim(Item.author)), "")
            ).label("reporter"),
            func.coalesce(Item.cluster_id, -Item.id).label("cluster"),
            topic.label("topic"),
            region.label("region_id"),
            agency.label("agency_id"),
            Item.complaint_id.label("complaint_id"),
            Item.place_key.label("place_key"),
            Item.place_district_id.label("place_district_id"),
        )
        .select_from(Item)
        .outerjoin(ItemSuggestion, ItemSuggestion.is_current(Item.id))
        .outerjoin(Complaint, Complaint.id == Item.complaint_id)
        .where(when, relevant_condition())
    )
    if scope.region_id is not None:
        stmt = stmt.where(region == scope.region_id)
    if scope.agency_id is not None:
        stmt = stmt.where(agency == scope.agency_id)
    return stmt.subquery("facts")
