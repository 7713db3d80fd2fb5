"""Which collector serves which source kind. Adding a source kind = one line here."""

from __future__ import annotations

from collections.abc import Callable

from aduan.settings import Settings
from collectors.base import Collector
from collectors.rss import RssCollector
from collectors.x import XCollector
from models.enums import SourceKind

__all__ = ["COLLECTORS", "collector_for"]


def _x(settings: Settings) -> Collector:
    token = settings.x_bearer_token.get_secret_value() if settings.x_bearer_token else None
    return XCollector(
        bearer_token=token,
        base_url=settings.x_api_base_url,
        timeout=settings.http_timeout,
        deadline=settings.http_deadline,
        max_pages=settings.x_max_pages,
        wait_on_rate_limit=settings.x_wait_on_rate_limit,
    )


COLLECTORS: dict[SourceKind, Callable[[Settings], Collector]] = {
    SourceKind.RSS: lambda _settings: RssCollector(),
    SourceKind.X: _x,
}


def collector_for(kind: SourceKind, settings: Settings) -> Collector | None:
    factory = COLLECTORS.get(kind)
    return factory(settings) if factory else None
