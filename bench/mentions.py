"""Mention detection: the Aho-Corasick automaton of ``classifier.mentions`` against the
one-regex alternation it replaced, on the same texts, with the same results required.

Texts: 6,000 Surabaya complaints from ../shared/data, plus 3,000 hostile variants (names
in capitals, with runs of spaces and newlines, after an "@", glued to a letter or "_").

    python -m bench.mentions
"""

from __future__ import annotations

import csv
import random
import re
import time

from sqlalchemy.orm import Session

from aduan.db import create_db_engine
from aduan.migrate import upgrade_database
from aduan.reference import load_agencies, load_regions
from bench.classifier_quality import DATA
from classifier.mentions import Mention, MentionKind, build_gazetteer


class RegexGazetteer:
    """The previous implementation: one alternation of every name, longest first."""

    def __init__(self, names: dict[tuple[MentionKind, str], tuple[int, ...]]) -> None:
        self._refs = names
        surfaces = sorted({s for _, s in self._refs}, key=len, reverse=True)
        body = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in surfaces) or r"(?!)"
        self._pattern = re.compile(rf"(?<![\w@])(?:{body})(?!\w)", re.IGNORECASE)

    def find(self, text: str) -> list[Mention]:
        found = []
        for match in self._pattern.finditer(text):
            surface = " ".join(match.group(0).split()).casefold()
            for kind in ("agency", "region"):
                refs = self._refs.get((kind, surface))
                if refs:
                    found.append(Mention(kind, match.start(), match.end(), match.group(0), refs))
        return found


def complaints(limit: int = 6000) -> list[str]:
    with DATA.open(encoding="utf-8") as handle:
        rows = zip(range(limit), csv.DictReader(handle), strict=False)
        return [row["keluhan"] for _, row in rows]


def main() -> None:
    engine = create_db_engine("sqlite://")
    upgrade_database(engine)
    with Session(engine) as session:
        load_regions(session)
        load_agencies(session)
        session.flush()
        automaton = build_gazetteer(session)
    regex = RegexGazetteer(automaton.names)
    plain = complaints()
    rng = random.Random(1)
    names = sorted({surface for _, surface in automaton.names})
    hostile = []
    for text in plain[:3000]:
        n, m = rng.choice(names), rng.choice(names)
        hostile.append(
            f"{text[:80]}  {n.upper()}\n\n lapor @{m} ke {m}, {n.title()}x {n}_ dan "
            f" {n.replace(' ', '   ')}."
        )
    corpus = plain + hostile
    results = {}
    for name, gazetteer in (("regex", regex), ("aho-corasick", automaton)):
        started = time.perf_counter()
        found = [gazetteer.find(t) for t in corpus]
        rate = len(corpus) / (time.perf_counter() - started)
        results[name] = found
        print(f"{name:13} {rate:9,.0f} texts/s, {sum(map(len, found)):,} mentions")

    def key(ms: list[Mention]) -> list[tuple[object, ...]]:
        return [(m.kind, m.start, m.end, m.text, m.refs) for m in ms]

    differ = sum(key(a) != key(b) for a, b in zip(*results.values(), strict=True))
    print(f"texts whose mentions differ: {differ} of {len(corpus):,} ({len(names):,} names)")


if __name__ == "__main__":
    main()
