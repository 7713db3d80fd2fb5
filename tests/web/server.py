"""`aduan web` as a real process on a free loopback port, for tests over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_web(
    tmp_path: Path, db_url: str | None, *, workers: int = 2, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Start `aduan web` on ``db_url`` (None: the SQLite file of ``tmp_path/var``); yields
    its base URL; stops it (its output in web.log)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "PREFECT_"))}
    environ["ADUAN_DATA_DIR"] = str(tmp_path / "var")
    if db_url is not None:
        environ["ADUAN_DATABASE_URL"] = db_url
    environ.update(env or {})
    port = free_port()
    aduan = str(Path(sys.executable).with_name("aduan"))
    log = (tmp_path / "web.log").open("wb")
    proc = subprocess.Popen(
        [aduan, "web", "--port", str(port), "--workers", str(workers)],
        cwd=tmp_path,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("aduan web did not start: " + (tmp_path / "web.log").read_text())
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
