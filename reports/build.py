"""One report for a period: every table and series the pages, files and charts show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier.taxonomy import load_taxonomy
from models.agency import Agency
from models.complaint import Complaint
from models.enums import RegionLevel
from models.region import Region
from models.work_calendar import CALENDAR_FIRST_YEAR, calendar_matches, ensure_work_calendar
from models.workdays import HolidayCalendar
from reports.facts import ALL, CAVEAT, ReportScope, item_facts
from reports.performance import Performance, performance
from reports.periods import Period
from reports.recurring import Recurring, recurring
from reports.spikes import Spike, spikes
from reports.sql import EPOCH, local_day_no, local_month
from reports.topics import Breakdown, Window, breakdown, window_for

__all__ = [
    "CAVEAT",
    "Report",
    "ScopeError",
    "build_report",
    "calendar_ready",
    "calendar_years",
    "prepare_calendar",
    "resolve_scope",
]

TREND_POINTS = 12


@dataclass(slots=True)
class Report:
    period: Period
    generated_at: datetime
    scope: ReportScope
    scope_label: str
    window: Window
    topics: list[Breakdown]
    agencies: list[Breakdown]
    regions: list[Breakdown]
    reporters: int  # distinct reporters over all relevant items of the period
    recurring: list[Recurring]
    spikes: list[Spike]
    follow_agency: list[Performance]
    follow_region: list[Performance]
    follow_province: list[Performance]
    trend: list[tuple[str, int, int]] = field(default_factory=list)  # label, items, complaints
    caveat: str = CAVEAT

    @property
    def items(self) -> int:
        return sum(r.items for r in self.topics)

    @property
    def items_prev(self) -> int:
        return sum(r.items_prev for r in self.topics)

    @property
    def complaints(self) -> int:
        return sum(r.complaints for r in self.topics)

    def headline(self) -> dict[str, Any]:
        province = self.follow_province[0] if self.follow_province else None
        return {
            "periode": self.period.label,
            "item relevan": self.items,
            "item relevan periode sebelumnya": self.items_prev,
            "aduan dikonfirmasi": self.complaints,
            "aduan diteruskan": province.n if province else 0,
            "% ditindaklanjuti": province.rate(province.followed) if province else None,
            "% selesai": province.rate(province.done) if province else None,
            "terlambat sekarang": province.overdue if province else 0,
            "masalah berulang": len(self.recurring),
            "lonjakan": sum(s.flagged for s in self.spikes),
        }


def calendar_years(period: Period, now: datetime) -> tuple[int, int]:
    return min(CALENDAR_FIRST_YEAR, period.first.year - 1), max(period.last.year, now.year) + 1


def prepare_calendar(db: Session, period: Period, now: datetime, holidays: HolidayCalendar) -> bool:
    """Make sure the working-day calendar covers the report (needs a write session)."""
    first, last = calendar_years(period, now)
    return ensure_work_calendar(db, first, last, holidays)


def calendar_ready(db: Session, period: Period, now: datetime, holidays: HolidayCalendar) -> bool:
    first, last = calendar_years(period, now)
    return calendar_matches(db, first, last, holidays)


def _scope_label(db: Session, scope: ReportScope) -> str:
    parts = []
    if scope.region_id is not None:
        parts.append(db.scalar(select(Region.name).where(Region.id == scope.region_id)) or "?")
    if scope.agency_id is not None:
        parts.append(db.scalar(select(Agency.name).where(Agency.id == scope.agency_id)) or "?")
    return " · ".join(parts) or "Provinsi Kalimantan Selatan (semua kabupaten/kota)"


def _trend(db: Session, report_period: Period, win: Window, scope: ReportScope) -> list[Any]:
    """Relevant items and confirmed complaints per month (a month report) or per week,
    the last 12 up to the end of the period."""
    monthly = report_period.kind == "month"
    first = report_period.first - (
        relativedelta(months=TREND_POINTS - 1) if monthly else timedelta(weeks=TREND_POINTS - 1)
    )
    if not monthly:
        first -= timedelta(days=first.weekday())
    start, _ = Period("", "range", first, report_period.last, report_period.tz).utc_bounds()
    facts = item_facts(start, win.end, offset_minutes=win.offset, scope=scope)
    bucket: Any = local_month(facts.c.reported_at, win.offset) if monthly else facts.c.day_no // 7
    items = dict(db.execute(select(bucket, func.count()).group_by(bucket)).tuples().all())
    cbucket: Any = (
        local_month(Complaint.created_at, win.offset)
        if monthly
        else local_day_no(Complaint.created_at, win.offset) // 7
    )
    cstmt = select(cbucket, func.count()).where(
        Complaint.created_at >= start, Complaint.created_at < win.end
    )
    if scope.region_id is not None:
        cstmt = cstmt.where(Complaint.region_id == scope.region_id)
    if scope.agency_id is not None:
        cstmt = cstmt.where(Complaint.agency_id == scope.agency_id)
    complaints = dict(db.execute(cstmt.group_by(cbucket)).tuples().all())
    out = []
    for i in range(TREND_POINTS):
        if monthly:
            day = first + relativedelta(months=i)
            key: Any = f"{day:%Y-%m}"
            label = f"{day:%m/%Y}"
        else:
            day = first + timedelta(weeks=i)
            key = (day - EPOCH).days // 7
            label = f"{day:%d/%m}"
        out.append((label, int(items.get(key, 0)), int(complaints.get(key, 0))))
    return out


def build_report(db: Session, period: Period, *, now: datetime, scope: ReportScope = ALL) -> Report:
    """Every table of the report (the working-day calendar must be ready:
    ``prepare_calendar``)."""
    win = window_for(period, now)
    label = load_taxonomy().topic_label
    topics = breakdown(db, "topik", win, scope=scope, topic_label=label)
    facts = item_facts(win.start, win.end, offset_minutes=win.offset, scope=scope)
    reporters = db.scalar(select(func.count(func.distinct(facts.c.reporter)))) or 0
    last_day = period.elapsed_last(now)
    found = recurring(db, win.end, offset_minutes=win.offset, scope=scope)
    rises = spikes(db, last_day, win.end, offset_minutes=win.offset, scope=scope)
    for group in found:
        group.topic_label = label(group.topic)
    for rise in rises:
        rise.topic_label = label(rise.topic)

    def follow(group: str) -> list[Performance]:
        return performance(
            db, group, win.start, win.end, now=now, offset_minutes=win.offset, scope=scope
        )

    return Report(
        period=period,
        generated_at=now,
        scope=scope,
        scope_label=_scope_label(db, scope),
        window=win,
        topics=topics,
        agencies=breakdown(db, "skpd", win, scope=scope, topic_label=label),
        regions=breakdown(db, "wilayah", win, scope=scope, topic_label=label),
        reporters=int(reporters),
        recurring=found,
        spikes=rises,
        follow_agency=follow("skpd"),
        follow_region=follow("wilayah"),
        follow_province=follow("provinsi"),
        trend=_trend(db, period, win, scope),
    )


class ScopeError(ValueError):
    """A kabupaten/kota or SKPD code the registry does not know (message for admins)."""


def resolve_scope(db: Session, kabupaten: str | None, skpd: str | None) -> ReportScope:
    """``--kabupaten 63.71`` (a Kemendagri code, or the name) and ``--skpd 6371-pupr``."""
    region_id = agency_id = None
    if kabupaten:
        wanted = kabupaten.strip().casefold()
        for rid, code, name, short in db.execute(
            select(Region.id, Region.code, Region.name, Region.short_name).where(
                Region.level.not_in((RegionLevel.DISTRICT, RegionLevel.VILLAGE))
            )
        ):
            if wanted in (code.casefold(), name.casefold(), short.casefold()):
                region_id = rid
                break
        else:
            raise ScopeError(f"kabupaten/kota '{kabupaten}' tidak dikenal (contoh: 63.71)")
    if skpd:
        agency_id = db.scalar(select(Agency.id).where(Agency.code == skpd.strip()))
        if agency_id is None:
            raise ScopeError(
                f"SKPD '{skpd}' tidak dikenal; lihat kodenya dengan 'aduan agencies list'"
            )
    return ReportScope(region_id, agency_id)
