"""Regions: the province and its kabupaten/kota (and kecamatan), with Kemendagri codes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models._columns import enum_column
from models.base import Base
from models.enums import RegionLevel

__all__ = ["Region"]


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # Kemendagri, e.g. "63.71"
    name: Mapped[str] = mapped_column(String(120))  # "Kota Banjarmasin"
    short_name: Mapped[str] = mapped_column(String(80))  # "Banjarmasin"
    level: Mapped[RegionLevel] = mapped_column(enum_column(RegionLevel))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    aliases: Mapped[list[str]] = mapped_column(default=list)  # "HSU", "Bjm", ...

    parent: Mapped[Region | None] = relationship(remote_side=[id])

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "level": self.level.value}

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"
