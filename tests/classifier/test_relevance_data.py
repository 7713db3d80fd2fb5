"""The written relevance negatives: what the team wrote, not what the benchmark scores on
(the recorded news feeds of ../shared/fixtures/rss must stay unseen)."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest

from classifier.train import relevance_negatives

SHARED_RSS = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "rss"


def _key(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).casefold().split())


def test_negatives_are_many_distinct_and_cover_news_and_posts() -> None:
    negatives = relevance_negatives()
    assert len(negatives) >= 300
    assert len({_key(t) for t in negatives}) == len(negatives)  # no repeats


@pytest.mark.skipif(not SHARED_RSS.is_dir(), reason="../shared/fixtures/rss not present")
def test_no_negative_comes_from_the_recorded_feeds() -> None:
    recorded = []
    for path in sorted(SHARED_RSS.glob("*.xml")):
        for entry in feedparser.parse(path.read_bytes()).entries:
            recorded.append(_key(f"{entry.get('title', '')} {entry.get('summary', '')}"))
    assert len(recorded) > 300
    for text in relevance_negatives():
        head = _key(text)[:40]
        assert not any(head in news for news in recorded), text
