"""The append-only event log: every state change, with actor, time, before, after, note."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow

__all__ = ["ACTION_LABELS", "ENTITY_LABELS", "AppendOnlyError", "Event", "record_event"]

#: What an admin reads in a timeline for each event (state changes are labelled by the
#: state they reach, in ``models.enums``).
ENTITY_LABELS = {
    "complaint": "aduan",
    "item": "item",
    "source": "sumber",
    "user": "pengguna",
    "api_token": "token API",
    "response_template": "templat tanggapan",
}
ACTION_LABELS = {
    "create": "dibuat",
    "status": "status diubah",
    "reroute": "SKPD tujuan diganti",
    "edit": "diubah",
    "delete": "dihapus",
    "follow_up": "tindak lanjut dicatat",
    "lapor_id": "ID SP4N-LAPOR! dicatat",
    "enable": "diaktifkan",
    "disable": "dinonaktifkan",
    "revoke_tokens": "token API dicabut",
    "password": "kata sandi diganti",
    "role": "peran diubah",
    "reminder": "pengingat tindak lanjut dikirim",
    "email": "alamat email diubah",
    "confirmed": "dijadikan aduan",
    "merged": "digabung ke aduan",
    "rejected": "ditolak",
    "deferred": "ditunda",
    "pending": "dikembalikan ke antrean",
    "kept_in_queue": "dikembalikan ke antrean utama",
    "run_now": "dijalankan sekarang",
}


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an event row."""


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_entity", "entity_type", "entity_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(120))  # username, or "system:<flow>"
    entity_type: Mapped[str] = mapped_column(String(40))  # "item", "complaint", "source", ...
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(60))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    note: Mapped[str | None] = mapped_column(Text)


@event.listens_for(Session, "before_flush")
def _refuse_event_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Event):
            raise AppendOnlyError("the event log is append-only")


def record_event(
    session: Session,
    *,
    actor: str,
    entity_type: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Event:
    row = Event(
        occurred_at=now or utcnow(),
        actor=actor,
        actor_id=actor_id,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        note=note,
    )
    session.add(row)
    return row
