"""Indonesian publication dates: written, numeric and relative forms, with the zone."""

from __future__ import annotations

import pytest

from bench.dates import CASES, NOW, _ours


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_indonesian_dates_parse_to_utc(text: str, expected: object) -> None:
    assert _ours(text) == expected


def test_relative_dates_need_a_reference_time() -> None:
    from collectors.dates import parse_indonesian_datetime

    assert parse_indonesian_datetime("2 jam yang lalu") is None
    assert parse_indonesian_datetime("2 jam yang lalu", now=NOW) is not None
