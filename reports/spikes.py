"""Spikes: a topic in a kabupaten/kota suddenly much more talked about.

Daily counts of relevant items per topic x kabupaten/kota are taken in SQL over the 63
days ending on the report's last day. The last 7 days are compared with the 8 weeks
before them (weekly sums, zero weeks included). A series is flagged when the last 7 days
reach at least max(5, mean + 3 sd) of those 8 weekly counts, or when the Poisson tail
probability of seeing that many with the weekly mean as expectation is below 0.01 (with
at least 3 items, so a single post after a quiet spell is not a spike).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import fmean, stdev

from scipy.stats import poisson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.region import Region
from reports.facts import ALL, ReportScope, item_facts
from reports.sql import day_no

__all__ = ["BASELINE_WEEKS", "Spike", "spikes"]

BASELINE_WEEKS = 8
MIN_SPIKE = 5
SD_FACTOR = 3.0
P_LIMIT = 0.01
MIN_POISSON = 3
#: Expected weekly count used when the baseline is empty (one item in eight weeks).
FLOOR_RATE = 1 / BASELINE_WEEKS


@dataclass(slots=True)
class Spike:
    topic: str
    region_id: int
    region: str
    observed: int
    expected: float
    sd: float
    threshold: float
    p_value: float
    flagged: bool
    daily: list[int]  # the last 7 days, oldest first
    weekly: list[int]  # the 8 baseline weeks, oldest first
    topic_label: str = ""

    @property
    def ratio(self) -> float | None:
        return self.observed / self.expected if self.expected else None


def spikes(
    db: Session,
    last_day: date,
    end: datetime,
    *,
    offset_minutes: int,
    scope: ReportScope = ALL,
    include_steady: bool = False,
) -> list[Spike]:
    """Flagged series (all series with ``include_steady``), the most surprising first.

    ``last_day`` is the local date of the last day counted, ``end`` the UTC instant right
    after it.
    """
    days = 7 * (BASELINE_WEEKS + 1)
    start = end - timedelta(days=days)
    facts = item_facts(start, end, offset_minutes=offset_minutes, scope=scope)
    rows = db.execute(
        select(facts.c.topic, facts.c.region_id, facts.c.day_no, func.count())
        .where(facts.c.topic.is_not(None), facts.c.region_id.is_not(None))
        .group_by(facts.c.topic, facts.c.region_id, facts.c.day_no)
    ).all()
    last_no = day_no(last_day)
    series: dict[tuple[str, int], list[int]] = {}
    for topic, region_id, number, count in rows:
        back = last_no - int(number)  # 0 = the last day
        if 0 <= back < days:
            series.setdefault((topic, region_id), [0] * days)[days - 1 - back] += int(count)
    out = []
    for (topic, region_id), counts in series.items():
        daily = counts[-7:]
        weekly = [sum(counts[i * 7 : i * 7 + 7]) for i in range(BASELINE_WEEKS)]
        observed = sum(daily)
        mean = fmean(weekly)
        sd = stdev(weekly)
        threshold = max(MIN_SPIKE, mean + SD_FACTOR * sd)
        p = float(poisson.sf(observed - 1, max(mean, FLOOR_RATE))) if observed else 1.0
        flagged = observed >= threshold or (observed >= MIN_POISSON and p < P_LIMIT)
        if flagged or include_steady:
            out.append(
                Spike(
                    topic, region_id, "", observed, mean, sd, threshold, p, flagged, daily, weekly
                )
            )
    names = dict(
        db.execute(select(Region.id, Region.name).where(Region.id.in_({s.region_id for s in out})))
        .tuples()
        .all()
    )
    for s in out:
        s.region = names.get(s.region_id, "")
    return sorted(out, key=lambda s: (not s.flagged, s.p_value, -s.observed, s.topic))


def describe_p(p: float) -> str:
    """A p-value as an admin reads it."""
    if p < 0.001:
        return "< 0,001"
    return f"{p:.3f}".replace(".", ",") if not math.isnan(p) else "-"
