"""Parsing query strings and form choices shared by the pages: days, topics, numbers,
and the topic / SKPD / region lists of the selects."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.taxonomy import load_taxonomy
from models.agency import Agency
from models.enums import RegionLevel, RejectReason
from models.region import Region
from web.core import Ctx, FormError

__all__ = [
    "Choices",
    "choice",
    "load_choices",
    "page_number",
    "parse_day_range",
    "parse_float",
    "parse_int",
    "parse_topic",
    "reject_reason",
]


@dataclass(frozen=True, slots=True)
class Choices:
    topics: list[tuple[str, str]]
    agencies: list[tuple[int, str]]
    regions: list[tuple[int, str]]
    # The same SKPD grouped by region: the province first, then each kabupaten/kota.
    agency_groups: list[tuple[str, list[tuple[int, str]]]]


def load_choices(db: Session) -> Choices:
    taxonomy = load_taxonomy()
    agencies = db.execute(
        select(Agency.id, Agency.name, Region.name, Region.level)
        .join(Region, Region.id == Agency.region_id)
        .where(Agency.active.is_(True))
        .order_by(Agency.name)
    ).all()
    groups: dict[str, list[tuple[int, str]]] = {}
    for agency_id, name, region, _level in sorted(
        agencies, key=lambda a: (a[3] is not RegionLevel.PROVINCE, a[2], a[1])
    ):
        groups.setdefault(region, []).append((agency_id, name))
    regions = db.execute(
        select(Region.id, Region.name)
        .where(Region.level.not_in((RegionLevel.DISTRICT, RegionLevel.VILLAGE)))
        .order_by(Region.level, Region.name)
    ).all()
    return Choices(
        topics=[(code, t.label) for code, t in taxonomy.topics.items()],
        agencies=[(a[0], a[1]) for a in agencies],
        regions=[(r[0], r[1]) for r in regions],
        agency_groups=list(groups.items()),
    )


def _parse_day(value: str | None, tz: tzinfo, warnings: list[str], name: str) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007  a date, zone below
    except ValueError:
        warnings.append(f"tanggal '{name}' tidak sah (format TTTT-BB-HH), diabaikan")
        return None
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def parse_topic(params: Any, warnings: list[str]) -> str | None:
    """``topik`` when it is a topic of the taxonomy."""
    topic = params.get("topik")
    if topic and topic not in load_taxonomy().topics:
        warnings.append("topik tidak dikenal, diabaikan")
        return None
    return topic or None


def parse_day_range(
    params: Any, tz: tzinfo, warnings: list[str]
) -> tuple[datetime | None, datetime | None]:
    """``dari`` and ``sampai`` (both inclusive, local days) as a half-open UTC range."""
    start = _parse_day(params.get("dari"), tz, warnings, "dari")
    until = _parse_day(params.get("sampai"), tz, warnings, "sampai")
    return start, until + timedelta(days=1) if until else None


def parse_float(value: str | None, warnings: list[str], name: str) -> float | None:
    if not value:
        return None
    try:
        number = float(value.replace(",", ".").rstrip("%"))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        warnings.append(f"nilai '{name}' bukan angka, diabaikan")
        return None
    if number > 1:
        number /= 100  # typed as a percentage
    return min(max(number, 0.0), 1.0)


def parse_int(value: str | None, warnings: list[str], name: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        warnings.append(f"pilihan '{name}' tidak sah, diabaikan")
        return None
    return int(value)


def page_number(value: str | None) -> int:
    if value and value.isdigit() and len(value) < 6:
        return max(1, int(value))
    return 1


def choice(ctx: Ctx, name: str, valid: set[Any]) -> int | None:
    value = ctx.int_field(name)
    if value is not None and value not in valid:
        raise FormError(f"pilihan '{name}' tidak dikenal")
    return value


def reject_reason(ctx: Ctx, name: str = "alasan") -> RejectReason:
    value = ctx.field(name, required=True, max_chars=40)
    try:
        return RejectReason(value)
    except ValueError as exc:
        raise FormError("alasan penolakan tidak dikenal") from exc
