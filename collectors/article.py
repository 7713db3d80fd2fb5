"""Article pages: decode the bytes right (``collectors.encoding``), then find title,
main text, time and author.

Order of evidence: JSON-LD, meta tags (Open Graph, article:*, Dublin Core), the site's
rules from ``collectors/data/sites.yaml`` (data keyed by domain, not code branches),
``<article>``, and finally a text-density search over the page's blocks.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag

from collectors.dates import parse_datetime, parse_indonesian_datetime
from collectors.encoding import decode_html
from collectors.normalize import normalise_whitespace
from models.base import utcnow

__all__ = ["Article", "decode_html", "extract_article"]

SITES_FILE = Path(__file__).resolve().parent / "data" / "sites.yaml"
_NOISE = (
    "script",
    "style",
    "noscript",
    "iframe",
    "form",
    "nav",
    "footer",
    "header",
    "aside",
    "button",
    "svg",
    "template",
    "select",
)
_NOISE_HINT = re.compile(
    r"comment|share|social|related|terkait|baca-?juga|recommend|sidebar|footer|header|nav|"
    r"menu|advert|iklan|banner|popular|populer|tag-?list|breadcrumb|newsletter|promo",
    re.IGNORECASE,
)
_BLOCKS = ("p", "h2", "h3", "li", "blockquote")
_DATE_NODES = "[class*=date], [class*=time], [class*=tanggal], [class*=schedule], [class*=waktu]"
_CLOCK = re.compile(r"\d{1,2}[:.]\d{2}")


@dataclass(frozen=True, slots=True)
class Article:
    title: str | None
    text: str
    published_at: datetime | None
    author: str | None
    encoding: str
    method: str  # how the body was found: jsonld, site-rule, article, density


@lru_cache(maxsize=1)
def _site_rules() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(SITES_FILE.read_text(encoding="utf-8")) or {}
    sites: dict[str, dict[str, Any]] = data.get("sites", {})
    return sites


def _rules_for(url: str | None) -> dict[str, Any]:
    host = (urlsplit(url).hostname or "") if url else ""
    rules = _site_rules()
    while host:
        if host in rules:
            return rules[host]
        host = host.partition(".")[2]
    return {}


def extract_article(
    content: bytes,
    *,
    url: str | None = None,
    declared_charset: str | None = None,
    use_trafilatura: bool = True,
) -> Article:
    """Title, body, publication time and byline of a news page. Order for the body: the
    site's rule in sites.yaml, the page's JSON-LD articleBody, trafilatura (sites without
    a body or drop rule), the <article> element, the densest block. ``use_trafilatura``
    off gives our generic rules alone (bench/extraction.py compares the two)."""
    html, encoding = decode_html(content, declared_charset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "lxml")
    rules = _rules_for(url)
    ld = _json_ld(soup)
    meta = _meta(soup)

    title = (
        _clean(ld.get("headline"))
        or meta.get("og:title")
        or meta.get("twitter:title")
        or _text_of(soup.find("h1"))
        or _text_of(soup.find("title"))
    )
    author = _author(ld) or meta.get("author") or meta.get("dc.creator")
    if author and author.startswith("http"):
        author = None
    published = _published(soup, ld, meta, rules)

    for tag in soup.find_all(_NOISE):
        tag.decompose()
    for selector in rules.get("drop", []):
        for tag in soup.select(selector):
            tag.decompose()

    parsed = _TrafilaturaTree(html)  # parsed on first use, once
    body, method = "", ""
    if rules.get("body"):
        node = soup.select_one(rules["body"])
        if node is not None:
            body, method = _block_text(node), "site-rule"
    if len(body) < 200 and isinstance(ld.get("articleBody"), str):
        body, method = normalise_whitespace(ld["articleBody"]), "jsonld"
    if len(body) < 200 and use_trafilatura and not rules.get("body") and not rules.get("drop"):
        # A site the team wrote no body rule for: trafilatura finds the body better than
        # our generic rules (bench/extraction.py, docs/decisions.md).
        candidate = _trafilatura_body(parsed, url, title)
        if len(candidate) > len(body):
            body, method = candidate, "trafilatura"
    if len(body) < 200:
        node = soup.find("article")
        if isinstance(node, Tag):
            candidate = _block_text(node)
            if len(candidate) > len(body):
                body, method = candidate, "article"
    if len(body) < 200:
        candidate = _densest_block(soup)
        if len(candidate) > len(body):
            body, method = candidate, "density"
    if use_trafilatura and (not author or published is None):
        found_author, found_date = _trafilatura_metadata(parsed, url)
        author = author or found_author
        published = published or found_date
    return Article(
        title=title,
        text=body,
        published_at=published,
        author=normalise_whitespace(author) if author else None,
        encoding=encoding,
        method=method or "none",
    )


@lru_cache(maxsize=1)
def _trafilatura() -> Any:
    """trafilatura; its downloader (unused here) makes urllib3 warn that SOCKS proxies need
    PySocks, silenced by swapping the process-wide warning filters for the import."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import trafilatura

    return trafilatura


# Imported with this module (80 ms), before a run starts threads, not by the first pool
# thread to extract a page: another thread swapping the warning filters back during that
# import (a model loading beside it) let the warning through, and under an "error" filter
# it failed the page (a flaky ingest test, 2026-12-05).
_trafilatura()


_DATELINE = re.compile(r"\b(19|20)\d{2}\b.*\d{1,2}[:.]\d{2}|\b\d{1,2}/\d{1,2}/\d{2,4}\b")


class _TrafilaturaTree:
    """The page parsed once for trafilatura (body and metadata both read it): each use
    gets its own copy, since trafilatura prunes the tree it is given."""

    def __init__(self, html: str) -> None:
        self.html = html
        self._tree: Any = None

    def copy(self) -> Any:
        if self._tree is None:
            from trafilatura.utils import load_html

            self._tree = load_html(self.html)
            if self._tree is None:  # not HTML trafilatura can read: let it say so itself
                return self.html
        return copy.deepcopy(self._tree)


def _trafilatura_body(page: _TrafilaturaTree, url: str | None, title: str | None) -> str:
    """The main text by trafilatura, one paragraph per line, without the headline and
    dateline it sometimes repeats on top; "" when it finds none, or only a list of links
    (a front page: most of its text in short lines)."""
    text = _trafilatura().extract(
        page.copy(),
        url=url,
        include_comments=False,
        include_tables=False,
        deduplicate=True,
        fast=True,
    )
    if not text:
        return ""
    lines = [normalise_whitespace(line.removeprefix("- ")) for line in text.splitlines()]
    lines = [line for line in lines if line]
    headline = normalise_whitespace(title or "").casefold()
    while (
        lines
        and len(lines[0]) < 120
        and ((headline and lines[0].casefold() in headline) or _DATELINE.search(lines[0]))
    ):
        lines.pop(0)
    total = sum(map(len, lines))
    prose = sum(len(line) for line in lines if len(line) >= 80)
    if total == 0 or prose < total / 2:
        return ""
    return "\n".join(lines)


def _trafilatura_metadata(
    page: _TrafilaturaTree, url: str | None
) -> tuple[str | None, datetime | None]:
    """A byline our rules missed ("Pewarta: ...", a name in a byline block) and a
    publication day (00:00 WIB, when only the day is known)."""
    found = _trafilatura().extract_metadata(page.copy(), default_url=url)
    if found is None:
        return None, None
    author = str(getattr(found, "author", "") or "")
    author = "" if author.startswith("http") else author.removeprefix("Pewarta ").strip()
    day = str(getattr(found, "date", "") or "")
    published = None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        published = datetime.fromisoformat(f"{day}T00:00:00+07:00").astimezone(UTC)
    return author or None, published


def _clean(value: Any) -> str | None:
    return normalise_whitespace(value) if isinstance(value, str) and value.strip() else None


def _text_of(node: Any) -> str | None:
    return _clean(node.get_text(" ")) if isinstance(node, Tag) else None


def _json_ld(soup: BeautifulSoup) -> dict[str, Any]:
    """The first NewsArticle/Article-like JSON-LD object, or {}."""
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "", strict=False)
        except (json.JSONDecodeError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            obj = stack.pop(0)
            if not isinstance(obj, dict):
                continue
            stack.extend(obj.get("@graph", []) if isinstance(obj.get("@graph"), list) else [])
            kind = obj.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.endswith("Article") for k in kinds):
                return obj
    return {}


def _meta(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = str(tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        value = tag.get("content")
        if key and isinstance(value, str) and value.strip() and key not in found:
            found[key] = normalise_whitespace(value)
    return found


def _author(ld: dict[str, Any]) -> str | None:
    author = ld.get("author")
    if isinstance(author, list) and author:
        author = author[0]
    if isinstance(author, dict):
        author = author.get("name")
    return _clean(author)


def _published(
    soup: BeautifulSoup, ld: dict[str, Any], meta: dict[str, str], rules: dict[str, Any]
) -> datetime | None:
    candidates = [
        ld.get("datePublished"),
        meta.get("article:published_time"),
        meta.get("datepublished"),
        meta.get("pubdate"),
        meta.get("publishdate"),
        meta.get("dc.date"),
        meta.get("date"),
    ]
    for value in candidates:
        if isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is not None:
                return parsed
    time_tag = soup.find("time", attrs={"datetime": True})
    if isinstance(time_tag, Tag):
        parsed = parse_datetime(str(time_tag["datetime"]))
        if parsed is not None:
            return parsed
    if rules.get("date"):
        found = _first_date(soup.select(rules["date"])[:10])
        if found is not None:
            return found
    # Generic: elements named like a date; one that also carries a clock time wins over
    # a bare date (widgets list "Rabu, 7 Oktober 2015" for other stories), then the
    # text around the headline.
    heading = soup.find("h1")
    near_heading = [heading.parent] if isinstance(heading, Tag) and heading.parent else []
    return _first_date(soup.select(_DATE_NODES)[:40], fallback_nodes=near_heading)


def _first_date(nodes: Sequence[Tag], *, fallback_nodes: Sequence[Tag] = ()) -> datetime | None:
    date_only = None
    now = utcnow()  # "2 jam yang lalu" on a page means two hours before it was fetched
    for node in [*nodes, *fallback_nodes]:
        text = node.get_text(" ")[:2000]
        parsed = parse_indonesian_datetime(text, now=now)
        if parsed is None:
            continue
        if _CLOCK.search(text):
            return parsed
        date_only = date_only or parsed
    return date_only


_BLOCK_NAMES = frozenset(_BLOCKS)


def _block_text(node: Tag) -> str:
    blocks = node.find_all(_BLOCKS)
    # A block holding other blocks is skipped (the inner blocks carry the text): found by
    # walking up from every block once, not by one search per block.
    outer: set[int] = set()
    for block in blocks:
        for parent in block.parents:
            if parent is node:
                break
            if parent.name in _BLOCK_NAMES:
                outer.add(id(parent))
    parts = []
    for block in blocks:
        if id(block) in outer:
            continue
        text = normalise_whitespace(block.get_text(" "))
        if len(text) >= 2:
            parts.append(text)
    text = "\n".join(parts)
    return text if len(text) >= 80 else normalise_whitespace(node.get_text(" "))


def _is_noise(tag: Tag) -> bool:
    classes: Any = tag.get("class") or []
    hint = " ".join(
        [*(classes if isinstance(classes, list) else [classes]), str(tag.get("id") or "")]
    )
    return bool(hint and _NOISE_HINT.search(hint))


def _densest_block(soup: BeautifulSoup) -> str:
    """The container whose direct paragraphs hold the most text with the fewest links."""
    best, best_score = None, 0.0
    for container in soup.find_all(["div", "section", "td", "main", "span"]):
        if _is_noise(container):
            continue
        paragraphs = container.find_all(["p", "br"], recursive=False)
        if not paragraphs:
            continue
        text = normalise_whitespace(container.get_text(" "))
        if len(text) < 150:
            continue
        link_text = sum(len(a.get_text(" ")) for a in container.find_all("a"))
        score = (
            len(text)
            * (1 - min(1.0, link_text / max(1, len(text))))
            * (1 + 0.1 * min(len(paragraphs), 20))
        )
        if score > best_score:
            best, best_score = container, score
    return _block_text(best) if best is not None else ""
