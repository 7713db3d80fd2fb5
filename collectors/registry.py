"""Which collector serves which source kind. Adding a source kind = one line here."""

from __future__ import annotations

from collections.abc import Callable

from aduan.settings import Settings
from collectors.base import Collector
from collectors.rss import RssCollector
from models.enums import SourceKind

__all__ = ["COLLECTORS", "collector_for"]

COLLECTORS: dict[SourceKind, Callable[[Settings], Collector]] = {
    SourceKind.RSS: lambda _settings: RssCollector(),
}


def collector_for(kind: SourceKind, settings: Settings) -> Collector | None:
    factory = COLLECTORS.get(kind)
    return factory(settings) if factory else None
