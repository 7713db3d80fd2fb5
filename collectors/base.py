"""What every collector takes and returns, and the protocol it implements.

No feedparser, tweepy or BeautifulSoup object leaves a collector module: they return
these frozen dataclasses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

import httpx

from models.enums import SourceKind

__all__ = ["Collector", "FetchResult", "RawItem", "SourceSpec"]


@dataclass(frozen=True, slots=True)
class RawItem:
    """One post or article as a collector saw it."""

    external_id: str
    url: str | None
    title: str | None
    text: str
    author: str | None
    published_at: datetime | None
    raw: Mapping[str, Any] = field(default_factory=dict)
    group_key: str | None = None  # same conversation by construction, e.g. "x:<tweet id>"


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A source as the collector needs it: plain data, no ORM object."""

    id: int
    kind: SourceKind
    name: str
    config: Mapping[str, Any]
    cursor: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Items found, the cursor to save once they are stored, and what was skipped."""

    items: tuple[RawItem, ...]
    cursor: Mapping[str, Any]
    not_modified: bool = False
    skipped: tuple[str, ...] = ()  # one message per entry that could not be used
    warnings: tuple[str, ...] = ()  # e.g. a malformed feed that was still parsed


class Collector(Protocol):
    kind: ClassVar[SourceKind]

    def fetch(self, source: SourceSpec, *, client: httpx.Client) -> FetchResult: ...
