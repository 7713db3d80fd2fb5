"""Switching collection sources on and off: the same use-case, and the same event, from the
CLI and the web admin page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.errors import CollectorError
from collectors.http import fetch_url
from collectors.rss import parse_feed
from models.base import utcnow
from models.enums import SourceKind
from models.source import Source
from triage.actions import Actor, TriageError

__all__ = ["FeedCheck", "check_feed", "find_source", "save_feed", "set_source_enabled"]


def find_source(session: Session, name: str) -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise TriageError(f"sumber '{name}' tidak ada (lihat: aduan sources list)")
    return source


def set_source_enabled(
    session: Session,
    source: Source,
    enabled: bool,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
    x_token: bool = True,
) -> None:
    """Enable (clearing the failure count) or disable a source, with an event.

    An X source cannot be enabled without an API token (``x_token``: whether
    ``ADUAN_X_BEARER_TOKEN`` is set): the next run would only disable it again.
    """
    if enabled and source.kind is SourceKind.X and not x_token:
        raise TriageError(
            f"sumber X '{source.name}' tidak dapat diaktifkan: token API X belum diatur "
            "(ADUAN_X_BEARER_TOKEN)"
        )
    before = {"enabled": source.enabled, "disabled_reason": source.disabled_reason}
    if enabled:
        source.enable()
    else:
        source.disable(reason or f"dinonaktifkan oleh {actor.name}")
    actor.log(
        session,
        "source",
        source.id,
        "enable" if enabled else "disable",
        now=now,
        before=before,
        after={"enabled": source.enabled},
    )


@dataclass(frozen=True, slots=True)
class FeedCheck:
    url: str  # after redirects
    entries: int
    newest: str | None  # the newest entry's title, shown to the admin


def check_feed(url: str, *, client: httpx.Client) -> FeedCheck:
    """Fetch a feed once and parse it: the URL an admin typed is really an RSS/Atom feed.

    Only http(s) addresses; anything else, an unreachable host, an HTML page or an empty
    feed is refused with the reason in Indonesian.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TriageError("alamat feed harus diawali http:// atau https://")
    try:
        fetched = fetch_url(client, url, max_bytes=10 * 1024 * 1024)
        result = parse_feed(
            fetched.content,
            base_url=fetched.url,
            content_type=fetched.headers.get("content-type"),
            cursor={},
            now=utcnow(),
        )
    except CollectorError as exc:
        raise TriageError(f"feed tidak dapat dibaca: {exc}") from exc
    if not result.items:
        raise TriageError(
            "alamat itu bukan feed RSS/Atom yang berisi berita (tidak ada entri yang terbaca)"
        )
    newest = result.items[0].title or result.items[0].text[:80]
    return FeedCheck(url=str(fetched.url), entries=len(result.items), newest=newest)


def save_feed(
    session: Session,
    *,
    name: str,
    url: str,
    actor: Actor,
    now: datetime,
    source_id: int | None = None,
) -> Source:
    """Add a news feed, or change the name and address of one (the URL checked first by
    ``check_feed``). A changed address starts afresh: its cursor (ETag, last entry) and
    failure count are cleared."""
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise TriageError("nama sumber wajib diisi (maksimal 200 karakter)")
    clash = session.scalar(select(Source).where(Source.name == name))
    if source_id is None:
        if clash is not None:
            raise TriageError(f"sumber bernama '{name}' sudah ada")
        source = Source(kind=SourceKind.RSS, name=name, config={"url": url}, enabled=True)
        session.add(source)
        session.flush()
        actor.log(session, "source", source.id, "create", now=now, after={"name": name, "url": url})
        return source
    found = session.get(Source, source_id, with_for_update=True)
    if found is None or found.kind is not SourceKind.RSS:
        raise TriageError("hanya sumber feed berita yang dapat diubah di sini")
    if clash is not None and clash.id != found.id:
        raise TriageError(f"sumber bernama '{name}' sudah ada")
    before = {"name": found.name, "url": found.config.get("url")}
    if found.config.get("url") != url:
        found.cursor = {}
        found.consecutive_failures = 0
    found.name = name
    found.config = {**found.config, "url": url}
    actor.log(session, "source", found.id, "edit", now=now, before=before,
              after={"name": name, "url": url})  # fmt: skip
    return found
