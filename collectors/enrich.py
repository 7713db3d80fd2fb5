"""Fetching the full article for feed entries worth it: those that mention an agency or
read like a report of a public-service problem. Failures are logged skips: the item
keeps its feed text."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.baseline import COMPLAINT_CUE_PATTERN
from classifier.mentions import Gazetteer
from collectors.article import Article
from collectors.errors import CollectorError, RobotsDisallowed
from collectors.pages import PageFetcher
from models.enums import SourceKind
from models.item import Item
from models.source import Source

__all__ = ["EnrichReport", "enrich_items", "worth_fetching"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class EnrichReport:
    fetched: int = 0
    skipped: int = 0
    failed: int = 0
    robots: int = 0  # of ``failed``: the site's robots.txt said no
    select_seconds: float = 0.0  # deciding which entries are worth a page (mentions, cues)
    fetch_seconds: float = 0.0  # wall time of fetching and extracting the pages
    extract_seconds: float = 0.0  # of which extraction, summed over the pool's threads


def worth_fetching(text: str, gazetteer: Gazetteer) -> bool:
    """An agency is mentioned, or a place plus a complaint cue, or several cues."""
    mentions = gazetteer.find(text)
    if any(m.kind == "agency" for m in mentions):
        return True
    cues = len(COMPLAINT_CUE_PATTERN.findall(text))
    return cues >= 2 or (cues >= 1 and any(m.kind == "region" for m in mentions))


def enrich_items(
    session: Session,
    item_ids: Sequence[int],
    *,
    fetcher: PageFetcher,
    gazetteer: Gazetteer,
    now: datetime,
) -> EnrichReport:
    """Fetch the pages of the given feed entries that are worth it, through the fetcher's
    pool; the items are updated in this session (the caller commits)."""
    report = EnrichReport()
    refused_by_host: Counter[str] = Counter()
    started = time.perf_counter()
    rows = session.scalars(
        select(Item)
        .join(Source)
        .where(Item.id.in_(list(item_ids)), Source.kind == SourceKind.RSS)
        .order_by(Item.id)
    ).all()
    wanted: dict[str, list[Item]] = {}
    for item in rows:
        url = item.url or ""
        if "article" in item.raw:
            item.enrich_state = "done"
            report.skipped += 1
            continue
        if not re.match(r"https?://", url) or not worth_fetching(
            f"{item.title or ''}\n{item.text}", gazetteer
        ):
            item.enrich_state = "skipped"
            report.skipped += 1
            continue
        wanted.setdefault(url, []).append(item)
    fetching = time.perf_counter()
    report.select_seconds = fetching - started
    extract_before = fetcher.extract_seconds
    for url, outcome in fetcher.fetch_many(list(wanted)):
        for item in wanted[url]:
            if isinstance(outcome, RobotsDisallowed):
                # Expected on many news sites: one summary line below, not one per article.
                log.debug("article %s skipped: %s", url, outcome)
                refused_by_host[urlsplit(url).hostname or "?"] += 1
                report.robots += 1
            elif isinstance(outcome, CollectorError):
                log.warning("article %s skipped: %s", url, outcome)
            if isinstance(outcome, CollectorError):
                item.raw = {**item.raw, "article_error": str(outcome)[:500]}
                item.enrich_state = "failed"
                report.failed += 1
                continue
            _apply(item, outcome, now)
            report.fetched += 1
    report.fetch_seconds = time.perf_counter() - fetching
    report.extract_seconds = fetcher.extract_seconds - extract_before
    session.flush()
    if refused_by_host:
        hosts = ", ".join(f"{host} ({n})" for host, n in refused_by_host.most_common(5))
        more = len(refused_by_host) - 5
        log.warning(
            "%d artikel tidak diambil: robots.txt situsnya melarang atau tidak terbaca: %s%s "
            "(teks feed tetap dipakai)",
            report.robots,
            hosts,
            f" dan {more} situs lain" if more > 0 else "",
        )
    return report


def _apply(item: Item, article: Article, now: datetime) -> None:
    raw = {
        **item.raw,
        "article": {
            "method": article.method,
            "encoding": article.encoding,
            "fetched_at": now.isoformat(),
        },
    }
    if len(article.text) > len(item.text):
        raw["feed_text"] = item.text
        item.text = article.text
    item.title = item.title or article.title
    item.author = item.author or article.author
    item.published_at = item.published_at or article.published_at
    item.raw = raw
    item.enrich_state = "done"
