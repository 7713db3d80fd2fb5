"""People who log in: Diskominfo admins, operators, agency officers, viewers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models._columns import enum_column
from models.base import Base, utcnow
from models.enums import UserRole

if TYPE_CHECKING:
    from models.agency import Agency

__all__ = ["User"]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))  # where reminders go
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(enum_column(UserRole))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    agency: Mapped[Agency | None] = relationship()
