"""Web hardening over real HTTP against `aduan web` (two worker processes): rate limits that
hold under parallel requests, login timing that does not reveal usernames, and forwarded
headers believed only from configured proxies."""

from __future__ import annotations

import re
import statistics
import threading
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models import Source, ThrottleHit, User, UserRole
from tests.web.conftest import PASSWORD, World
from tests.web.server import running_web
from triage.accounts import hash_password
from web.security import LOGIN_LIMIT_PER_USER


def _parallel(n: int, work: object) -> list[object]:
    results: list[object] = [None] * n

    def run(i: int) -> None:
        results[i] = work(i)  # type: ignore[operator]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _login_attempt(base: str, username: str, password: str) -> int:
    with httpx.Client(base_url=base, timeout=60) as client:
        page = client.get("/login")
        token = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert token
        return client.post(
            "/login",
            data={"username": username, "password": password, "form_token": token.group(1)},
        ).status_code


def test_parallel_wrong_passwords_are_checked_at_most_the_limit(
    seeded: Engine, db_url: str, tmp_path: Path
) -> None:
    with Session(seeded) as s, s.begin():
        s.add(User(username="kominfo", password_hash=hash_password(PASSWORD), role=UserRole.ADMIN))
    with running_web(tmp_path, db_url) as base:
        codes = _parallel(40, lambda i: _login_attempt(base, "kominfo", f"salah-{i:04d}-x"))
        # The right password is refused too once the limit is reached.
        assert _login_attempt(base, "kominfo", PASSWORD) == 429
    assert 500 not in codes, codes
    assert codes.count(401) <= LOGIN_LIMIT_PER_USER, codes  # passwords actually checked
    assert codes.count(401) + codes.count(429) == 40, codes


def _submit(base: str, forwarded_for: str) -> int:
    with httpx.Client(base_url=base, timeout=60) as client:
        page = client.get("/lapor")
        token = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert token
        time.sleep(3.2)  # the form's minimum fill-in time
        return client.post(
            "/lapor",
            data={
                "form_token": token.group(1),
                "isi": "Lampu jalan di Jl. A. Yani km 5 mati sejak seminggu, mohon diperbaiki.",
                "wilayah": "63.71",
                "anonim": "1",
            },
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code


def test_parallel_public_reports_respect_the_limit_whatever_the_forwarded_header(
    seeded: Engine, db_url: str, tmp_path: Path
) -> None:
    with running_web(tmp_path, db_url) as base:
        codes = _parallel(20, lambda i: _submit(base, f"10.0.0.{i}"))
    assert 500 not in codes, codes
    assert codes.count(200) == 5, codes  # ADUAN_INTAKE_PER_HOUR, counted per TCP peer
    assert codes.count(429) == 15, codes
    with Session(seeded) as s:
        assert s.scalar(select(func.count()).select_from(Source)) == 1  # one web-form source
        assert s.scalar(select(func.count()).select_from(ThrottleHit)) == 5


def test_forwarded_header_is_believed_from_a_configured_proxy(
    seeded: Engine, db_url: str, tmp_path: Path
) -> None:
    env = {"ADUAN_TRUSTED_PROXIES": "127.0.0.1", "ADUAN_INTAKE_PER_HOUR": "1"}
    with running_web(tmp_path, db_url, workers=1, env=env) as base:
        codes = _parallel(3, lambda i: _submit(base, f"10.0.0.{i}"))
        again = _submit(base, "10.0.0.1")
    assert codes == [200, 200, 200]  # three clients behind the proxy, one report each
    assert again == 429


def test_unknown_usernames_take_as_long_as_known_ones(client: TestClient, world: World) -> None:
    def timed(username: str) -> float:
        page = client.get("/login")
        token = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert token
        start = time.perf_counter()
        response = client.post(
            "/login",
            data={"username": username, "password": "bukan-sandinya", "form_token": token[1]},
        )
        assert response.status_code == 401
        return time.perf_counter() - start

    timed("tidak-ada-0")  # the dummy hash is made once
    known = [timed("operator") for _ in range(4)]
    unknown = [timed(f"tidak-ada-{i}") for i in range(1, 5)]
    assert statistics.median(unknown) > 0.5 * statistics.median(known), (known, unknown)
