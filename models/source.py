"""Sources (what we collect from), their cursor and health, and a record per run."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.sql import Select

from models._columns import enum_column
from models.base import Base, utcnow
from models.enums import SourceKind, SourceRunStatus

__all__ = ["Source", "SourceRun"]


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)  # url, query, mapping, ...
    enabled: Mapped[bool] = mapped_column(default=True)
    # Cursor state: since_id, etag, last_modified, ... saved only after items are committed.
    cursor: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    runs: Mapped[list[SourceRun]] = relationship(back_populates="source", passive_deletes=True)

    @classmethod
    def ensure(cls, session: Session, kind: SourceKind, name: str) -> Source:
        """The source called ``name``, created if missing; two processes doing this at
        once get the same row (INSERT ... ON CONFLICT DO NOTHING, then read)."""
        found = session.scalar(select(cls).where(cls.name == name))
        if found is not None:
            return found
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(cls)
            .values(kind=kind, name=name, config={}, cursor={}, enabled=True,
                    consecutive_failures=0, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["name"])
        )  # fmt: skip
        return session.scalars(select(cls).where(cls.name == name)).one()

    @classmethod
    def runnable(cls, kinds: Collection[SourceKind]) -> Select[tuple[Source]]:
        """The one rule for which sources a collection run visits: enabled, of a pulled kind."""
        return select(cls).where(cls.enabled.is_(True), cls.kind.in_(list(kinds))).order_by(cls.id)

    def record_success(self, now: datetime) -> None:
        self.last_attempt_at = now
        self.last_success_at = now
        self.consecutive_failures = 0
        self.last_error = None

    def record_failure(self, now: datetime, error: str, *, disable_after: int | None) -> None:
        self.last_attempt_at = now
        self.consecutive_failures += 1
        self.last_error = error
        if disable_after is not None and self.consecutive_failures >= disable_after:
            self.disable(f"{self.consecutive_failures} kali gagal berturut-turut: {error}")

    def disable(self, reason: str) -> None:
        self.enabled = False
        self.disabled_reason = reason

    def enable(self) -> None:
        """Back in the collection runs, with a clean failure count."""
        self.enabled = True
        self.disabled_reason = None
        self.consecutive_failures = 0

    def __repr__(self) -> str:
        return f"<Source {self.kind.value}:{self.name}>"


class SourceRun(Base):
    """What one collection run did for one source: the per-source summary line."""

    __tablename__ = "source_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[SourceRunStatus] = mapped_column(enum_column(SourceRunStatus))
    fetched: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="runs")
