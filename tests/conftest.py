"""Shared fixtures: a real, migrated database (SQLite, and PostgreSQL when available),
settings pointed at a temporary data directory, and the shared material in ../shared."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from aduan.db import create_db_engine, get_engine
from aduan.migrate import upgrade_database
from aduan.settings import get_settings

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PG_URL = os.environ.get("ADUAN_TEST_DATABASE_URL")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("db_url") == "postgresql":
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared material not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    if not PG_URL:
        pytest.skip("ADUAN_TEST_DATABASE_URL not set (make test sets it when PostgreSQL runs)")
    admin = create_db_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"aduan_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    get_engine.cache_clear()
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _reset_pg(url: str) -> None:
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url = request.getfixturevalue("pg_server_url")
    _reset_pg(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Settings that read a temporary data dir; every ADUAN_ variable from outside removed."""
    for key in list(os.environ):
        if key.startswith("ADUAN_") and key != "ADUAN_TEST_DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("ADUAN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
    get_engine.cache_clear()


def _migrated(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ADUAN_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = get_engine()
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(db_url: str, settings_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A migrated database on SQLite and on PostgreSQL, also used by get_engine()."""
    yield from _migrated(db_url, monkeypatch)


@pytest.fixture
def sqlite_engine(
    sqlite_url: str, settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """A migrated SQLite database (for tests whose subject is not the database)."""
    yield from _migrated(sqlite_url, monkeypatch)


def write_surabaya_sample(path: Path, *, every: int) -> Path:
    """Every ``every``-th row of the shared Surabaya data, as a CSV of the same shape."""
    import csv

    from bench.classifier_quality import DATA

    with DATA.open(encoding="utf-8") as src, path.open("w", encoding="utf-8", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for n, row in enumerate(reader):
            if n % every == 0:
                writer.writerow(row)
    return path


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """A migrated database with regions and agencies loaded."""
    from aduan.reference import load_agencies, load_regions

    with Session(engine) as session, session.begin():
        load_regions(session)
        load_agencies(session)
    return engine
