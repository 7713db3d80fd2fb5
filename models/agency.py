"""Agencies (SKPD): who handles which government function (urusan) in which region."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models._columns import enum_column
from models.base import Base
from models.enums import AgencyLevel
from models.region import Region

__all__ = ["DISTRICT_OFFICE_SUFFIX", "Agency", "AgencyFunction"]

#: A kecamatan office's code in the registry: its kecamatan's Kemendagri code + this.
DISTRICT_OFFICE_SUFFIX = "-kantor"


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # "6371-dishub"
    name: Mapped[str] = mapped_column(String(200))
    short_names: Mapped[list[str]] = mapped_column(default=list)  # "Dishub Banjarmasin"
    aliases: Mapped[list[str]] = mapped_column(default=list)  # "Dinas Perhubungan", "DLLAJ"
    handles: Mapped[list[str]] = mapped_column(default=list)  # "@dishubbjm"
    level: Mapped[AgencyLevel] = mapped_column(enum_column(AgencyLevel))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship()
    functions: Mapped[list[AgencyFunction]] = relationship(
        back_populates="agency", cascade="all, delete-orphan"
    )

    @staticmethod
    def district_office_code(district_code: str) -> str:
        """The code of the office of kecamatan ``district_code`` (e.g. "63.03.05")."""
        return f"{district_code}{DISTRICT_OFFICE_SUFFIX}"

    @property
    def function_codes(self) -> list[str]:
        return sorted(f.function for f in self.functions)

    @classmethod
    def for_function(
        cls, session: Session, *, function: str, region_id: int, level: AgencyLevel | None = None
    ) -> Agency | None:
        """The one rule for routing: the active agency of ``region_id`` handling ``function``."""
        stmt = (
            select(cls)
            .join(AgencyFunction)
            .where(
                AgencyFunction.function == function,
                cls.region_id == region_id,
                cls.active.is_(True),
            )
            .order_by(cls.id)
        )
        if level is not None:
            stmt = stmt.where(cls.level == level)
        return session.scalars(stmt).first()

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class AgencyFunction(Base):
    """One government function (urusan) an agency handles, e.g. ``public_works``."""

    __tablename__ = "agency_functions"

    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True
    )
    function: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    agency: Mapped[Agency] = relationship(back_populates="functions")
