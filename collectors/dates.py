"""Reading publication times from Indonesian news pages and metadata."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from dateutil import parser as dateutil_parser

__all__ = ["parse_datetime", "parse_indonesian_datetime"]

MONTHS = {
    "jan": 1,
    "januari": 1,
    "feb": 2,
    "februari": 2,
    "peb": 2,
    "pebruari": 2,
    "mar": 3,
    "maret": 3,
    "apr": 4,
    "april": 4,
    "mei": 5,
    "may": 5,
    "jun": 6,
    "juni": 6,
    "jul": 7,
    "juli": 7,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "agustus": 8,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "okt": 10,
    "oktober": 10,
    "oct": 10,
    "nov": 11,
    "november": 11,
    "nop": 11,
    "nopember": 11,
    "des": 12,
    "desember": 12,
    "dec": 12,
}
ZONES = {"wib": 7, "wita": 8, "wit": 9, "gmt": 0, "utc": 0}
_ID_DATE = re.compile(
    r"(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3,9})\.?\s+(?P<year>\d{4})"
    r"(?:[\s,|\-–]+(?:pukul\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?)?"
    r"(?:\s*(?P<zone>WIB|WITA|WIT|GMT|UTC))?",
    re.IGNORECASE,
)


_NUMERIC_DATE = re.compile(
    r"(?<!\d)(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})(?!\d)\)?"
    r"(?:[\s,|\-–]+(?:pukul\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?)?"
    r"(?:\s*(?P<zone>WIB|WITA|WIT|GMT|UTC))?",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"(?P<n>\d{1,3}|se)\s*(?P<unit>detik|menit|jam|hari|minggu|pekan)\s+(?:yang\s+)?lalu",
    re.IGNORECASE,
)
_UNITS = {
    "detik": timedelta(seconds=1),
    "menit": timedelta(minutes=1),
    "jam": timedelta(hours=1),
    "hari": timedelta(days=1),
    "minggu": timedelta(weeks=1),
    "pekan": timedelta(weeks=1),
}


def _local(match: re.Match[str], month: int, default_zone: int) -> datetime | None:
    offset = ZONES.get((match["zone"] or "").lower(), default_zone)
    try:
        local = datetime(
            int(match["year"]),
            month,
            int(match["day"]),
            int(match["hour"] or 0),
            int(match["minute"] or 0),
            int(match["second"] or 0),
            tzinfo=timezone(timedelta(hours=offset)),
        )
    except ValueError:
        return None
    return local.astimezone(UTC)


def parse_indonesian_datetime(
    text: str, *, default_zone: int = 7, now: datetime | None = None
) -> datetime | None:
    """Indonesian dates in prose -> aware UTC datetime, ``None`` if none found:
    ``Kamis, 05 November 2015 16:09 WIB``, ``Senin (23/11/2026) pukul 08.00 WITA``, and,
    when ``now`` is given, ``2 jam yang lalu`` / ``sejam lalu`` / ``kemarin``."""
    found = _written(text, default_zone)
    if found is None:
        for match in _NUMERIC_DATE.finditer(text):
            found = _local(match, int(match["month"]), default_zone)
            if found is not None:
                break
    if found is None and now is not None:
        relative = _RELATIVE.search(text)
        if relative:
            n = 1 if relative["n"].lower() == "se" else int(relative["n"])
            found = now - n * _UNITS[relative["unit"].lower()]
        elif re.search(r"\bkemarin\b", text, re.IGNORECASE):
            found = now - timedelta(days=1)
    return found


def _written(text: str, default_zone: int) -> datetime | None:
    """``05 November 2015 16:09 WIB`` and the like (month in words)."""
    for match in _ID_DATE.finditer(text):
        month = MONTHS.get(match["month"].lower())
        if month is None:
            continue
        found = _local(match, month, default_zone)
        if found is not None:
            return found
    return None


def parse_datetime(value: str | None, *, default_zone: int = 7) -> datetime | None:
    """ISO 8601 and the usual meta-tag formats, then Indonesian prose; naive means WIB."""
    if not value or not value.strip():
        return None
    cleaned = re.sub(r"(\d)\s+T(\d)", r"\1T\2", value.strip())  # "2015-11-05 T10:08:58Z"
    try:
        parsed = dateutil_parser.isoparse(cleaned)
    except ValueError:
        try:
            parsed = dateutil_parser.parse(cleaned, dayfirst=True, fuzzy=False)
        except (ValueError, OverflowError):
            return parse_indonesian_datetime(value, default_zone=default_zone)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone(timedelta(hours=default_zone)))
    result: datetime = parsed.astimezone(UTC)
    return result
