"""`aduan web` serves over real HTTP; `aduan user add` and `aduan token create` feed it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_aduan_web_serves_the_app_and_the_api(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "PREFECT_"))}
    env["ADUAN_DATA_DIR"] = str(tmp_path / "var")
    aduan = str(Path(sys.executable).with_name("aduan"))

    def run(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [aduan, *args], cwd=tmp_path, env=env, input=stdin, capture_output=True,
            text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("db", "init")
    run(
        "user",
        "add",
        "kominfo",
        "--role",
        "admin",
        "--password-stdin",
        stdin="sandi-panjang-sekali\n",
    )
    token = run("token", "create", "kominfo").strip()
    assert token.startswith("adu_")
    port = _free_port()
    server = subprocess.Popen(
        [aduan, "web", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:  # noqa: S310
                    assert json.loads(r.read()) == {"status": "ok"}
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        request = urllib.request.Request(  # noqa: S310
            f"{base}/api/v1/complaints", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=5) as r:  # noqa: S310
            assert json.loads(r.read())["total"] == 0
        with urllib.request.urlopen(f"{base}/lapor", timeout=5) as r:  # noqa: S310
            assert "Kota Banjarmasin" in r.read().decode()
        assert "1 token dicabut." in run("token", "revoke", "kominfo")
        try:
            urllib.request.urlopen(request, timeout=5)  # noqa: S310
            raise AssertionError("revoked token still works")
        except urllib.error.HTTPError as exc:
            assert exc.code == 401
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_busy_port_is_said_before_anything_else(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "PREFECT_"))}
    env["ADUAN_DATA_DIR"] = str(tmp_path / "var")
    aduan = str(Path(sys.executable).with_name("aduan"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [aduan, "web", "--port", str(port)], cwd=tmp_path, env=env, capture_output=True,
            text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 1
    assert f"port {port} di 127.0.0.1 sudah dipakai program lain" in done.stderr
    assert "aduan web di http" not in done.stdout and "Traceback" not in done.stderr
