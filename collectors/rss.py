"""News feeds (RSS 0.9x/1.0/2.0 and Atom) through feedparser, fetched with conditional GET."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import feedparser
import httpx

from collectors.base import FetchResult, RawItem, SourceSpec
from collectors.errors import ParseError, PermanentError
from collectors.http import fetch_url
from collectors.normalize import html_to_text, normalise_whitespace, struct_time_to_utc
from models.base import utcnow
from models.enums import SourceKind

__all__ = ["RssCollector", "parse_feed"]

log = logging.getLogger(__name__)

#: Hosts that wrap the real article URL; the entry's guid is the better permalink.
FEED_PROXY_HOSTS = ("feedproxy.google.com", "feeds.feedburner.com", "feedsportal.com")


class RssCollector:
    kind: ClassVar[SourceKind] = SourceKind.RSS

    def fetch(self, source: SourceSpec, *, client: httpx.Client) -> FetchResult:
        url = source.config.get("url")
        if not url:
            raise PermanentError(f"sumber '{source.name}' tidak punya alamat feed (url)")
        fetched = fetch_url(
            client,
            url,
            etag=source.cursor.get("etag"),
            last_modified=source.cursor.get("last_modified"),
            max_bytes=int(source.config.get("max_bytes", 10 * 1024 * 1024)),
        )
        cursor = dict(source.cursor)
        if fetched.headers.get("etag"):
            cursor["etag"] = fetched.headers["etag"]
        if fetched.headers.get("last-modified"):
            cursor["last_modified"] = fetched.headers["last-modified"]
        if fetched.not_modified:
            return FetchResult(items=(), cursor=cursor, not_modified=True)
        return parse_feed(
            fetched.content,
            base_url=fetched.url,
            content_type=fetched.headers.get("content-type"),
            cursor=cursor,
            now=utcnow(),
        )


def parse_feed(
    content: bytes,
    *,
    base_url: str,
    cursor: Mapping[str, Any],
    now: datetime,
    content_type: str | None = None,
) -> FetchResult:
    """Entries of a feed document as RawItems; a malformed feed is parsed as far as it goes."""
    headers = {"content-location": base_url, "content-type": content_type or "application/xml"}
    # We keep text only (html_to_text drops scripts), so feedparser need not sanitise HTML
    # or rewrite its links: that work is most of its time.
    parsed = feedparser.parse(
        content, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    warnings: list[str] = []
    if not parsed.get("version"):
        if parsed.get("bozo") and not parsed.entries:
            raise ParseError(f"bukan feed RSS/Atom yang valid: {parsed.get('bozo_exception')}")
        if not parsed.entries:
            raise ParseError("dokumen ini bukan feed RSS/Atom (mungkin halaman HTML)")
    # A feed served as text/plain or text/html parses fine: not worth a warning.
    if parsed.get("bozo") and not isinstance(
        parsed.get("bozo_exception"), feedparser.NonXMLContentType
    ):
        message = f"feed tidak rapi, dibaca sebisanya: {parsed.get('bozo_exception')}"
        log.warning("%s (%s)", message, base_url)
        warnings.append(message)
    items: list[RawItem] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for index, entry in enumerate(parsed.entries):
        item = _entry_to_item(entry, now=now)
        if item is None:
            skipped.append(f"entri #{index + 1} tanpa judul, teks maupun tautan")
            continue
        if item.external_id in seen:
            skipped.append(f"entri #{index + 1} duplikat id {item.external_id}")
            continue
        seen.add(item.external_id)
        items.append(item)
    return FetchResult(
        items=tuple(items), cursor=dict(cursor), skipped=tuple(skipped), warnings=tuple(warnings)
    )


def _entry_to_item(entry: Mapping[str, Any], *, now: datetime) -> RawItem | None:
    title = html_to_text(entry.get("title")) or None
    text = _entry_text(entry)
    link = _permalink(entry)
    if not (title or text or link):
        return None
    external_id = normalise_whitespace(str(entry.get("id") or link or ""))
    if not external_id:
        external_id = "sha256:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    published = struct_time_to_utc(
        entry.get("published_parsed") or entry.get("updated_parsed"), now=now
    )
    raw = {
        "title": entry.get("title"),
        "link": entry.get("link"),
        "id": entry.get("id"),
        "published": entry.get("published") or entry.get("updated"),
        "summary": (entry.get("summary") or "")[:20_000],
        "tags": [t.get("term") for t in entry.get("tags", []) if t.get("term")],
    }
    return RawItem(
        external_id=external_id[:512],
        url=link,
        title=title,
        text=text or (title or ""),
        author=normalise_whitespace(entry.get("author") or "") or None,
        published_at=published,
        raw=raw,
    )


def _entry_text(entry: Mapping[str, Any]) -> str:
    summary = html_to_text(entry.get("summary"))
    contents = [html_to_text(c.get("value")) for c in entry.get("content", []) or []]
    longest = max(contents, key=len, default="")
    return longest if len(longest) > len(summary) else summary


def _permalink(entry: Mapping[str, Any]) -> str | None:
    link = entry.get("link")
    guid = entry.get("id")
    guid_is_link = bool(entry.get("guidislink")) or (
        isinstance(guid, str) and guid.startswith(("http://", "https://"))
    )
    if (
        link
        and guid_is_link
        and any(h in (urlsplit(link).hostname or "") for h in FEED_PROXY_HOSTS)
    ):
        return guid
    return link or (guid if guid_is_link else None)
