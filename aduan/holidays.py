"""Indonesian public holidays and collective leave, for working-day deadlines."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

__all__ = ["HOLIDAYS_FILE", "HolidayCalendar", "HolidayFileError", "load_holidays"]

HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays_id.yaml"
log = logging.getLogger(__name__)


class HolidayFileError(ValueError):
    """The holidays file cannot be read; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    days: dict[date, str]
    complete_years: frozenset[int]
    listed_years: frozenset[int]

    def __contains__(self, day: object) -> bool:
        return day in self.days

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.days)

    def __len__(self) -> int:
        return len(self.days)

    def name_of(self, day: date) -> str | None:
        return self.days.get(day)

    def warn_if_incomplete(self, year: int) -> bool:
        """Log (and return True) when deadlines in ``year`` may skip too few holidays."""
        if year in self.complete_years:
            return False
        log.warning(
            "holiday calendar has no complete list for %s: deadlines skip weekends and "
            "fixed-date holidays only (update ADUAN_HOLIDAYS_FILE)",
            year,
        )
        return True


def _parse(path: Path) -> HolidayCalendar:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise HolidayFileError(f"berkas hari libur {path} tidak terbaca: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
        raise HolidayFileError(f"berkas hari libur {path}: kunci 'years' tidak ada")
    days: dict[date, str] = {}
    complete: set[int] = set()
    for year, block in data["years"].items():
        if not isinstance(block, dict) or not isinstance(block.get("holidays"), dict):
            raise HolidayFileError(f"berkas hari libur {path}: tahun {year} tanpa 'holidays'")
        if block.get("complete", False):
            complete.add(int(year))
        for day, name in block["holidays"].items():
            if not isinstance(day, date) or day.year != int(year):
                raise HolidayFileError(
                    f"berkas hari libur {path}: tanggal {day!r} bukan tanggal tahun {year}"
                )
            days[day] = str(name)
    return HolidayCalendar(
        days=days,
        complete_years=frozenset(complete),
        listed_years=frozenset(int(y) for y in data["years"]),
    )


@lru_cache(maxsize=4)
def load_holidays(path: Path | None = None) -> HolidayCalendar:
    """The holiday calendar from ``path`` (default: the bundled Indonesian list)."""
    return _parse(path or HOLIDAYS_FILE)
