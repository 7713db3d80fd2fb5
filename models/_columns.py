"""Column helpers shared by the table modules."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum

__all__ = ["enum_column"]


def enum_column(enum_cls: type[StrEnum]) -> Enum:
    """A portable string column for a StrEnum (no native ENUM type, values stored)."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
