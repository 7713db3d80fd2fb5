"""A month of plausible activity for report pages and screenshots (browser tests and
``bench``): several topics and kabupaten/kota, a recurring road, a spike, and forwarded
complaints with follow-ups early, late and missing."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Agency, Complaint, Item, ItemSuggestion, Region, Source, SourceKind
from models.enums import ComplaintStatus, TriageState
from models.workdays import Deadlines

TOPIC_AGENCY = {
    "infrastructure": "pupr",
    "transport": "dishub",
    "education": "disdik",
    "population_admin": "disdukcapil",
    "public_order": "satpolpp",
    "health": "dinkes",
}
REGIONS = ("63.71", "63.72", "63.03", "63.04", "63.08")


def populate(session: Session, now: datetime, deadlines: Deadlines, *, seed: int = 7) -> None:
    rnd = random.Random(seed)
    x = Source(kind=SourceKind.X, name="X sampel laporan", config={})
    news = Source(kind=SourceKind.RSS, name="Berita sampel", config={"url": "http://127.0.0.1/"})
    session.add_all([x, news])
    session.flush()
    regions = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(REGIONS)))}
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    n = 0

    def item(when: datetime, topic: str, code: str, *, place: str = "", author: str = "") -> None:
        nonlocal n
        n += 1
        agency = agencies.get(f"{code.replace('.', '')}-{TOPIC_AGENCY[topic]}")
        it = Item(
            source_id=(x if n % 3 else news).id,
            external_id=f"sample-{n}",
            author=author or f"warga{rnd.randint(1, 60)}",
            text=f"laporan warga {topic} {place}".strip(),
            content_hash=f"sample-{n}",
            published_at=when,
            fetched_at=when,
            place_key=place,
        )
        session.add(it)
        session.flush()
        session.add(
            ItemSuggestion(
                item_id=it.id,
                topic=topic,
                topic_confidence=0.8,
                agency_id=agency.id if agency else None,
                agency_confidence=0.7,
                region_id=regions[code].id,
                relevance=0.9,
                model_version="sampel",
            )
        )

    for day in range(90):
        when = now - timedelta(days=day, hours=rnd.randint(0, 20))
        for _ in range(rnd.randint(2, 6)):
            topic = rnd.choice(list(TOPIC_AGENCY))
            item(when - timedelta(minutes=rnd.randint(0, 600)), topic, rnd.choice(REGIONS))
    for week in range(0, 8, 2):  # one road, again and again
        item(
            now - timedelta(days=3 + 7 * week),
            "infrastructure",
            "63.03",
            place="jalan a yani km 14",
        )
    for i in range(12):  # flooding talk in Banjarmasin this week
        item(now - timedelta(days=i % 6, hours=i), "public_order", "63.71")
    for i in range(40):
        topic = rnd.choice(list(TOPIC_AGENCY))
        code = rnd.choice(REGIONS)
        agency = agencies.get(f"{code.replace('.', '')}-{TOPIC_AGENCY[topic]}")
        created = now - timedelta(days=rnd.randint(4, 40), hours=rnd.randint(0, 8))
        c = Complaint(
            title=f"Aduan sampel {i + 1}",
            description="aduan sampel",
            topic=topic,
            agency_id=agency.id if agency else None,
            region_id=regions[code].id,
            created_at=created,
        )
        session.add(c)
        session.flush()
        c.change_status(session, ComplaintStatus.VERIFIED, actor="sampel", now=created)
        forwarded = created + timedelta(hours=2)
        c.change_status(
            session, ComplaintStatus.FORWARDED, actor="sampel", now=forwarded, deadlines=deadlines
        )
        fate = rnd.random()
        if fate < 0.75:
            follow = forwarded + timedelta(days=rnd.choice((0, 1, 1, 2, 3, 5, 8)))
            if follow < now:
                c.change_status(session, ComplaintStatus.IN_PROGRESS, actor="sampel", now=follow)
                if fate < 0.45 and follow + timedelta(days=2) < now:
                    c.change_status(
                        session,
                        ComplaintStatus.DONE,
                        actor="sampel",
                        now=follow + timedelta(days=2),
                    )
    session.flush()
    _ = TriageState  # items stay in the queue (relevant by their suggestion)
