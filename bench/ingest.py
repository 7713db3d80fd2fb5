"""Ingest throughput through the real entry point, ``aduan ingest``, against a bare floor
timed in the same run.

Builds N feed entries across N/200 feeds on 8 loopback "sites" (127.0.0.1 ... 127.0.0.8,
each its own HTTP server with a robots.txt): half are Surabaya complaint texts from
../shared/data, half the real news entries of ../shared/fixtures/rss; every entry has a
unique id and link, and an article page whose text is longer than the feed's summary.
Texts used more than once get random words woven in (a new story), except every 10th
use, which stays a near-duplicate. Then:

* the floor: feedparser on the same feed documents, plus the same model's topic, agency
  and relevance predictions for the same entries, in one process;
* ``aduan ingest --json`` on a fresh database (SQLite by default, or ``--database-url``),
  with the memory of its whole process tree (CLI and Prefect server) sampled twice a
  second; its own stage timings come from the flow's report.

With ``--prefect-server`` the run uses a standing Prefect API server started by the
benchmark beforehand (as a deployment runs: `prefect server start` next to `aduan serve`),
so the process tree measured is the ingest's own: the CLI and its page worker.

    python -m bench.ingest --items 20000
    python -m bench.ingest --items 100000
    python -m bench.ingest --items 20000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_ingest
    python -m bench.ingest --items 100000 --prefect-server
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import html
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import feedparser
import psutil

from bench.classifier_quality import DATA

SHARED_RSS = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "rss"
PER_FEED = 200
HOSTS = 8
SUMMARY_CHARS = 240
CONCURRENT_STAGES = {"article_fetch", "extraction"}


# --------------------------------------------------------------------------- the corpus
def _complaints() -> list[tuple[str, str]]:
    with DATA.open(encoding="utf-8") as handle:
        rows = [row["keluhan"].strip() for row in csv.DictReader(handle)]
    return [(text.split(".")[0][:90], text) for text in rows if len(text) > 40]


def _news() -> list[tuple[str, str]]:
    out = []
    for path in sorted(SHARED_RSS.glob("*.xml")):
        for entry in feedparser.parse(path.read_bytes()).entries:
            title = re.sub(r"<[^>]+>", " ", entry.get("title", "")).strip()
            text = re.sub(r"<[^>]+>", " ", entry.get("summary", "")).strip()
            if title or text:
                out.append((title or text[:90], text or title))
    return out


def _weave(text: str, vocabulary: list[str], rng: random.Random) -> str:
    """A new story from an old text: a random word after every second word."""
    words = text.split()
    out = []
    for i, word in enumerate(words):
        out.append(word)
        if i % 2:
            out.append(rng.choice(vocabulary))
    return " ".join(out)


def build_entries(total: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    complaints, news = _complaints(), _news()
    vocabulary = sorted({w for _, t in complaints[:3000] + news for w in t.split() if w.isalpha()})
    start = datetime(2026, 11, 1, tzinfo=UTC)
    entries = []
    used: dict[tuple[int, int], int] = {}
    for i in range(total):
        pool, kind = (complaints, 0) if i % 2 == 0 else (news, 1)
        index = (i // 2) % len(pool)
        uses = used[(kind, index)] = used.get((kind, index), 0) + 1
        title, text = pool[index]
        if uses > 1 and uses % 10:
            title, text = _weave(title, vocabulary, rng), _weave(text, vocabulary, rng)
        entries.append(
            {
                "id": f"e{i}",
                "title": title,
                "text": text,
                "host": str(i // PER_FEED % HOSTS + 1),
                "published": format_datetime(start + timedelta(seconds=97 * i)),
            }
        )
    return entries


def feed_document(feed: int, entries: list[dict[str, str]], base: str) -> bytes:
    items = "".join(
        f"<item><title>{escape(e['title'])}</title><link>{base}/artikel/{e['id']}</link>"
        f"<guid isPermaLink='false'>bench-{e['id']}</guid><pubDate>{e['published']}</pubDate>"
        f"<description>{escape(e['text'][:SUMMARY_CHARS])}</description></item>"
        for e in entries
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Situs {feed}</title><link>{base}/</link><description>bench</description>"
        f"{items}</channel></rss>"
    ).encode()


def article_page(entry: dict[str, str]) -> bytes:
    title = html.escape(entry["title"])
    paragraphs = "".join(
        f"<p>{html.escape(p)}</p>" for p in re.split(r"(?<=\.)\s+", entry["text"]) if p
    )
    return (
        "<!doctype html><html lang='id'><head><meta charset='utf-8'>"
        f"<title>{title}</title><meta property='og:title' content='{title}'>"
        f"<meta property='article:published_time' content='2026-11-20T08:00:00+08:00'>"
        "</head><body><nav><a href='/'>Beranda</a> <a href='/daerah'>Daerah</a></nav>"
        f"<article><h1>{title}</h1><div class='author'>Tim Redaksi</div>{paragraphs}"
        "<p>Warga berharap pemerintah daerah segera menindaklanjuti laporan ini.</p>"
        "</article><footer>Hak cipta redaksi. Dilarang mengutip tanpa izin.</footer>"
        "</body></html>"
    ).encode()


# ------------------------------------------------------------------------ the loopback
class Sites:
    """HOSTS loopback HTTP servers; each serves its feeds, robots.txt and article pages."""

    def __init__(self, entries: list[dict[str, str]], *, page_latency: float = 0.0) -> None:
        self.entries = {e["id"]: e for e in entries}
        self.page_latency = page_latency
        self.servers: list[ThreadingHTTPServer] = []
        self.feeds: dict[tuple[str, int], bytes] = {}
        self.requests = 0
        for host in range(1, HOSTS + 1):
            server = ThreadingHTTPServer((f"127.0.0.{host}", 0), self._handler())
            server.daemon_threads = True
            self.servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
        for feed, start in enumerate(range(0, len(entries), PER_FEED)):
            chunk = entries[start : start + PER_FEED]
            host = chunk[0]["host"]
            self.feeds[(host, feed)] = feed_document(feed, chunk, self.base(host))

    def base(self, host: str) -> str:
        return f"http://127.0.0.{host}:{self.servers[int(host) - 1].server_address[1]}"

    def feed_urls(self) -> list[tuple[str, str]]:
        return [(f"situs{h}-feed{f}", f"{self.base(h)}/feed/{f}.xml") for h, f in self.feeds]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sites = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body in two writes: no 40 ms stall

            def do_GET(self) -> None:
                sites.requests += 1
                host = self.server.server_address[0].rsplit(".", 1)[1]
                body: bytes | None = None
                kind = "text/html; charset=utf-8"
                if self.path == "/robots.txt":
                    body, kind = b"User-agent: *\nDisallow: /privat/\n", "text/plain"
                elif m := re.fullmatch(r"/feed/(\d+)\.xml", self.path):
                    body = sites.feeds.get((host, int(m.group(1))))
                    kind = "application/rss+xml"
                elif m := re.fullmatch(r"/artikel/(e\d+)", self.path):
                    entry = sites.entries.get(m.group(1))
                    body = article_page(entry) if entry else None
                    if sites.page_latency:  # a server farther away than loopback
                        time.sleep(sites.page_latency)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


# ----------------------------------------------------------------------------- the floor
def floor(sites: Sites, model_dir: Path) -> dict[str, float]:
    """feedparser on the same documents and the same model on the same entries."""
    from classifier.bootstrap import ensure_active_model
    from classifier.model import heads_on, normalize_batch
    from classifier.registry import ModelRegistry

    registry = ModelRegistry(model_dir)
    bundle = registry.load(ensure_active_model(registry))
    t0 = time.perf_counter()
    texts = []
    for document in sites.feeds.values():
        for entry in feedparser.parse(document).entries:
            texts.append(f"{entry.get('title', '')}\n{entry.get('summary', '')}")
    t1 = time.perf_counter()
    # The least the same model can do: normalise and vectorise once (the three models share
    # their feature step), then each model's head.
    for start in range(0, len(texts), 2000):
        part = normalize_batch(texts[start : start + 2000])
        (topic, agency, relevance), inputs, _ = heads_on(
            (bundle.topic, bundle.agency, bundle.relevance), part
        )
        topic.predict(inputs)
        agency.predict(inputs)
        relevance.predict_proba(inputs)
    t2 = time.perf_counter()
    return {"items": len(texts), "seconds": t2 - t0, "parse_s": t1 - t0, "predict_s": t2 - t1}


# ------------------------------------------------------------------------- the real run
def _role(proc: psutil.Process, root: psutil.Process) -> str:
    """Which part of the run a process is: the aduan CLI, the Prefect API server it
    starts (uvicorn), or a page worker (every other child)."""
    if proc.pid == root.pid:
        return "aduan"
    try:
        cmdline = " ".join(proc.cmdline())
    except psutil.Error:
        return "worker"
    return "prefect_server" if "uvicorn" in cmdline or "prefect.server" in cmdline else "worker"


def _sample_memory(
    pid: int,
    stop: threading.Event,
    out: list[tuple[float, float]],
    own: list[float],
    roles: list[tuple[float, dict[str, float]]] | None = None,
    cpu: dict[int, tuple[str, float]] | None = None,
) -> None:
    """(seconds, MB of the process tree) twice a second; ``own``: MB of the aduan process
    alone; ``roles``: (seconds, MB per role) for the aduan process, the Prefect server and
    the page workers; ``cpu``: pid -> (role, CPU seconds at its last sample)."""
    started = time.perf_counter()
    while not stop.is_set():
        try:
            root = psutil.Process(pid)
            by_role: dict[str, float] = {"aduan": 0.0, "prefect_server": 0.0, "worker": 0.0}
            for proc in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    role = _role(proc, root)
                    by_role[role] += proc.memory_info().rss / 2**20
                    if cpu is not None:
                        times = proc.cpu_times()
                        cpu[proc.pid] = (role, times.user + times.system)
            now = time.perf_counter() - started
            out.append((now, sum(by_role.values())))
            own.append(by_role["aduan"])
            if roles is not None:
                roles.append((now, by_role))
        except psutil.Error:
            pass
        time.sleep(0.5)


def _aduan(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = str(Path(sys.executable).with_name("aduan"))
    return subprocess.run(  # noqa: S603  our own CLI, fixed arguments
        [exe, *args], env=env, capture_output=True, text=True, check=False
    )


def _fresh_postgres(url: str) -> None:
    """Drop and create the database named in ``url`` (a benchmark database only)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    name = target.database
    if not name or not name.startswith("bench"):
        raise SystemExit("--database-url must name a database whose name starts with 'bench'")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


PROFILED = (
    "import cProfile, sys\n"
    "from aduan.cli import cli\n"
    "profile = cProfile.Profile()\n"
    "try:\n"
    "    profile.runcall(cli, ['ingest', '--json'], standalone_mode=False)\n"
    "finally:\n"
    "    profile.dump_stats(sys.argv[1])\n"
)


def run_ingest(
    sites: Sites,
    root: Path,
    database_url: str | None,
    profile: Path | None = None,
    settings: dict[str, str] | None = None,
) -> dict[str, Any]:
    feeds = root / "feeds.yaml"
    feeds.write_text(
        "feeds:\n"
        + "".join(f"  - name: {name}\n    url: {url}\n" for name, url in sites.feed_urls()),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "PREFECT_"))}
    env.update(ADUAN_DATA_DIR=str(root / "var"), ADUAN_FEEDS_FILE=str(feeds))
    env["ADUAN_DATABASE_URL"] = database_url or f"sqlite:///{root / 'ingest.db'}"
    env["NO_COLOR"] = "1"
    env.update(settings or {})
    if database_url:
        _fresh_postgres(database_url)
    init = _aduan(["db", "init"], env)
    if init.returncode:
        raise RuntimeError(init.stdout + init.stderr)
    # A deployment keeps Prefect's database in its data directory; its first start runs
    # Prefect's migrations (seconds), once. Pay that here, before the timed run.
    warm = _aduan(["ingest", "--source", "tidak-ada"], env)
    if warm.returncode:
        raise RuntimeError(warm.stdout + warm.stderr)
    exe = str(Path(sys.executable).with_name("aduan"))
    command = [exe, "ingest", "--json"]
    if profile:
        command = [sys.executable, "-c", PROFILED, str(profile.resolve())]
    t = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603  our own CLI, fixed arguments
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stop, memory, own = threading.Event(), [], []
    roles: list[tuple[float, dict[str, float]]] = []
    cpu: dict[int, tuple[str, float]] = {}
    watcher = threading.Thread(
        target=_sample_memory, args=(proc.pid, stop, memory, own, roles, cpu)
    )
    own_cpu = resource.getrusage(resource.RUSAGE_SELF)
    standing = _children_cpu(exclude=proc.pid)  # a standing Prefect server, if any
    watcher.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_SELF)
    standing = _children_cpu(exclude=proc.pid) - standing
    stop.set()
    watcher.join()
    if proc.returncode:
        raise RuntimeError(f"aduan ingest failed:\n{err[-4000:]}")
    if os.environ.get("BENCH_INGEST_LOG"):
        Path(os.environ["BENCH_INGEST_LOG"]).write_text(err, encoding="utf-8")
    if os.environ.get("BENCH_INGEST_MEMORY"):  # (seconds, MB per role), for a plot
        Path(os.environ["BENCH_INGEST_MEMORY"]).write_text(json.dumps(roles), encoding="utf-8")
    report = json.loads(out)
    return {
        "seconds": seconds,
        "memory": memory,
        "own_peak_mb": max(own, default=float("nan")),
        "roles": {
            role: _memory_profile([(t, mb[role]) for t, mb in roles])
            for role in ("aduan", "prefect_server", "worker")
        }
        | {
            "without_prefect_server": _memory_profile(
                [(t, mb["aduan"] + mb["worker"]) for t, mb in roles]
            )
        },
        "report": report,
        "log_tail": err[-1500:],
        # CPU seconds by role (each process as last sampled, up to 0.5 s before it ended)
        # and of this process: the loopback sites that serve feeds and pages.
        "cpu": {
            role: round(sum(s for r, s in cpu.values() if r == role), 1)
            for role in ("aduan", "prefect_server", "worker")
        }
        | {
            "loopback_sites": round(
                after.ru_utime + after.ru_stime - own_cpu.ru_utime - own_cpu.ru_stime, 1
            ),
            "standing_prefect_server": round(standing, 1),
        },
    }


def _children_cpu(exclude: int) -> float:
    """CPU seconds so far of this process's children but ``exclude`` and its own."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if child.pid != exclude and exclude not in {p.pid for p in child.parents()}:
                times = child.cpu_times()
                total += times.user + times.system
    return total


@contextlib.contextmanager
def _standing_server(root: Path) -> Iterator[str]:
    """A Prefect API server in its own process for the length of the run, with its home in
    ``root``: what `aduan serve` deployments run beside the flows."""
    from aduan.prefect_server import local_prefect_server
    from aduan.settings import Settings

    home = root / "prefect-server"
    home.mkdir()
    saved = {k: os.environ.get(k) for k in ("PREFECT_HOME", "PREFECT_API_URL")}
    os.environ["PREFECT_HOME"] = str(home)
    try:
        with local_prefect_server(Settings(data_dir=root / "server-data")) as url:
            yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _memory_profile(samples: list[tuple[float, float]]) -> dict[str, float]:
    """Peak, and how much memory grew from 20% of the run to its end (flatness)."""
    if not samples:
        return {"peak_mb": float("nan"), "at_20_mb": float("nan"), "last_80_growth_mb": 0.0}
    end = samples[-1][0]
    after = [mb for t, mb in samples if t >= 0.2 * end] or [samples[-1][1]]
    return {
        "peak_mb": max(mb for _, mb in samples),
        "at_20_mb": after[0],
        "last_80_peak_mb": max(after),
        "last_80_growth_mb": max(after) - after[0],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--database-url", help="PostgreSQL URL of a 'bench...' database")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the aduan run here")
    parser.add_argument(
        "--page-latency",
        type=float,
        default=0.0,
        help="seconds each article page takes to answer (default 0: loopback as it is)",
    )
    parser.add_argument(
        "--prefect-server",
        action="store_true",
        help="run against a standing Prefect server started here (not a temporary one)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="ADUAN_X=V",
        help="a setting for the aduan run, e.g. ADUAN_FETCH_CONCURRENCY=1",
    )
    args = parser.parse_args(argv)
    t = time.perf_counter()
    entries = build_entries(args.items)
    sites = Sites(entries, page_latency=args.page_latency)
    print(
        f"{args.items} entries in {len(sites.feeds)} feeds on {HOSTS} loopback sites "
        f"({time.perf_counter() - t:.1f} s to build)"
    )
    results: dict[str, Any] = {"items": args.items}
    try:
        with tempfile.TemporaryDirectory(prefix="aduan-bench-ingest-") as tmp:
            root = Path(tmp)
            base = floor(sites, root / "var" / "models")
            results["floor"] = base
            floor_rate = base["items"] / base["seconds"]
            print(
                f"floor (feedparser + the same model, one process): {base['seconds']:.1f} s, "
                f"{floor_rate:,.0f} items/s (parse {base['parse_s']:.1f} s, "
                f"predict {base['predict_s']:.1f} s)"
            )
            settings = dict(pair.split("=", 1) for pair in args.set)
            with contextlib.ExitStack() as stack:
                if args.prefect_server:
                    settings["PREFECT_API_URL"] = stack.enter_context(_standing_server(root))
                run = run_ingest(sites, root, args.database_url, args.profile, settings)
            report = run["report"]
            rate = args.items / run["seconds"]
            memory = _memory_profile(run["memory"])
            results.update(ingest_seconds=run["seconds"], ingest_items_per_s=rate, **memory)
            results["own_peak_mb"] = run["own_peak_mb"]
            results["ratio"] = run["seconds"] / base["seconds"]
            results["report"] = {k: v for k, v in report.items() if k != "sources"}
            print(
                f"aduan ingest: {run['seconds']:.1f} s, {rate:,.0f} items/s, "
                f"{results['ratio']:.1f}x the floor; new {report['new']}, tagged "
                f"{report['tagged']}, articles {report['articles']}, joined clusters "
                f"{report['joined_clusters']}, errors {report['errors']}"
            )
            timings = report.get("timings", {})
            # The pages are fetched and extracted beside dedup and tagging: those two
            # figures overlap the others (the flow's own wait for them is article_wait).
            staged = sum(v for k, v in timings.items() if k not in CONCURRENT_STAGES)
            print(
                "stage seconds: "
                + ", ".join(f"{k}={v:.1f}" for k, v in timings.items())
                + f", flow overhead={run['seconds'] - staged:.1f}"
            )
            print(
                f"memory of the process tree: peak {memory['peak_mb']:.0f} MB; from 20% of "
                f"the run {memory['at_20_mb']:.0f} MB to a peak of "
                f"{memory['last_80_peak_mb']:.0f} MB (+{memory['last_80_growth_mb']:.0f} MB)"
            )
            print(f"peak memory of the aduan process alone: {run['own_peak_mb']:.0f} MB")
            results["memory_by_role"] = run["roles"]
            for role, figures in run["roles"].items():
                print(
                    f"  {role.replace('_', ' ')}: peak {figures['peak_mb']:.0f} MB, from 20% "
                    f"of the run {figures['at_20_mb']:.0f} MB to {figures['last_80_peak_mb']:.0f}"
                    f" MB (+{figures['last_80_growth_mb']:.0f} MB)"
                )
            results["cpu_s"] = run["cpu"]
            print(
                "CPU seconds: "
                + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in run["cpu"].items())
            )
            print(f"loopback requests served: {sites.requests}")
    finally:
        sites.close()
    return results


if __name__ == "__main__":
    main()
