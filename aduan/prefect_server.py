"""A local Prefect API server owned by this process, for the embedded default.

Prefect's own temporary server outlives a parent killed with SIGKILL and gives up after
a short, fixed start-up time with an English traceback. This one is started by us, dies
with its parent (Linux parent-death signal), waits as long as the settings say, and says
in Indonesian what went wrong. With ``PREFECT_API_URL`` set, the configured server is
used and nothing is started.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from aduan.settings import Settings

__all__ = ["PrefectServerError", "local_prefect_server"]

_PR_SET_PDEATHSIG = 1


class PrefectServerError(RuntimeError):
    """The local Prefect server could not be started (message for the admin)."""


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass  # not Linux: the parent's own shutdown still stops the server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_prefect_server(
    settings: Settings, *, port: int | None = None, ui: bool = False, preload: Sequence[str] = ()
) -> Iterator[str]:
    """Yield the Prefect API URL: the configured one, or a server started here.

    ``preload`` names modules (the flows) imported while the server starts: both take
    seconds, and they run side by side. ``PREFECT_API_URL`` is set before that import,
    because Prefect reads its settings once, when it is first imported."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    home = Path(os.environ.get("PREFECT_HOME") or settings.resolved_data_dir / "prefect")
    home.mkdir(parents=True, exist_ok=True)  # a PostgreSQL deployment has no SQLite file
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}/api"
    log_path = home / "server.log"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_UI_ENABLED": "1" if ui else "0"}
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603  our own interpreter and module
            [sys.executable, "-m", "uvicorn", "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "--lifespan", "on"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )  # fmt: skip
    os.environ["PREFECT_API_URL"] = url
    try:
        importing = threading.Thread(target=_import_all, args=(preload,), daemon=True)
        importing.start()
        _wait_until_healthy(process, url, settings.prefect_startup_timeout, log_path)
        importing.join()
        yield url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _import_all(modules: Sequence[str]) -> None:
    for name in modules:
        # Imported again where used: a failing import raises there, with its traceback.
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def _wait_until_healthy(
    process: subprocess.Popen[bytes], url: str, timeout: float, log_path: Path
) -> None:
    deadline = time.monotonic() + timeout
    # One plain-HTTP client for all polls (each new client would load the CA bundle).
    with httpx.Client(timeout=2, verify=False) as client:  # noqa: S501  http://127.0.0.1 only
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise PrefectServerError(
                    f"server Prefect lokal berhenti saat dinyalakan (kode {process.returncode}); "
                    f"lihat {log_path}"
                )
            try:
                if client.get(f"{url}/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
    raise PrefectServerError(
        f"server Prefect lokal belum siap setelah {timeout:g} detik (mesin sibuk?). "
        f"Coba lagi, naikkan ADUAN_PREFECT_STARTUP_TIMEOUT, atau pakai server tetap lewat "
        f"PREFECT_API_URL. Log: {log_path}"
    )
