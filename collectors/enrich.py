"""Fetching the full article for feed entries worth it: those that mention an agency or
read like a report of a public-service problem. Failures are logged skips: the item
keeps its feed text."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from aduan.db import get_sessionmaker, session_scope
from classifier.baseline import COMPLAINT_CUE_PATTERN
from classifier.mentions import Gazetteer
from collectors.article import Article
from collectors.errors import CollectorError, RobotsDisallowed
from collectors.pages import PageFetcher
from models.enums import SourceKind
from models.item import Item
from models.source import Source

__all__ = [
    "ArticleChoice",
    "EnrichReport",
    "apply_pages",
    "choose_articles",
    "enrich_chunk",
    "enrich_items",
    "mark_articles",
    "pages_wanted",
    "select_for_article",
    "worth_fetching",
]

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
    return cues >= 2 or (cues >= 1 and any(m.kind in ("region", "landmark") for m in mentions))


def _page_decision(
    url: str | None,
    title: str | None,
    text: str,
    raw: dict[str, Any] | None,
    gazetteer: Gazetteer | None,
) -> str:
    """The one rule for a feed entry's page: "done" (already in), "skipped" (no web link,
    or not worth it), or "wanted". Without a gazetteer the entry was chosen already."""
    if "article" in (raw or {}):
        return "done"
    if not re.match(r"https?://", url or ""):
        return "skipped"
    if gazetteer is not None and not worth_fetching(f"{title or ''}\n{text}", gazetteer):
        return "skipped"
    return "wanted"


@dataclass(slots=True)
class ArticleChoice:
    """Which feed entries get their page fetched ("wanted") and what the others are to be
    marked ("done": the page is in already; "skipped": no web link or not worth it)."""

    wanted: list[int]
    marks: dict[str, list[int]]
    report: EnrichReport


def choose_articles(
    session: Session, item_ids: Sequence[int], *, gazetteer: Gazetteer
) -> ArticleChoice:
    """Decide, reading only: which of ``item_ids`` (feed entries; other kinds are left
    out) are worth a page. ``mark_articles`` writes the other decisions; the two may run
    in different transactions (the flow reads with no write lock held while the page
    worker stores pages, then marks in a short write transaction)."""
    report = EnrichReport()
    started = time.perf_counter()
    choice = ArticleChoice(wanted=[], marks={"done": [], "skipped": []}, report=report)
    ids = sorted(set(item_ids))
    for start in range(0, len(ids), 1000):
        rows = session.execute(
            select(Item.id, Item.url, Item.title, Item.text, Item.raw)
            .join(Source)
            .where(Item.id.in_(ids[start : start + 1000]), Source.kind == SourceKind.RSS)
            .order_by(Item.id)
        )
        for item_id, url, title, text, raw in rows:
            decision = _page_decision(url, title, text, raw, gazetteer)
            if decision == "wanted":
                choice.wanted.append(item_id)
            else:
                choice.marks[decision].append(item_id)
    report.skipped = sum(len(marked) for marked in choice.marks.values())
    report.select_seconds = time.perf_counter() - started
    return choice


def mark_articles(session: Session, choice: ArticleChoice) -> None:
    """Write the decisions of ``choose_articles``: one UPDATE per state and 1,000 items,
    only on entries still "pending" (a state another process set meanwhile stands)."""
    for state, marked in choice.marks.items():
        for start in range(0, len(marked), 1000):
            session.execute(
                update(Item)
                .where(Item.id.in_(marked[start : start + 1000]), Item.enrich_state == "pending")
                .values(enrich_state=state)
                .execution_options(synchronize_session=False)
            )


def select_for_article(
    session: Session, item_ids: Sequence[int], *, gazetteer: Gazetteer
) -> tuple[list[int], EnrichReport]:
    """The feed entries among ``item_ids`` whose page is worth fetching (still "pending");
    the others are marked "skipped" (or "done" when the page is already in) in this
    session, which should be a write transaction (SQLite: one that took the write lock
    first; else a page stored meanwhile by another process makes the marking fail)."""
    choice = choose_articles(session, item_ids, gazetteer=gazetteer)
    mark_articles(session, choice)
    return choice.wanted, choice.report


def pages_wanted(
    session: Session,
    item_ids: Sequence[int],
    *,
    gazetteer: Gazetteer | None,
    selected: bool = False,
) -> tuple[dict[str, list[Item]], EnrichReport]:
    """URL -> the items (of this session) whose page it is, for the given feed entries
    worth a page; the others are marked in this session. ``selected``: the ids come from
    ``select_for_article``, fetch them all without asking again."""
    if not selected and gazetteer is None:
        raise ValueError("a gazetteer decides which entries are worth a page")
    report = EnrichReport()
    started = time.perf_counter()
    rows = session.scalars(
        select(Item)
        .join(Source)
        .where(Item.id.in_(list(item_ids)), Source.kind == SourceKind.RSS)
        .order_by(Item.id)
    ).all()
    wanted: dict[str, list[Item]] = {}
    for item in rows:
        decision = _page_decision(
            item.url, item.title, item.text, item.raw, None if selected else gazetteer
        )
        if decision != "wanted":
            item.enrich_state = decision
            report.skipped += 1
            continue
        wanted.setdefault(item.url or "", []).append(item)
    report.select_seconds = time.perf_counter() - started
    return wanted, report


def apply_pages(
    wanted: dict[str, list[Item]],
    outcomes: Iterable[tuple[str, Article | CollectorError]],
    report: EnrichReport,
    *,
    now: datetime,
) -> None:
    """Put each fetched article into its items, or record why it could not be had (a
    logged skip: the item keeps its feed text); counts go into ``report``."""
    refused_by_host: Counter[str] = Counter()
    for url, outcome in outcomes:
        for item in wanted.get(url, ()):
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
    if refused_by_host:
        hosts = ", ".join(f"{host} ({n})" for host, n in refused_by_host.most_common(5))
        more = len(refused_by_host) - 5
        log.warning(
            "%d artikel tidak diambil: robots.txt situsnya melarang atau tidak terbaca: %s%s "
            "(teks feed tetap dipakai)",
            sum(refused_by_host.values()),
            hosts,
            f" dan {more} situs lain" if more > 0 else "",
        )


def enrich_items(
    session: Session,
    item_ids: Sequence[int],
    *,
    fetcher: PageFetcher,
    gazetteer: Gazetteer | None,
    now: datetime,
    selected: bool = False,
) -> EnrichReport:
    """Fetch the pages of the given feed entries that are worth it, through the fetcher's
    pool; the items are updated in this session (the caller commits)."""
    wanted, report = pages_wanted(session, item_ids, gazetteer=gazetteer, selected=selected)
    fetching = time.perf_counter()
    extract_before = fetcher.extract_seconds
    apply_pages(wanted, fetcher.fetch_many(list(wanted)), report, now=now)
    report.fetch_seconds = time.perf_counter() - fetching
    report.extract_seconds = fetcher.extract_seconds - extract_before
    session.flush()
    return report


def enrich_chunk(
    item_ids: Sequence[int],
    *,
    fetcher: PageFetcher,
    now: datetime,
    engine: Engine | None = None,
) -> EnrichReport:
    """Pages for entries chosen by ``select_for_article``, with no transaction open while
    they download: read the URLs, fetch and extract, then store them in one short write
    transaction (on SQLite it takes the write lock first, so that writes made meanwhile
    by other threads or processes cannot overtake it). A crash before the commit leaves
    the items "pending" for the next run."""
    session = get_sessionmaker(engine)()
    try:
        urls = list(pages_wanted(session, item_ids, gazetteer=None, selected=True)[0])
    finally:
        session.close()  # read only: nothing to commit
    started, extract_before = time.perf_counter(), fetcher.extract_seconds
    outcomes = list(fetcher.fetch_many(urls))
    fetch_seconds = time.perf_counter() - started
    with session_scope(engine, write=True) as session:
        wanted, report = pages_wanted(session, item_ids, gazetteer=None, selected=True)
        apply_pages(wanted, outcomes, report, now=now)
    report.fetch_seconds = fetch_seconds
    report.extract_seconds = fetcher.extract_seconds - extract_before
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
