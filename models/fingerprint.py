"""Near-duplicate index: a MinHash signature per item and its LSH band buckets.

A new item is compared only with items sharing a bucket (an indexed lookup), never
with all items.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

__all__ = ["ItemBucket", "ItemFingerprint"]


class ItemFingerprint(Base):
    __tablename__ = "item_fingerprints"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ItemBucket(Base):
    __tablename__ = "item_buckets"
    # The primary key (bucket, item_id) is the lookup index.

    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
