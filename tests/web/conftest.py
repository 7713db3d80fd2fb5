"""A web app on a real, seeded database, with one user per role and a small queue."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aduan.settings import get_settings
from models import (
    Agency,
    Complaint,
    ComplaintStatus,
    Item,
    ItemSuggestion,
    Region,
    Source,
    SourceKind,
    User,
    UserRole,
    refresh_queue_clusters,
    utcnow,
)
from models.workdays import Deadlines, load_holidays
from triage.accounts import hash_password
from web.app import create_app

PASSWORD = "rahasia-sekali-123"
DEADLINES = Deadlines(follow_up_days=3, tz=ZoneInfo("Asia/Makassar"), holidays=load_holidays())
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class World:
    engine: Engine
    users: dict[str, int]  # username -> id
    agencies: dict[str, int]  # code -> id
    regions: dict[str, int]  # code -> id
    items: dict[str, int] = field(default_factory=dict)
    complaints: dict[str, int] = field(default_factory=dict)


def _suggest(
    item: Item,
    topic: str,
    agency_id: int,
    region_id: int,
    conf: float,
    text: str,
    relevance: float = 0.9,
) -> None:
    start = text.find("Dishub")
    mentions = []
    if start >= 0:
        mentions.append(
            {"kind": "agency", "start": start, "end": start + 6, "text": "Dishub", "refs": []}
        )
    place = text.find("Banjarmasin")
    if place >= 0:
        mentions.append(
            {"kind": "region", "start": place, "end": place + 11, "text": "Banjarmasin", "refs": []}
        )
    item.suggestions.append(
        ItemSuggestion(
            topic=topic,
            topic_confidence=conf,
            agency_id=agency_id,
            agency_confidence=conf,
            region_id=region_id,
            region_confidence=0.9,
            relevance=relevance,
            needs_review=conf < 0.6,
            model_version="test",
            details={"mentions": mentions, "agency_reason": "menyebut Dishub", "topic_terms": []},
        )
    )


def build_world(engine: Engine) -> World:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        agencies = {a.code: a.id for a in s.scalars(select(Agency))}
        regions = {r.code: r.id for r in s.scalars(select(Region))}
        pw = hash_password(PASSWORD)
        users = [
            User(username="admin", password_hash=pw, role=UserRole.ADMIN),
            User(username="operator", password_hash=pw, role=UserRole.OPERATOR),
            User(username="operator2", password_hash=pw, role=UserRole.OPERATOR),
            User(
                username="dishub",
                password_hash=pw,
                role=UserRole.AGENCY_OFFICER,
                agency_id=agencies["6371-dishub"],
            ),
            User(
                username="pupr",
                password_hash=pw,
                role=UserRole.AGENCY_OFFICER,
                agency_id=agencies["6371-pupr"],
            ),
            User(username="viewer", password_hash=pw, role=UserRole.VIEWER),
        ]
        s.add_all(users)
        rss = Source(kind=SourceKind.RSS, name="Berita Banjar", config={})
        x = Source(kind=SourceKind.X, name="X: Kalsel", config={})
        s.add_all([rss, x])
        s.flush()
        world = World(engine, {u.username: u.id for u in users}, agencies, regions)
        now = utcnow()
        specs = [
            (
                "lampu",
                rss,
                "Lampu lalu lintas mati",
                "Lampu merah di simpang Banjarmasin mati, Dishub diminta cepat.",
                "transport",
                "6371-dishub",
                0.91,
            ),
            (
                "jalan",
                rss,
                None,
                "Jalan berlubang di Banjarmasin Utara, NIK saya 6371012345670001 hp 081234567890.",
                "infrastructure",
                "6371-pupr",
                0.45,
            ),
            (
                "xss",
                x,
                None,
                f"Tolong {HOSTILE} Dishub Banjarmasin",
                "transport",
                "6371-dishub",
                0.30,
            ),
            (
                "spam",
                x,
                None,
                "Promo pulsa murah hubungi kami sekarang juga",
                "other",
                "6371-dishub",
                0.20,
            ),
        ]
        for n, (key, source, title, text, topic, agency, conf) in enumerate(specs):
            item = Item(
                source_id=source.id,
                external_id=key,
                content_hash=key,
                title=title,
                text=text,
                url="https://berita.example/" + key if source is rss else "javascript:alert(1)",
                published_at=now - timedelta(hours=n),
            )
            s.add(item)
            s.flush()
            item.cluster_id = item.id
            body = f"{title}\n{text}" if title else text
            _suggest(item, topic, agencies[agency], regions["63.71"], conf, body)
            world.items[key] = item.id
        # News that is not a complaint: it waits in "kemungkinan bukan aduan".
        festival = Item(
            source_id=rss.id,
            external_id="festival",
            content_hash="festival",
            title="Festival Pasar Terapung meriah",
            text="Gubernur membuka Festival Pasar Terapung di Banjarmasin, ribuan warga hadir.",
            url="https://berita.example/festival",
            published_at=now - timedelta(hours=20),
        )
        s.add(festival)
        s.flush()
        festival.cluster_id = festival.id
        _suggest(
            festival, "health", agencies["6371-dishub"], regions["63.71"], 0.93,
            festival.text, relevance=0.02,
        )  # fmt: skip
        world.items["festival"] = festival.id
        # A retweet storm: three copies in one cluster.
        head = None
        for n in range(3):
            item = Item(
                source_id=x.id,
                external_id=f"storm{n}",
                content_hash=f"storm{n}",
                text=f"Banjir lagi di Banjarmasin, drainase mampet #{n}",
                published_at=now - timedelta(hours=10 + n),
            )
            s.add(item)
            s.flush()
            head = head or item.id
            item.cluster_id = head
            _suggest(item, "environment", agencies["6371-pupr"], regions["63.71"], 0.7, item.text)
            world.items[f"storm{n}"] = item.id
        refresh_queue_clusters(s, [s.get(Item, i).cluster_id for i in world.items.values()])
        for key, agency, status in (
            ("dishub_fwd", "6371-dishub", ComplaintStatus.FORWARDED),
            ("pupr_fwd", "6371-pupr", ComplaintStatus.FORWARDED),
            ("verified", "6371-dishub", ComplaintStatus.VERIFIED),
        ):
            c = Complaint(
                title=f"Aduan {key}",
                description=f"Isi {key} {HOSTILE}",
                topic="transport",
                agency_id=agencies[agency],
                region_id=regions["63.71"],
                created_at=now - timedelta(days=10),
            )
            s.add(c)
            s.flush()
            c.assign_tracking_number()
            c.change_status(s, ComplaintStatus.VERIFIED, actor="test", now=now - timedelta(days=10))
            if status is ComplaintStatus.FORWARDED:
                c.change_status(
                    s, status, actor="test", now=now - timedelta(days=9), deadlines=DEADLINES
                )
            world.complaints[key] = c.id
    return world


@pytest.fixture
def world(seeded: Engine) -> World:
    return build_world(seeded)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(world: World, clock: Clock) -> Iterator[TestClient]:
    app = create_app(settings=get_settings(), engine=world.engine, clock=clock)
    with TestClient(app, follow_redirects=False) as c:
        yield c


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the CSRF token of the new session."""
    page = client.get("/login")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token, page.text
    response = client.post(
        "/login",
        data={"username": username, "password": password, "form_token": token.group(1)},
    )
    assert response.status_code == 303, response.text
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    page = client.get("/lapor/qr")
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match, "not logged in"
    return match.group(1)
