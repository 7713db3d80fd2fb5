"""A constructed world for report tests: every figure in them is counted by hand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models import Agency, Complaint, Item, ItemSuggestion, Region, Source, SourceKind
from models.enums import ComplaintStatus, TriageState
from models.workdays import Deadlines, load_holidays
from reports.build import prepare_calendar
from reports.periods import parse_period

WITA = ZoneInfo("Asia/Makassar")
DEADLINES = Deadlines(3, WITA, load_holidays())
_ids = count(1)


def wita(text: str) -> datetime:
    """'2026-11-03 10:00' in WITA, as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=WITA).astimezone(UTC)


@dataclass
class World:
    session: Session
    x: Source
    news: Source
    bjm: Region  # Kota Banjarmasin
    banjar: Region  # Kabupaten Banjar
    pupr: Agency
    dishub: Agency
    disdik: Agency

    def item(
        self,
        when: str,
        *,
        topic: str | None = "infrastructure",
        region: Region | None = None,
        agency: Agency | None = None,
        author: str | None = "warga1",
        source: Source | None = None,
        relevance: float = 0.9,
        state: TriageState = TriageState.PENDING,
        cluster: int | None = None,
        place: str = "",
        complaint: Complaint | None = None,
        text: str = "jalan rusak",
    ) -> Item:
        n = next(_ids)
        item = Item(
            source_id=(source or self.x).id,
            external_id=f"e{n}",
            author=author,
            text=text,
            content_hash=f"h{n}",
            published_at=wita(when),
            fetched_at=wita(when),
            triage_state=state,
            cluster_id=cluster,
            place_key=place,
            complaint_id=complaint.id if complaint else None,
        )
        self.session.add(item)
        self.session.flush()
        self.session.add(
            ItemSuggestion(
                item_id=item.id,
                topic=topic,
                topic_confidence=0.8,
                agency_id=(agency or self.pupr).id,
                agency_confidence=0.8,
                region_id=(region or self.bjm).id,
                relevance=relevance,
                model_version="test",
            )
        )
        self.session.flush()
        return item

    def complaint(
        self,
        created: str,
        *,
        topic: str = "infrastructure",
        agency: Agency | None = None,
        region: Region | None = None,
        forwarded: str | None = None,
        followed: str | None = None,
        done: str | None = None,
    ) -> Complaint:
        c = Complaint(
            title="aduan",
            description="aduan",
            topic=topic,
            agency_id=(agency or self.pupr).id,
            region_id=(region or self.bjm).id,
            created_at=wita(created),
        )
        self.session.add(c)
        self.session.flush()
        c.change_status(self.session, ComplaintStatus.VERIFIED, actor="t", now=wita(created))
        if forwarded:
            c.change_status(
                self.session,
                ComplaintStatus.FORWARDED,
                actor="t",
                now=wita(forwarded),
                deadlines=DEADLINES,
            )
        if followed:
            c.change_status(
                self.session, ComplaintStatus.IN_PROGRESS, actor="t", now=wita(followed)
            )
        if done:
            c.change_status(self.session, ComplaintStatus.DONE, actor="t", now=wita(done))
        self.session.flush()
        return c

    def ready(self, period: str = "2026-11", now: str = "2026-12-15 09:00") -> None:
        prepare_calendar(self.session, parse_period(period, WITA), wita(now), load_holidays())
        self.session.flush()


@pytest.fixture
def world(seeded: Engine) -> Iterator[World]:
    with Session(seeded, expire_on_commit=False) as session:
        x = Source(kind=SourceKind.X, name="x", config={})
        news = Source(kind=SourceKind.RSS, name="berita", config={"url": "http://127.0.0.1/f"})
        session.add_all([x, news])
        session.flush()

        def region(code: str) -> Region:
            return session.scalars(select(Region).where(Region.code == code)).one()

        def agency(code: str) -> Agency:
            return session.scalars(select(Agency).where(Agency.code == code)).one()

        yield World(
            session,
            x,
            news,
            region("63.71"),
            region("63.03"),
            agency("6371-pupr"),
            agency("6371-dishub"),
            agency("6371-disdik"),
        )
