"""`aduan ingest` owns its local Prefect server: it dies with its parent, it starts on a
PostgreSQL deployment with a fresh data directory, and a slow start is a clear message."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import _reset_pg

ADUAN = str(Path(sys.executable).with_name("aduan"))


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "PREFECT_"))}
    env["ADUAN_DATA_DIR"] = str(tmp_path / "var")
    env.update(extra)
    return env


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"prefect.server.api.server" in cmdline:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.flow
def test_no_prefect_server_outlives_a_killed_ingest(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run([ADUAN, "db", "init"], env=env, cwd=tmp_path, check=True, capture_output=True)
    ingest = subprocess.Popen(
        [ADUAN, "ingest"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (servers := _children(ingest.pid)):
            assert time.monotonic() < deadline and ingest.poll() is None, "no server started"
            time.sleep(0.1)
        time.sleep(1.0)
        os.kill(ingest.pid, signal.SIGKILL)
        ingest.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in servers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in servers), "the Prefect server outlived ingest"
    finally:
        if ingest.poll() is None:
            ingest.kill()


@pytest.mark.flow
@pytest.mark.postgres
def test_ingest_on_postgresql_with_a_fresh_data_directory(
    tmp_path: Path, pg_server_url: str
) -> None:
    _reset_pg(pg_server_url)
    env = _env(tmp_path, ADUAN_DATABASE_URL=pg_server_url)
    for args in (["db", "init"], ["ingest"]):
        done = subprocess.run(
            [ADUAN, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300,
            check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Selesai dalam .*: 14 item baru", done.stdout)
    assert "berhasil" in done.stdout and "Berita (RSS/Atom)" in done.stdout  # not "ok", "rss"


def test_a_prefect_server_too_slow_to_start_is_a_clear_message(tmp_path: Path) -> None:
    env = _env(tmp_path, ADUAN_PREFECT_STARTUP_TIMEOUT="0.01")
    subprocess.run([ADUAN, "db", "init"], env=env, cwd=tmp_path, check=True, capture_output=True)
    done = subprocess.run(
        [ADUAN, "ingest"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "server Prefect lokal belum siap" in done.stderr
    assert "Traceback" not in done.stderr
