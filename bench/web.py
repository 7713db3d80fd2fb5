"""Server time of the web app's list pages on a big database.

Builds a SQLite file with --items pending items (each with a current suggestion;
every 5th item joins a cluster of 2-6 copies), --decisions items confirmed by an admin
(each decision linked to the suggestion it was taken on, as the model page reads them)
and --complaints complaints over all statuses (a share forwarded and overdue), then
requests each page --repeat times through the ASGI app in-process (no network in the
figure) and reports p50 and p95, and each page's p50 against the p50 of ``/healthz`` (the
app's bare floor: routing, a connection, SELECT 1) timed in the same run.

    python -m bench.web --items 100000 --complaints 50000 --decisions 20000
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from aduan.db import create_db_engine
from aduan.migrate import upgrade_database
from aduan.reference import load_agencies, load_regions
from aduan.settings import Settings
from classifier.taxonomy import load_taxonomy
from models import (
    Agency,
    Complaint,
    ComplaintStatus,
    Item,
    ItemSuggestion,
    Region,
    Source,
    SourceKind,
    TriageDecision,
    TriageState,
    User,
    UserRole,
    refresh_queue_clusters,
    utcnow,
)
from triage.accounts import hash_password

PASSWORD = "bench-password-123"  # noqa: S105  a throwaway benchmark account
PAGES = (
    "/antrean",
    "/antrean?hal=40",
    "/antrean?urut=uncertain",
    "/antrean?urut=largest",
    "/antrean?topik=transport&yakin_maks=60",
    "/aduan",
    "/aduan?hal=100",
    "/aduan?terlambat=1",
    "/aduan?status=forwarded&topik=infrastructure",
    "/model",
)


def build(engine: Engine, items: int, complaints: int, decisions: int = 0, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = utcnow()
    with Session(engine) as s, s.begin():
        load_regions(s)
        load_agencies(s)
        s.add(User(username="bench", password_hash=hash_password(PASSWORD), role=UserRole.ADMIN))
        sources = [Source(kind=k, name=f"bench {k.value}", config={}) for k in SourceKind]
        s.add_all(sources)
    with Session(engine) as s:
        source_ids = list(s.scalars(select(Source.id)))
        agency_ids = list(s.scalars(select(Agency.id)))
        region_ids = list(s.scalars(select(Region.id)))
    topics = list(load_taxonomy().topics)
    words = [
        "jalan",
        "rusak",
        "lampu",
        "mati",
        "banjir",
        "sampah",
        "KTP",
        "antre",
        "sekolah",
        "pungli",
        "drainase",
        "macet",
    ]
    batch = 5000
    next_id = 1
    with engine.begin() as conn:
        while next_id <= items + decisions:
            rows, suggestions = [], []
            for item_id in range(next_id, min(next_id + batch, items + decisions + 1)):
                decided = item_id > items
                cluster = item_id
                if item_id % 5 == 0 and item_id > 10:
                    cluster = item_id - rng.randint(1, 5)  # joins an earlier cluster
                text = " ".join(rng.choice(words) for _ in range(30))
                rows.append(
                    {
                        "id": item_id,
                        "source_id": rng.choice(source_ids),
                        "external_id": f"b{item_id}",
                        "text": text,
                        "content_hash": f"h{item_id}",
                        "published_at": now - timedelta(minutes=item_id),
                        "fetched_at": now,
                        "raw": {},
                        "cluster_id": item_id if decided else cluster,
                        "triage_state": TriageState.CONFIRMED if decided else TriageState.PENDING,
                    }
                )
                conf = rng.random()
                suggestions.append(
                    {
                        "item_id": item_id,
                        "topic": rng.choice(topics),
                        "topic_confidence": conf,
                        "agency_id": rng.choice(agency_ids),
                        "agency_confidence": min(1.0, conf + rng.random() * 0.2),
                        "confidence": conf,
                        # One in six reads like news, not a complaint ("kemungkinan bukan aduan").
                        "relevance": rng.random() * 0.5
                        if rng.random() < 1 / 6
                        else 0.5 + rng.random() / 2,
                        "region_id": rng.choice(region_ids),
                        "model_version": "bench",
                        "details": {"mentions": []},
                        "created_at": now,
                    }
                )
            conn.execute(insert(Item), rows)
            conn.execute(insert(ItemSuggestion), suggestions)
            next_id += batch
        shown = conn.execute(
            select(ItemSuggestion.id, ItemSuggestion.item_id, ItemSuggestion.topic).where(
                ItemSuggestion.item_id > items
            )
        ).all()
        for start in range(0, len(shown), batch):
            conn.execute(
                insert(TriageDecision),
                [
                    {
                        "item_id": item_id,
                        "suggestion_id": suggestion_id,
                        "state": TriageState.CONFIRMED,
                        # Four in five keep the suggested topic, as a model in use would see.
                        "topic": topic if rng.random() < 0.8 else rng.choice(topics),
                        "agency_id": rng.choice(agency_ids),
                        "decided_at": now - timedelta(minutes=item_id),
                    }
                    for suggestion_id, item_id, topic in shown[start : start + batch]
                ],
            )
        statuses = list(ComplaintStatus)
        done = 0
        while done < complaints:
            rows = []
            for n in range(done, min(done + batch, complaints)):
                status = rng.choice(statuses)
                created = now - timedelta(hours=n)
                forwarded = status in (ComplaintStatus.FORWARDED, ComplaintStatus.IN_PROGRESS)
                rows.append(
                    {
                        "tracking_number": f"ADU-2026-{n + 1:06d}",
                        "title": " ".join(rng.choice(words) for _ in range(8)),
                        "description": " ".join(rng.choice(words) for _ in range(60)),
                        "topic": rng.choice(topics),
                        "agency_id": rng.choice(agency_ids),
                        "region_id": rng.choice(region_ids),
                        "status": status,
                        "created_at": created,
                        "forwarded_at": created if forwarded else None,
                        "due_at": created + timedelta(days=5) if forwarded else None,
                        "is_anonymous": False,
                        "is_confidential": False,
                    }
                )
            conn.execute(insert(Complaint), rows)
            done += batch
    with Session(engine) as s, s.begin():
        refresh_queue_clusters(s, range(1, items + 1))
    # No ANALYZE: a deployment never runs it on these tables (only the ingest flow, on its
    # bucket tables), so the pages are measured with the plans SQLite picks without
    # statistics. (An ANALYZE here used to be rolled back with its connection, unnoticed.)


def measure(engine: Engine, data_dir: Path, repeat: int) -> dict[str, dict[str, float]]:
    import re

    from fastapi.testclient import TestClient

    from web.app import create_app

    settings = Settings(data_dir=data_dir)
    app = create_app(settings=settings, engine=engine)
    results: dict[str, dict[str, float]] = {}
    with TestClient(app) as client:
        page = client.get("/login")
        token = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert token is not None  # noqa: S101  benchmark setup
        client.post(
            "/login",
            data={"username": "bench", "password": PASSWORD, "form_token": token.group(1)},
        )
        for url in ("/healthz", *PAGES):
            client.get(url)  # warm caches
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {response.status_code}")
            times.sort()
            results[url] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
            }
    floor = results["/healthz"]["p50_ms"] or 0.1
    for figures in results.values():
        figures["x_floor"] = round(figures["p50_ms"] / floor, 1)
    return results


def run(items: int, complaints: int, repeat: int = 40, decisions: int = 0) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_db_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade_database(engine)
        start = time.perf_counter()
        build(engine, items, complaints, decisions)
        built = time.perf_counter() - start
        pages = measure(engine, Path(tmp), repeat)
        engine.dispose()
    return {
        "items": items,
        "complaints": complaints,
        "decisions": decisions,
        "build_s": round(built, 1),
        "pages": pages,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--complaints", type=int, default=50_000)
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args(argv)
    result = run(args.items, args.complaints, args.repeat, args.decisions)
    print(
        f"{result['items']} pending items, {result['decisions']} decided, "
        f"{result['complaints']} complaints (built in {result['build_s']} s); server time "
        f"per page, {args.repeat} requests:"
    )
    for url, t in result["pages"].items():
        print(
            f"  {url:48s} p50 {t['p50_ms']:7.1f} ms   p95 {t['p95_ms']:7.1f} ms"
            f"   p50 {t['x_floor']:5.1f}x the floor"
        )


if __name__ == "__main__":
    main()
