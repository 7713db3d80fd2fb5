"""`aduan serve` as a process: its deployments registered with their schedules, a run
of the news deployment completes, missed runs are cancelled, SIGTERM leaves nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import psutil
import pytest

from flows.deployments import load_specs

ADUAN = str(Path(sys.executable).with_name("aduan"))
pytestmark = pytest.mark.flow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_yaml_declares_every_schedule_in_wita_with_cancel_new() -> None:
    specs = {s.name: s for s in load_specs()}
    assert set(specs) == {"x-mentions", "news-feeds", "overdue-check", "retrain-nightly", "report"}
    assert specs["x-mentions"].interval() == timedelta(minutes=15)
    assert specs["x-mentions"].parameters == {"kinds": ["x"]}
    assert specs["news-feeds"].interval() == timedelta(minutes=30)
    assert specs["overdue-check"].interval() == timedelta(hours=1)
    assert specs["retrain-nightly"].interval() == timedelta(days=1)
    for spec in specs.values():
        assert (spec.limit, spec.collision_strategy) == (1, "CANCEL_NEW"), spec.name
        assert all(s["timezone"] == "Asia/Makassar" and s["slug"] for s in spec.schedules)


def test_serve_registers_runs_cancels_missed_runs_and_stops_cleanly(tmp_path: Path) -> None:
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "PREFECT_"))}
    env["ADUAN_DATA_DIR"] = str(tmp_path / "var")
    subprocess.run([ADUAN, "db", "init"], env=env, cwd=tmp_path, check=True, capture_output=True)

    def start() -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [ADUAN, "serve", "--port", str(port)], env=env, cwd=tmp_path, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "aduan serve did not register its deployments"
            try:
                found = httpx.post(f"{api}/deployments/filter", json={}, timeout=5).json()
                if len(found) == 5:
                    return proc
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)

    def stop(proc: subprocess.Popen[str]) -> None:
        family = [proc.pid, *(c.pid for c in psutil.Process(proc.pid).children(recursive=True))]
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 15
        while any(psutil.pid_exists(p) and psutil.Process(p).status() != "zombie" for p in family):
            assert time.monotonic() < deadline, "a process outlived aduan serve"
            time.sleep(0.2)

    proc = start()
    try:
        deployments = httpx.post(f"{api}/deployments/filter", json={}).json()
        schedules = {
            d["name"]: sorted(s["schedule"]["cron"] for s in d["schedules"]) for d in deployments
        }
        assert schedules["report"] == ["0 7 * * 1", "0 7 1 * *"]
        assert schedules["news-feeds"] == ["*/30 * * * *"]
        assert {d["global_concurrency_limit"]["limit"] for d in deployments} == {1}
        assert {d["concurrency_options"]["collision_strategy"] for d in deployments} == {
            "CANCEL_NEW"
        }
        deadline = time.monotonic() + 300
        with temporary_settings(updates={PREFECT_API_URL: api}):
            while True:
                run = run_deployment("ingest/news-feeds", timeout=240)
                # Its schedule fires at :00 and :30: a run started by it then holds the
                # deployment's one slot and ours is cancelled (CANCEL_NEW, as designed).
                # Try again once that run is done.
                collided = (
                    run.state is not None
                    and run.state.is_cancelled()
                    and "concurrency" in (run.state.message or "")
                )
                if not collided or time.monotonic() > deadline:
                    break
                time.sleep(5)
        assert run.state is not None and run.state.is_completed(), run.state
        stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    import sqlite3

    db = sqlite3.connect(tmp_path / "var" / "aduan.db")
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] > 0  # the run stored items


def test_runs_missed_while_off_are_cancelled_not_caught_up(prefect_harness: None) -> None:
    from prefect import get_client
    from prefect.states import Scheduled

    from flows.deployments import cancel_stale_runs, to_runner
    from models import utcnow

    specs = [s for s in load_specs() if s.name == "overdue-check"]
    deployment_id = to_runner(specs[0]).apply()
    now = utcnow()

    async def plant_and_cancel() -> dict[str, str]:
        async with get_client() as client:
            ids = {}
            for label, when in (
                ("3 jam lalu", now - timedelta(hours=3)),
                ("2 jam lalu", now - timedelta(hours=2)),
                ("30 menit lalu", now - timedelta(minutes=30)),  # within one interval: kept
                ("nanti", now + timedelta(hours=1)),
            ):
                run = await client.create_flow_run_from_deployment(
                    deployment_id, state=Scheduled(scheduled_time=when)
                )
                ids[label] = run.id
            assert await cancel_stale_runs(specs, now) == 2
            return {
                label: (await client.read_flow_run(run_id)).state.type.value  # type: ignore[union-attr]
                for label, run_id in ids.items()
            }

    states = asyncio.run(plant_and_cancel())
    assert states == {
        "3 jam lalu": "CANCELLED",
        "2 jam lalu": "CANCELLED",
        "30 menit lalu": "SCHEDULED",
        "nanti": "SCHEDULED",
    }
