"""Database engine and sessions for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, Table, bindparam, create_engine, event, insert, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from aduan.settings import get_settings

__all__ = [
    "bulk_insert",
    "bulk_update_by_id",
    "create_db_engine",
    "get_engine",
    "get_sessionmaker",
    "is_conflict",
    "retry_on_conflict",
    "session_scope",
    "write_engine",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: PostgreSQL SQLSTATEs that mean "another transaction got in the way; try again".
_PG_CONFLICTS = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock timeout


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling starts a transaction lazily, at the first write,
    # which turns "read, then write" into a lock upgrade that fails at once under
    # contention. We emit BEGIN ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """BEGIN, or BEGIN IMMEDIATE for a write engine: a transaction that will write takes
    the write lock first (waiting up to the busy timeout), so its reads and its writes
    see the same database and a check-then-write cannot be overtaken."""
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_db_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # A session is used by one thread at a time, but the web app may hand it from the
        # event loop to a worker thread between dependency and handler.
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def write_engine(engine: Engine) -> Engine:
    """The same engine (and pool) for transactions that write: on SQLite they begin with
    BEGIN IMMEDIATE; on PostgreSQL nothing changes (row locks do the work there)."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def is_conflict(exc: BaseException) -> bool:
    """A lock or serialization conflict that a retry of the whole transaction can fix."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _PG_CONFLICTS:
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database table is locked" in text


def retry_on_conflict(
    session: Session, action: Callable[[], T], *, attempts: int = 5, base_delay: float = 0.05
) -> T:
    """Run ``action`` and commit; on a lock conflict roll back and run it again (at most
    ``attempts`` times, with jittered exponential backoff). Other errors roll back and rise."""
    for attempt in range(1, attempts + 1):
        try:
            result = action()
            session.commit()
            return result
        except Exception as exc:  # any error: the transaction must not stay half-done
            session.rollback()
            if attempt == attempts or not is_conflict(exc):
                raise
            delay = base_delay * 2 ** (attempt - 1) * (0.5 + random.random())  # noqa: S311
            log.info("transaction conflict (%s), retry %d in %.2fs", exc.__class__.__name__,
                     attempt, delay)  # fmt: skip
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    return create_db_engine(url or get_settings().resolved_database_url)


def get_sessionmaker(engine: Engine | None = None, *, write: bool = False) -> sessionmaker[Session]:
    bind = engine or get_engine()
    return sessionmaker(bind=write_engine(bind) if write else bind, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None, *, write: bool = False) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error. ``write=True`` for a
    short transaction that checks and then writes (it takes SQLite's write lock first)."""
    session = get_sessionmaker(engine, write=write)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# Many rows at once through SQLAlchemy Core: one executemany, none of the ORM's per-row
# bookkeeping (which cost more than the database did: 340,000 bucket rows took 3.8-4.8 s
# through the ORM's bulk path and 2.1-2.6 s through Core on SQLite), and COPY on PostgreSQL.


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def bulk_insert(session: Session, model: type[Any], rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT many rows into the mapped class's table (column defaults apply as usual).
    On PostgreSQL, rows of plain values go through COPY (340,000 bucket rows: 2.4-3.0 s
    against 7.6-10.2 s for executemany, Core or ORM; docs/benchmarks.md)."""
    if rows and not _copy_rows(session, _table(model), rows):
        session.execute(insert(_table(model)), list(rows))


_COPY_TYPES = (int, float, str, bytes, datetime, type(None))


def _copy_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> bool:
    """COPY ... FROM STDIN in the session's transaction, when the driver can (psycopg 3),
    no column default is left to apply, and every value, after the columns' own bind
    processing (UTC datetimes, enums), is a plain one. False: nothing was written."""
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        return False
    keys = list(rows[0])
    if any(c.default is not None and c.name not in keys for c in table.columns):
        return False
    processors = [table.c[k].type.bind_processor(dialect) for k in keys]
    prepared = [
        tuple(
            process(row[k]) if process else row[k]
            for k, process in zip(keys, processors, strict=True)
        )
        for row in rows
    ]
    if not all(isinstance(v, _COPY_TYPES) for values in prepared for v in values):
        return False
    session.flush()
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    if not hasattr(cursor, "copy"):  # not psycopg 3
        return False
    quote = dialect.identifier_preparer
    columns = ", ".join(quote.quote(k) for k in keys)
    with cursor.copy(f"COPY {quote.format_table(table)} ({columns}) FROM STDIN") as copy:
        for values in prepared:
            copy.write_row(values)
    return True


def bulk_update_by_id(
    session: Session, model: type[Any], rows: Sequence[Mapping[str, Any]]
) -> None:
    """UPDATE ... SET <the other keys> WHERE id = :id for many rows (all with the same
    keys as the first)."""
    if not rows:
        return
    table = _table(model)
    keys = [k for k in rows[0] if k != "id"]
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({k: bindparam(f"b_{k}") for k in keys})
    )
    session.execute(stmt, [{f"b_{k}": row[k] for k in ("id", *keys)} for row in rows])
