"""Indonesian publication dates: aduan's parser (collectors/dates.py) against dateparser
on the forms news pages and posts use, with the expected UTC time of each.

    python -m bench.dates
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 11:00 WITA
CASES: list[tuple[str, datetime | None]] = [
    ("Kamis, 05 November 2015 16:09 WIB", datetime(2015, 11, 5, 9, 9, tzinfo=UTC)),
    ("23 Nov 2026 08:00 WITA", datetime(2026, 11, 23, 0, 0, tzinfo=UTC)),
    ("Senin (23/11/2026)", datetime(2026, 11, 22, 17, 0, tzinfo=UTC)),
    ("Senin, 23/11/2026 pukul 08.00 WITA", datetime(2026, 11, 23, 0, 0, tzinfo=UTC)),
    ("Rabu 02-12-2026 10:15", datetime(2026, 12, 2, 3, 15, tzinfo=UTC)),
    ("2 jam yang lalu", NOW - timedelta(hours=2)),
    ("5 menit lalu", NOW - timedelta(minutes=5)),
    ("sejam lalu", NOW - timedelta(hours=1)),
    ("3 hari yang lalu", NOW - timedelta(days=3)),
    ("Selasa, 1 Desember 2026 | 19:30 WIB", datetime(2026, 12, 1, 12, 30, tzinfo=UTC)),
    ("1 Agustus 2026", datetime(2026, 7, 31, 17, 0, tzinfo=UTC)),
    ("Diperbarui 10 Okt 2026, 07.45 WIB", datetime(2026, 10, 10, 0, 45, tzinfo=UTC)),
    ("Jumat, 4 Pebruari 2022 - 14:00 WIB", datetime(2022, 2, 4, 7, 0, tzinfo=UTC)),
    ("tanpa tanggal", None),
]


def _ours(text: str) -> datetime | None:
    from collectors.dates import parse_indonesian_datetime

    return parse_indonesian_datetime(text, now=NOW)


def _dateparser(text: str) -> datetime | None:
    import dateparser

    parsed = dateparser.parse(
        text,
        languages=["id"],
        settings={
            "RELATIVE_BASE": NOW.replace(tzinfo=None) + timedelta(hours=7),
            "TIMEZONE": "Asia/Jakarta",
            "TO_TIMEZONE": "UTC",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    return parsed.astimezone(UTC) if parsed else None


def score(name: str, fn: Callable[[str], datetime | None]) -> dict[str, object]:
    right, wrong = 0, []
    for text, expected in CASES:
        try:
            got = fn(text)
        except Exception as exc:
            got = None
            wrong.append(f"{text!r}: {exc.__class__.__name__}")
            continue
        if got == expected:
            right += 1
        else:
            wrong.append(f"{text!r}: {got} (expected {expected})")
    started = time.perf_counter()
    for _ in range(20):
        for text, _ in CASES:
            fn(text)
    rate = 20 * len(CASES) / (time.perf_counter() - started)
    return {"name": name, "right": right, "wrong": wrong, "per_s": round(rate)}


def main() -> list[dict[str, object]]:
    results = [score("aduan collectors.dates", _ours), score("dateparser", _dateparser)]
    for r in results:
        print(f"{r['name']}: {r['right']}/{len(CASES)} right, {r['per_s']:,} strings/s")
        for w in r["wrong"]:  # type: ignore[attr-defined]
            print(f"    {w}")
    return results


if __name__ == "__main__":
    main()
