"""Report queries on a big database: 1,000,000 complaints and 3,000,000 items.

Builds (once, then reuses) a SQLite file with --items items over three years (each with
a current suggestion; a share in near-duplicate clusters, a share naming one of 2,000
places) and --complaints complaints forwarded to the Banjarmasin/Banjar/... SKPD with
follow-ups early, late and missing. Times each report part for a finished month and for
a month that is still running, the whole ``aduan report`` command, and a bare floor in
the same run: one indexed count of the month's items (the least a topic table can do).

    python -m bench.reports --items 3000000 --complaints 1000000 --db var/bench-reports.db
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aduan.db import create_db_engine
from aduan.migrate import upgrade_database
from aduan.reference import load_agencies, load_regions
from models import Agency, Item, Region
from models.workdays import load_holidays
from reports.build import build_report, prepare_calendar
from reports.facts import ALL
from reports.performance import performance
from reports.periods import parse_period
from reports.recurring import recurring
from reports.spikes import spikes
from reports.topics import breakdown, window_for

TOPICS = ("infrastructure", "transport", "education", "population_admin", "public_order", "health")
START = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 3 * 365
CHUNK = 50_000


def _ts(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.000000")


def build(path: Path, items: int, complaints: int, seed: int = 3) -> None:
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    with Session(engine) as s, s.begin():
        load_regions(s)
        load_agencies(s)
        regions = [r for (r,) in s.execute(select(Region.id).where(Region.code.like("63.__")))]
        agencies = [a for (a,) in s.execute(select(Agency.id))]
    engine.dispose()
    rnd = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute(
        "INSERT INTO sources (id, kind, name, config, enabled, cursor, consecutive_failures,"
        " created_at) VALUES (1, 'x', 'bench x', '{}', 1, '{}', 0, ?), "
        "(2, 'rss', 'bench news', '{}', 1, '{}', 0, ?)",
        (_ts(START), _ts(START)),
    )
    places = [f"jalan bench {n} km {n % 40}" for n in range(2000)]
    step = DAYS * 86400 / complaints
    for base in range(0, complaints, CHUNK):
        rows = []
        for i in range(base, min(base + CHUNK, complaints)):
            created = START + timedelta(seconds=i * step)
            forwarded = created + timedelta(hours=2)
            due = forwarded + timedelta(days=4)
            fate = rnd.random()
            follow = forwarded + timedelta(days=rnd.choice((0, 1, 2, 3, 6))) if fate < 0.8 else None
            status = "done" if fate < 0.5 else "in_progress" if follow else "forwarded"
            rows.append(
                (
                    f"ADU-{i}",
                    "bench",
                    "bench",
                    rnd.choice(TOPICS),
                    rnd.choice(agencies),
                    rnd.choice(regions),
                    status,
                    _ts(created),
                    _ts(created),
                    _ts(forwarded),
                    _ts(follow) if follow else None,
                    _ts(follow + timedelta(days=1)) if status == "done" and follow else None,
                    _ts(due),
                    0,
                    0,
                )
            )
        db.executemany(
            "INSERT INTO complaints (tracking_number, title, description, topic, agency_id,"
            " region_id, status, created_at, verified_at, forwarded_at, first_follow_up_at,"
            " finished_at, due_at, is_anonymous, is_confidential)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    db.commit()
    step = DAYS * 86400 / items
    for base in range(0, items, CHUNK):
        item_rows, sugg_rows = [], []
        for i in range(base, min(base + CHUNK, items)):
            when = _ts(START + timedelta(seconds=i * step))
            cluster = i // 4 if i % 10 < 3 else None
            place = rnd.choice(places) if i % 20 == 0 else ""
            linked = rnd.randint(1, complaints) if i % 3 == 0 else None
            item_rows.append(
                (
                    i + 1,
                    1 + i % 2,
                    f"b{i}",
                    f"bench post {i}",
                    when,
                    when,
                    "{}",
                    f"h{i}",
                    cluster,
                    place,
                    "confirmed" if linked else "pending",
                    linked,
                    f"u{rnd.randint(1, 50_000)}",
                )
            )
            sugg_rows.append(
                (
                    i + 1,
                    rnd.choice(TOPICS),
                    rnd.choice(agencies),
                    rnd.choice(regions),
                    rnd.random(),
                    when,
                )
            )
        db.executemany(
            "INSERT INTO items (id, source_id, external_id, text, published_at, fetched_at, raw,"
            " content_hash, cluster_id, place_key, triage_state, complaint_id, author)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            item_rows,
        )
        db.executemany(
            "INSERT INTO item_suggestions (item_id, topic, topic_confidence, agency_id,"
            " agency_confidence, region_id, region_confidence, relevance, confidence,"
            " needs_review, model_version, details, created_at)"
            " VALUES (?,?,0.8,?,0.7,?,0.9,?,0.7,0,'bench','{}',?)",
            sugg_rows,
        )
        db.commit()
    db.execute("ANALYZE")
    db.commit()
    db.close()


def _time(fn: Any, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def measure(path: Path, period_code: str, now: datetime) -> dict[str, float]:
    engine = create_db_engine(f"sqlite:///{path}")
    period = parse_period(period_code, ZoneInfo("Asia/Makassar"))
    with Session(engine) as s, s.begin():
        prepare_calendar(s, period, now, load_holidays())
    win = window_for(period, now)
    out: dict[str, float] = {}
    with Session(engine) as s:
        out["floor: count the month's items"] = _time(
            lambda: s.scalar(
                select(func.count()).where(
                    Item.reported_at() >= win.start, Item.reported_at() < win.end
                )
            )
        )
        out["topic table"] = _time(lambda: breakdown(s, "topik", win, scope=ALL))
        out["follow-up table (SKPD)"] = _time(
            lambda: performance(s, "skpd", win.start, win.end, now=now, offset_minutes=win.offset)
        )
        out["recurring issues"] = _time(lambda: recurring(s, win.end, offset_minutes=win.offset))
        out["spikes"] = _time(
            lambda: spikes(s, period.elapsed_last(now), win.end, offset_minutes=win.offset)
        )
        out["whole report (build_report)"] = _time(
            lambda: build_report(s, period, now=now), repeat=1
        )
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=3_000_000)
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("var/bench-reports.db"))
    args = parser.parse_args(argv)
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        build(args.db, args.items, args.complaints)
        print(f"built {args.db} in {time.perf_counter() - t:.0f} s")
    now = START + timedelta(days=DAYS - 10)  # near the end of the data
    results = {}
    for label, code in (("finished month", "2026-10"), ("running month", f"{now:%Y-%m}")):
        results[label] = measure(args.db, code, now)
        print(f"\n{label} ({code}):")
        for name, seconds in results[label].items():
            print(f"  {name:34s} {seconds:7.3f} s")
    env = {**os.environ, "ADUAN_DATABASE_URL": f"sqlite:///{args.db.resolve()}"}
    t = time.perf_counter()
    subprocess.run(  # noqa: S603  our own CLI, fixed arguments
        [
            str(Path(sys.executable).parent / "aduan"),
            "report",
            "--period",
            "2026-10",
            "--format",
            "xlsx",
            "--out",
            str(args.db.with_suffix(".xlsx")),
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    results["aduan report --format xlsx (process)"] = {"seconds": time.perf_counter() - t}
    print(f"\naduan report --period 2026-10 --format xlsx: {time.perf_counter() - t:.1f} s")
    return results


if __name__ == "__main__":
    main()
