"""Collector pipeline throughput: parse -> normalise -> mention detection -> dedup/store.

The recorded feeds in ../shared/fixtures/rss are replicated until the stream holds at
least --items items. Each replica rewrites ids and links and perturbs the words, so most
items are new; every 10th replica keeps the text, so near-duplicates exist too. Items
are stored in a SQLite file in batches and clustered through the LSH index. Resident
memory is sampled every 10% of the stream: it must stay flat as the stream grows.

    python -m bench.pipeline --items 100000
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from aduan.db import create_db_engine
from aduan.migrate import upgrade_database
from aduan.reference import load_agencies, load_regions
from classifier.mentions import build_gazetteer
from collectors.base import RawItem
from collectors.dedup import cluster_items
from collectors.rss import parse_feed
from collectors.store import store_items
from models import Source, SourceKind, utcnow

SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "rss"
VOCAB = [
    "jalan",
    "rusak",
    "lampu",
    "mati",
    "sampah",
    "banjir",
    "sekolah",
    "puskesmas",
    "ktp",
    "parkir",
    "pasar",
    "warga",
    "kecamatan",
    "kelurahan",
    "dinas",
    "banjarmasin",
    "banjarbaru",
    "martapura",
    "tolong",
    "mohon",
    "segera",
    "air",
    "keruh",
    "bansos",
    "macet",
    "trotoar",
    "jembatan",
    "drainase",
]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _words(match: re.Match[bytes], rng: random.Random) -> bytes:
    return match.group(1) + b" ".join(w.encode() for w in rng.choices(VOCAB, k=40)) + b" "


def replicated_feeds(total: int) -> Iterator[tuple[int, bytes]]:
    """(replica number, feed document) until about ``total`` entries were produced."""
    documents = [p.read_bytes() for p in sorted(SHARED.glob("*.xml"))]
    replica = -1
    while True:  # the caller stops once it has seen enough items
        replica += 1
        rng = random.Random(replica)
        for doc in documents:
            tag = f"r{replica}".encode()
            doc = re.sub(rb"(<guid[^>]*>)", rb"\1" + tag + b"-", doc)
            doc = re.sub(rb"(<link>)(https?://[^<]+)", rb"\1\2?" + tag, doc)
            doc = re.sub(rb'(rdf:about=")', rb"\1" + tag, doc)
            if replica % 10:  # a new story: enough new words that it is no near-duplicate
                doc = re.sub(rb"(<title>|<description>)", lambda m, rng=rng: _words(m, rng), doc)
            yield replica, doc


def run(total: int, batch: int = 500) -> dict[str, float]:
    logging.getLogger("collectors").setLevel(logging.ERROR)  # malformed fixtures, by design
    workdir = Path(tempfile.mkdtemp(prefix="aduan-bench-"))
    engine = create_db_engine(f"sqlite:///{workdir / 'bench.db'}")
    upgrade_database(engine)
    with Session(engine) as session, session.begin():
        load_regions(session)
        load_agencies(session)
        source = Source(kind=SourceKind.RSS, name="bench", config={})
        session.add(source)
        session.flush()
        source_id = source.id
        gazetteer = build_gazetteer(session)

    timings = {"parse_normalise": 0.0, "mentions": 0.0, "store": 0.0, "dedup": 0.0}
    memory: list[tuple[int, float]] = []
    pending: list[RawItem] = []
    seen = mentions = clustered = 0
    next_sample = total // 10
    started = time.perf_counter()

    def flush() -> None:
        nonlocal clustered
        with Session(engine) as session, session.begin():
            t0 = time.perf_counter()
            stored = store_items(session, source_id, pending, now=utcnow())
            t1 = time.perf_counter()
            clustered += cluster_items(session, stored.new_ids, now=utcnow())
            t2 = time.perf_counter()
        timings["store"] += t1 - t0
        timings["dedup"] += t2 - t1
        pending.clear()

    for _replica, document in replicated_feeds(total):
        t0 = time.perf_counter()
        result = parse_feed(document, base_url="http://bench.local/feed", cursor={}, now=utcnow())
        t1 = time.perf_counter()
        for item in result.items:
            mentions += len(gazetteer.find(f"{item.title}\n{item.text}"))
        timings["parse_normalise"] += t1 - t0
        timings["mentions"] += time.perf_counter() - t1
        for item in result.items:
            pending.append(item)
            seen += 1
            if len(pending) >= batch:
                flush()
            if seen >= next_sample:
                memory.append((seen, _rss_mb()))
                next_sample += total // 10
        if seen >= total:
            break
    if pending:
        flush()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return {
        "items": seen,
        "seconds": elapsed,
        "items_per_second": seen / elapsed,
        "joined_clusters": clustered,
        "mentions": mentions,
        **{f"{k}_s": v for k, v in timings.items()},
        "memory": memory,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args(argv)
    result = run(args.items)
    print(
        f"items: {result['items']}  time: {result['seconds']:.1f} s  "
        f"throughput: {result['items_per_second']:.0f} items/s"
    )
    print(
        "stage seconds: "
        + ", ".join(f"{k[:-2]}={result[k]:.1f}" for k in result if k.endswith("_s"))
    )
    print(
        f"joined an existing cluster: {result['joined_clusters']}  "
        f"mentions found: {result['mentions']}"
    )
    print(
        "resident memory (items -> MB): "
        + ", ".join(f"{n}->{mb:.0f}" for n, mb in result["memory"])
    )


if __name__ == "__main__":
    main()
