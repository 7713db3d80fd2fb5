"""`aduan web` serves over real HTTP; `aduan user add` and `aduan token create` feed it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.web.server import running_web


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
    with running_web(tmp_path, None, workers=1) as base:
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
