"""The production path of docs/deploy.md, as far as one machine allows: a Prefect server
on PostgreSQL, a process work pool, `prefect deploy --all` from prefect.yaml, and one
flow run picked up by a process worker and completed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = [pytest.mark.flow, pytest.mark.postgres]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_server_on_postgres_deploy_all_and_a_process_worker(
    tmp_path: Path, pg_server_url: str
) -> None:
    import psycopg

    admin = pg_server_url.replace("postgresql+psycopg://", "postgresql://")
    base = admin.rsplit("/", 1)[0]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS aduan_prefect_test WITH (FORCE)")
        conn.execute("CREATE DATABASE aduan_prefect_test")
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "PREFECT_"))}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_API_DATABASE_CONNECTION_URL=base.replace("postgresql://", "postgresql+asyncpg://")
        + "/aduan_prefect_test",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_API_URL=api,
        ADUAN_HOME=str(ROOT),
        ADUAN_DATA_DIR=str(tmp_path / "var"),
    )
    subprocess.run([BIN / "aduan", "db", "init"], env=env, cwd=tmp_path, check=True,
                   capture_output=True)  # fmt: skip
    server = subprocess.Popen(
        [BIN / "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None and time.monotonic() < deadline, "no Prefect server"
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)

        def prefect(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
            done = subprocess.run(
                [BIN / "prefect", *args], env=env, cwd=ROOT, capture_output=True, text=True,
                timeout=timeout,
            )  # fmt: skip
            assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
            return done

        prefect("work-pool", "create", "aduan", "--type", "process")
        prefect("--no-prompt", "deploy", "--all")
        names = {d["name"] for d in httpx.post(f"{api}/deployments/filter", json={}).json()}
        spec = yaml.safe_load((ROOT / "prefect.yaml").read_text("utf-8"))
        assert names == {d["name"] for d in spec["deployments"]}
        run = prefect("deployment", "run", "report/report", "--param", "kind=weekly")
        assert "report" in run.stdout
        prefect("worker", "start", "--pool", "aduan", "--run-once", timeout=300)
        runs = httpx.post(f"{api}/flow_runs/filter", json={}).json()
        states = [r["state"]["type"] for r in runs if r.get("deployment_id")]
        assert "COMPLETED" in states, states
        assert list((tmp_path / "var" / "reports").glob("laporan-aduan-*.xlsx"))
    finally:
        server.terminate()
        server.wait(timeout=30)
