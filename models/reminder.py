"""Reminders already sent (or listed, without SMTP): the record that keeps the hourly
overdue check from sending the same reminder twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

__all__ = ["REMINDER_KINDS", "ReminderSent"]

#: forwarded: to the SKPD's officers when a complaint reaches them; due_soon: to the
#: SKPD, due within one working day; late: to the SKPD, past due; admin_late: to
#: Diskominfo admins, past due.
REMINDER_KINDS = ("forwarded", "due_soon", "late", "admin_late")


class ReminderSent(Base):
    """One complaint in one reminder to one address, for one forwarding of it (a
    complaint re-routed and forwarded again is reminded about again)."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("kind", "complaint_id", "recipient", "forwarded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254))
    forwarded_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(10))  # "email" or "log" (no SMTP)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
