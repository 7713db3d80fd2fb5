from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from models.workdays import add_working_days

WITA = ZoneInfo("Asia/Makassar")


def test_weekend_is_skipped() -> None:
    friday = datetime(2026, 11, 20, 9, tzinfo=WITA)
    assert add_working_days(friday, 1, tz=WITA) == datetime(2026, 11, 23, 23, 59, 59, tzinfo=WITA)


def test_holidays_are_skipped() -> None:
    monday = datetime(2026, 11, 23, 9, tzinfo=WITA)
    due = add_working_days(monday, 3, tz=WITA, holidays={date(2026, 11, 24)})
    assert due.astimezone(WITA).date() == date(2026, 11, 27)


def test_local_date_decides_not_utc_date() -> None:
    # 23:30 UTC on Sunday is already Monday 07:30 in WITA.
    start = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert add_working_days(start, 1, tz=WITA).astimezone(WITA).date() == date(2026, 11, 24)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_working_days(datetime(2026, 1, 1), 1, tz=WITA)  # noqa: DTZ001


def test_working_days_between_counts_forward_and_back() -> None:
    from datetime import date

    from models.workdays import working_days_between

    fri, mon, wed = date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 2)
    assert working_days_between(fri, mon) == 1  # the weekend does not count
    assert working_days_between(fri, wed) == 3
    assert working_days_between(wed, fri) == -3
    assert working_days_between(mon, mon) == 0
    assert working_days_between(mon, wed, {date(2026, 12, 1)}) == 1  # a holiday
