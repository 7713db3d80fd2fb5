"""Two admins racing over real HTTP against `aduan web` (two worker processes), on SQLite and
PostgreSQL: every item decided at most once, at most one complaint per confirmed cluster,
no 500, and every decision the app reported as done is the one stored."""

from __future__ import annotations

import json
import random
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models import (
    Agency,
    Complaint,
    Item,
    Region,
    Source,
    SourceKind,
    TriageDecision,
    TriageState,
    User,
    UserRole,
    refresh_queue_clusters,
)
from tests.web.server import running_web
from triage.accounts import hash_password

PASSWORD = "sandi-panjang-sekali"
FINAL = (TriageState.CONFIRMED, TriageState.MERGED, TriageState.REJECTED)


@dataclass
class Race:
    singles: list[int] = field(default_factory=list)
    clusters: list[list[int]] = field(default_factory=list)  # two items each
    complaint_number: str = ""
    agency_id: int = 0
    region_id: int = 0


def _build(engine: Engine) -> Race:
    race = Race()
    with Session(engine) as s, s.begin():
        for name, role in (("admin1", UserRole.ADMIN), ("admin2", UserRole.OPERATOR)):
            s.add(User(username=name, password_hash=hash_password(PASSWORD), role=role))
        source = Source(kind=SourceKind.RSS, name="balapan", config={})
        s.add(source)
        race.agency_id = s.scalars(select(Agency.id).order_by(Agency.id)).first() or 0
        race.region_id = s.scalars(select(Region.id).order_by(Region.id)).first() or 0
        existing = Complaint(title="Aduan lama", description="Jalan rusak")
        s.add(existing)
        s.flush()
        existing.assign_tracking_number()
        race.complaint_number = existing.tracking_number or ""

        def item(n: int, cluster: int | None) -> int:
            row = Item(
                source_id=source.id,
                external_id=f"race-{n}",
                text=f"Jalan rusak nomor {n} di Banjarmasin, mohon diperbaiki",
                content_hash=f"{n:064d}",
                cluster_id=cluster,
            )
            s.add(row)
            s.flush()
            return row.id

        n = 0
        for _ in range(16):
            n += 1
            race.singles.append(item(n, None))
        for c in range(8):
            members = []
            for _ in range(2):
                n += 1
                members.append(item(n, 9000 + c))
            race.clusters.append(members)
        refresh_queue_clusters(s, [9000 + c for c in range(8)])
    return race


class Admin:
    """One logged-in browser session."""

    def __init__(self, base: str, username: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
        page = self.client.get("/login")
        token = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert token, page.text
        done = self.client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "form_token": token.group(1)},
        )
        assert done.status_code == 303, done.text
        qr = self.client.get("/lapor/qr")
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', qr.text)
        assert csrf, "not logged in"
        self.csrf = csrf.group(1)
        self.lock = threading.Lock()  # httpx.Client's cookie jar is shared by the threads

    def post(self, path: str, data: dict[str, object]) -> tuple[int, str, str]:
        """Status, flash kind and flash message of one form post."""
        response = self.client.post(path, data={"csrf_token": self.csrf, **data})
        flash = response.cookies.get("aduan_flash")
        kind, message = "", ""
        if flash:
            first = json.loads(unquote(flash))[0]
            kind, message = first["kind"], first["message"]
        return response.status_code, kind, message

    def get(self, path: str) -> int:
        return self.client.get(path).status_code


@dataclass
class Outcome:
    statuses: Counter[int] = field(default_factory=Counter)
    reported: list[tuple[int, str, str]] = field(default_factory=list)  # item, state, complaint
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _worker(admin: Admin, race: Race, seed: int, out: Outcome) -> None:
    rnd = random.Random(seed)
    cards = race.singles + [c[0] for c in race.clusters] + [c[1] for c in race.clusters]
    for _ in range(30):
        item_id = rnd.choice(cards)
        action = rnd.choice(["confirm", "confirm", "reject", "defer", "merge", "bulk", "view"])
        try:
            if action == "view":
                status, kind, message = admin.get(f"/item/{item_id}"), "", ""
            elif action == "confirm":
                status, kind, message = admin.post(
                    f"/item/{item_id}/konfirmasi",
                    {
                        "judul": f"Jalan rusak {item_id}",
                        "topik": "infrastructure",
                        "skpd": str(race.agency_id),
                        "wilayah": str(race.region_id),
                        "isi": "Jalan rusak parah, mohon diperbaiki",
                    },
                )
            elif action == "reject":
                status, kind, message = admin.post(
                    f"/item/{item_id}/tolak", {"alasan": "not_complaint"}
                )
            elif action == "defer":
                status, kind, message = admin.post(f"/item/{item_id}/tunda", {})
            elif action == "merge":
                status, kind, message = admin.post(
                    f"/item/{item_id}/gabung", {"aduan": race.complaint_number}
                )
            else:
                chosen = rnd.sample(cards, 5)
                status, kind, message = admin.post(
                    "/antrean/massal",
                    {"aksi": "tolak", "alasan_massal": "spam", "item": [str(i) for i in chosen]},
                )
        except httpx.HTTPError as exc:
            with out.lock:
                out.errors.append(f"{action} {item_id}: {exc!r}")
            continue
        with out.lock:
            out.statuses[status] += 1
            if kind != "ok":
                continue
            number = re.search(r"ADU-\d{4}-\d{6}", message)
            if action == "confirm" and number:
                out.reported.append((item_id, "confirmed", number.group(0)))
            elif action == "merge" and number:
                out.reported.append((item_id, "merged", number.group(0)))
            elif action == "reject" and re.match(r"[1-9]\d* item ditolak", message):
                out.reported.append((item_id, "rejected", ""))


@pytest.fixture
def server(seeded: Engine, db_url: str, tmp_path: Path) -> Iterator[tuple[str, Race]]:
    race = _build(seeded)
    with running_web(tmp_path, db_url) as base:
        yield base, race


def test_two_admins_racing_never_decide_an_item_twice(
    server: tuple[str, Race], seeded: Engine
) -> None:
    base, race = server
    admins = [Admin(base, "admin1"), Admin(base, "admin2")]
    out = Outcome()
    threads = [
        threading.Thread(target=_worker, args=(admins[n % 2], race, n, out)) for n in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "requests did not finish"
    assert not out.errors, out.errors[:5]
    assert out.statuses[500] == 0, out.statuses
    assert set(out.statuses) <= {200, 303}, out.statuses

    with Session(seeded) as s:
        decisions = s.scalars(select(TriageDecision).where(TriageDecision.state.in_(FINAL))).all()
        per_item = Counter(d.item_id for d in decisions)
        assert max(per_item.values(), default=0) <= 1, per_item.most_common(3)
        items = {i.id: i for i in s.scalars(select(Item))}
        for d in decisions:
            assert items[d.item_id].triage_state is d.state
        # At most one complaint per confirmed cluster, and no complaint without a decision.
        confirmed = [d for d in decisions if d.state is TriageState.CONFIRMED]
        per_cluster: defaultdict[object, set[int | None]] = defaultdict(set)
        for d in confirmed:
            per_cluster[items[d.item_id].cluster_id or f"item-{d.item_id}"].add(d.complaint_id)
        assert all(len(v) == 1 for v in per_cluster.values()), per_cluster
        all_complaints = s.scalars(select(Complaint)).all()
        assert len(all_complaints) == 1 + len(confirmed), (len(all_complaints), len(confirmed))
        # Every decision reported as done is the one stored.
        numbers = {c.id: c.tracking_number for c in all_complaints}
        for item_id, state, number in out.reported:
            item = items[item_id]
            assert item.triage_state.value == state, (item_id, state, item.triage_state)
            if number:
                assert numbers[item.complaint_id] == number, (item_id, number)
    assert out.reported, "no decision went through: the race tested nothing"
