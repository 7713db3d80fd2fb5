"""Normalising what collectors find: canonical URLs, plain text, UTC times, content hashes."""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
import unicodedata
import warnings
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from courlan.clean import TRACKERS_RE

__all__ = [
    "canonical_url",
    "content_hash",
    "html_to_text",
    "normalise_whitespace",
    "strip_control",
    "strip_control_deep",
    "struct_time_to_utc",
]

#: Tracking parameters beyond courlan's maintained rule set (``TRACKERS_RE``: utm_*,
#: fbclid, gclid, *_source, *_medium, *_campaign, ref, mc_*, _ga, ...).
EXTRA_TRACKERS = frozenset({"cmpid", "spm", "__twitter_impression", "ito", "amp_js_v"})
SITES_FILE = Path(__file__).resolve().parent / "data" / "sites.yaml"
_WS = re.compile(r"\s+")
_BLOCK_TAGS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "blockquote")


@lru_cache(maxsize=1)
def _url_rules() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Per-site query rules of sites.yaml: ``url_keep`` (never stripped there, even if it
    looks like tracking) and ``url_strip`` (stripped there, e.g. ``page`` where
    ``?page=all`` is the same article on one page)."""
    data = yaml.safe_load(SITES_FILE.read_text(encoding="utf-8")) or {}
    return {
        domain: (
            frozenset(k.lower() for k in rule.get("url_keep", [])),
            frozenset(k.lower() for k in rule.get("url_strip", [])),
        )
        for domain, rule in (data.get("sites") or {}).items()
        if rule and ("url_keep" in rule or "url_strip" in rule)
    }


def _site_rule(host: str) -> tuple[frozenset[str], frozenset[str]]:
    rules = _url_rules()
    parts = host.split(".")
    for i in range(len(parts) - 1):  # "regional.kompas.com" -> "kompas.com"
        rule = rules.get(".".join(parts[i:]))
        if rule is not None:
            return rule
    return frozenset(), frozenset()


def _is_tracker(key: str, keep: frozenset[str], strip: frozenset[str]) -> bool:
    key = key.lower()
    if key in keep:
        return False
    return key in strip or key in EXTRA_TRACKERS or bool(TRACKERS_RE.search(key))


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, no fragment, no default port, no tracking parameters
    (courlan's maintained rules plus per-site rules in sites.yaml), the remaining query
    parameters sorted. Parameters that name content — ``id``, ``p``, ``v``, ``s``, ``t``,
    ``page`` — stay, so different pages never merge (bench/url_canonical.py)."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https", "file"):
        return url
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80)
        or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    keep, strip = _site_rule(parts.hostname or "")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracker(k, keep, strip)
    )
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(query), ""))


_CONTROL = dict.fromkeys(c for c in (*range(32), 127) if chr(c) not in "\n\r\t")


def strip_control(text: str) -> str:
    """Text without NUL and other control characters (PostgreSQL refuses NUL in text and
    JSON; none of them means anything in a post)."""
    return text.translate(_CONTROL)


def strip_control_deep(value: Any) -> Any:
    """``strip_control`` on every string inside a JSON-like value (keys included)."""
    if isinstance(value, str):
        return strip_control(value)
    if isinstance(value, dict):
        return {strip_control_deep(k): strip_control_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strip_control_deep(v) for v in value]
    return value


def normalise_whitespace(text: str) -> str:
    return _WS.sub(" ", text).strip()


def html_to_text(markup: str | None) -> str:
    """Plain text from an HTML fragment; scripts and styles dropped, entities decoded."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return normalise_whitespace(markup)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style", "noscript", "iframe", "template"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before(" ")
        tag.insert_after(" ")
    text = soup.get_text()
    return normalise_whitespace(html.unescape(text))


def content_hash(title: str | None, text: str) -> str:
    """SHA-256 of the case-folded, accent-stripped words: the same story hashes the same."""
    folded = unicodedata.normalize("NFKD", f"{title or ''} {text}".casefold())
    words = re.findall(r"\w+", folded)
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def struct_time_to_utc(
    value: time.struct_time | None, *, now: datetime, max_future: timedelta = timedelta(days=1)
) -> datetime | None:
    """feedparser's UTC ``struct_time`` as an aware datetime; odd dates become ``None``.

    A date more than ``max_future`` ahead of ``now`` or before 1995 is a feed bug, not news.
    """
    if value is None:
        return None
    try:
        result = datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError):
        return None
    if result > now + max_future or result.year < 1995:
        return None
    return result
