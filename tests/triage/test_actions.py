"""Triage use-cases on SQLite and PostgreSQL: decisions, events, claims, no double work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models import (
    Agency,
    Complaint,
    ComplaintStatus,
    Event,
    Item,
    RejectReason,
    Source,
    SourceKind,
    TriageDecision,
    TriageState,
    User,
    UserRole,
    utcnow,
)
from triage.actions import (
    CLAIM_DURATION,
    Actor,
    TriageError,
    claim_item,
    confirm_item,
    defer_item,
    merge_item,
    reject_item,
)


@pytest.fixture
def world(seeded: Engine):  # type: ignore[no-untyped-def]
    with Session(seeded) as session:
        source = Source(kind=SourceKind.RSS, name="s", config={})
        users = [
            User(username=n, password_hash="x", role=UserRole.OPERATOR) for n in ("ani", "budi")
        ]
        session.add_all([source, *users])
        session.flush()
        items = []
        for n in range(4):
            item = Item(
                source_id=source.id,
                external_id=str(n),
                content_hash=str(n),
                text=f"Jalan rusak nomor {n} di Banjarmasin",
            )
            session.add(item)
            items.append(item)
        session.commit()
        yield session, [i.id for i in items], [Actor.of(u) for u in users]


def test_confirm_creates_a_verified_complaint_with_decision_and_events(world) -> None:  # type: ignore[no-untyped-def]
    session, items, (ani, _budi) = world
    pupr = session.scalar(select(Agency).where(Agency.code == "6371-pupr"))
    now = utcnow()
    complaint = confirm_item(
        session,
        items[0],
        ani,
        title="Jalan rusak",
        topic="infrastructure",
        agency_id=pupr.id,
        region_id=pupr.region_id,
        now=now,
    )
    session.commit()
    assert complaint.status is ComplaintStatus.VERIFIED
    assert complaint.tracking_number.startswith("ADU-")
    item = session.get(Item, items[0])
    assert item.triage_state is TriageState.CONFIRMED and item.complaint_id == complaint.id
    decision = session.scalar(select(TriageDecision).where(TriageDecision.item_id == item.id))
    assert (decision.topic, decision.agency_id, decision.user_id) == (
        "infrastructure",
        pupr.id,
        ani.user_id,
    )
    actions = session.scalars(select(Event.action).order_by(Event.id)).all()
    assert actions == ["create", "status", "confirmed"]


def test_merge_reject_and_defer(world) -> None:  # type: ignore[no-untyped-def]
    session, items, (ani, _budi) = world
    now = utcnow()
    complaint = confirm_item(
        session,
        items[0],
        ani,
        title="Jalan rusak",
        topic="infrastructure",
        agency_id=None,
        region_id=None,
        now=now,
    )
    merge_item(session, items[1], complaint.id, ani, now=now)
    reject_item(session, items[2], ani, reason=RejectReason.NOT_COMPLAINT, note="iklan", now=now)
    defer_item(session, items[3], ani, now=now)
    session.commit()
    states = [session.get(Item, i).triage_state for i in items]
    assert states == [
        TriageState.CONFIRMED,
        TriageState.MERGED,
        TriageState.REJECTED,
        TriageState.DEFERRED,
    ]
    assert session.get(Item, items[1]).complaint_id == complaint.id
    # a deferred item can still be decided; a decided one cannot
    reject_item(session, items[3], ani, reason=RejectReason.SPAM, now=now)
    with pytest.raises(TriageError, match="sudah diproses"):
        reject_item(session, items[2], ani, reason=RejectReason.SPAM, now=now)
    with pytest.raises(TriageError, match="tidak ada"):
        merge_item(session, items[0] + 100, complaint.id, ani, now=now)


def test_two_admins_never_process_the_same_item(world, seeded: Engine) -> None:  # type: ignore[no-untyped-def]
    session, items, (ani, budi) = world
    now = utcnow()
    assert claim_item(session, items[0], ani, now=now)
    session.commit()
    with Session(seeded) as other:
        assert not claim_item(other, items[0], budi, now=now)
        with pytest.raises(TriageError, match="admin lain"):
            reject_item(other, items[0], budi, reason=RejectReason.SPAM, now=now)
        later = now + CLAIM_DURATION + timedelta(seconds=1)
        assert claim_item(other, items[0], budi, now=later)  # the claim expired
        reject_item(other, items[0], budi, reason=RejectReason.SPAM, now=later)
        other.commit()
    session.expire_all()
    with pytest.raises(TriageError, match="sudah diproses"):
        confirm_item(
            session,
            items[0],
            ani,
            title="x",
            topic="other",
            agency_id=None,
            region_id=None,
            now=now,
        )
    assert not claim_item(session, items[0], ani, now=now)
    assert session.scalar(select(Complaint)) is None
