"""Triage use-cases, shared by the web app, the CLI and the tests.

Each action checks the item's state and claim, writes the decision (a training label)
and the event log, and changes state in the caller's transaction: commit once, all or
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from models.complaint import Complaint
from models.enums import OPEN_TRIAGE_STATES, ComplaintStatus, RejectReason, TriageState, UserRole
from models.event import record_event
from models.item import (
    InvalidTransition,
    Item,
    ItemSuggestion,
    TriageDecision,
)
from models.queue_cluster import refresh_queue_clusters
from models.user import User

__all__ = [
    "CLAIM_DURATION",
    "Actor",
    "TriageError",
    "claim_item",
    "confirm_item",
    "defer_item",
    "merge_item",
    "reject_item",
]

#: How long an admin holds an item after opening it; then anyone may take it.
CLAIM_DURATION = timedelta(minutes=10)


class TriageError(ValueError):
    """An action that cannot be done; the message is for the admin (Indonesian)."""


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    user_id: int | None = None
    role: UserRole | None = None  # None: the system or the CLI (no role limits)
    agency_id: int | None = None  # an agency officer's own SKPD

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(name=user.username, user_id=user.id, role=user.role, agency_id=user.agency_id)

    def log(
        self,
        session: Session,
        entity_type: str,
        entity_id: int,
        action: str,
        *,
        now: datetime,
        **fields: Any,
    ) -> None:
        """One event by this actor (``before``, ``after``, ``note`` in ``fields``)."""
        record_event(
            session,
            actor=self.name,
            actor_id=self.user_id,
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            now=now,
            **fields,
        )


def claim_item(session: Session, item_id: int, actor: Actor, *, now: datetime) -> bool:
    """Take an open item for ``CLAIM_DURATION``; False when someone else holds it.

    One conditional UPDATE: two admins racing on SQLite or PostgreSQL cannot both win.
    """
    result = session.execute(
        update(Item)
        .where(
            Item.id == item_id,
            Item.triage_state.in_(OPEN_TRIAGE_STATES),
            or_(
                Item.claimed_by_id.is_(None),
                Item.claimed_by_id == actor.user_id,
                Item.claim_expires_at < now,
            ),
        )
        .values(claimed_by_id=actor.user_id, claim_expires_at=now + CLAIM_DURATION)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def _open_item(session: Session, item_id: int, actor: Actor, now: datetime) -> Item:
    # One locking read that also refreshes an object this session loaded earlier.
    item = session.get(Item, item_id, with_for_update=True, populate_existing=True)
    if item is None:
        raise TriageError(f"item #{item_id} tidak ada")
    if not item.is_open:
        raise TriageError(f"item #{item_id} sudah diproses ({item.triage_state.label})")
    held_by_other = (
        item.claimed_by_id is not None
        and item.claimed_by_id != actor.user_id
        and item.claim_expires_at is not None
        and item.claim_expires_at > now
    )
    if held_by_other:
        raise TriageError(f"item #{item_id} sedang ditangani admin lain")
    return item


def _decide(
    session: Session, item: Item, state: TriageState, actor: Actor, now: datetime, **labels: object
) -> TriageDecision:
    before = {"triage_state": item.triage_state.value}
    try:
        item.decide(session, state)
    except InvalidTransition as exc:
        raise TriageError(str(exc)) from exc
    item.triaged_at = now
    item.triaged_by_id = actor.user_id
    item.triage_note = labels.get("note")  # type: ignore[assignment]
    item.claimed_by_id = None
    item.claim_expires_at = None
    refresh_queue_clusters(session, [item.cluster_id])
    suggestion_id = ItemSuggestion.current_id(session, item.id)
    decision = TriageDecision(
        item_id=item.id,
        user_id=actor.user_id,
        decided_at=now,
        state=state,
        suggestion_id=suggestion_id,
        **labels,
    )
    session.add(decision)
    actor.log(
        session,
        "item",
        item.id,
        state.value,
        now=now,
        before=before,
        after={
            "triage_state": state.value,
            **{k: v for k, v in labels.items() if v is not None and k != "note"},
        },
        note=labels.get("note"),
    )
    return decision


def confirm_item(
    session: Session,
    item_id: int,
    actor: Actor,
    *,
    title: str,
    topic: str,
    agency_id: int | None,
    region_id: int | None,
    description: str | None = None,
    is_anonymous: bool = False,
    is_confidential: bool = False,
    reporter_contact: str | None = None,
    now: datetime,
) -> Complaint:
    """Turn an item into a new, verified complaint routed to ``agency_id``."""
    item = _open_item(session, item_id, actor, now)
    if not title.strip():
        raise TriageError("judul aduan wajib diisi")
    complaint = Complaint(
        title=title.strip()[:300],
        description=description if description is not None else item.text,
        topic=topic,
        agency_id=agency_id,
        region_id=region_id,
        is_anonymous=is_anonymous,
        is_confidential=is_confidential,
        reporter_contact=None if is_anonymous else reporter_contact,
        created_at=now,
        created_by_id=actor.user_id,
    )
    session.add(complaint)
    session.flush()
    complaint.assign_tracking_number()
    actor.log(session, "complaint", complaint.id, "create", now=now, after={"from_item": item.id})
    complaint.change_status(
        session,
        ComplaintStatus.VERIFIED,
        actor=actor.name,
        actor_id=actor.user_id,
        now=now,
        note="dikonfirmasi dari antrean",
    )
    item.complaint_id = complaint.id
    _decide(
        session,
        item,
        TriageState.CONFIRMED,
        actor,
        now,
        topic=topic,
        agency_id=agency_id,
        region_id=region_id,
        complaint_id=complaint.id,
    )
    return complaint


def merge_item(
    session: Session, item_id: int, complaint_id: int, actor: Actor, *, now: datetime
) -> Complaint:
    """Attach an item to an existing complaint (another report of the same problem)."""
    item = _open_item(session, item_id, actor, now)
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise TriageError(f"aduan #{complaint_id} tidak ada")
    item.complaint_id = complaint.id
    _decide(
        session,
        item,
        TriageState.MERGED,
        actor,
        now,
        topic=complaint.topic,
        agency_id=complaint.agency_id,
        region_id=complaint.region_id,
        complaint_id=complaint.id,
    )
    return complaint


def reject_item(
    session: Session,
    item_id: int,
    actor: Actor,
    *,
    reason: RejectReason,
    note: str | None = None,
    now: datetime,
) -> TriageDecision:
    item = _open_item(session, item_id, actor, now)
    return _decide(session, item, TriageState.REJECTED, actor, now, reject_reason=reason, note=note)


def defer_item(
    session: Session, item_id: int, actor: Actor, *, note: str | None = None, now: datetime
) -> TriageDecision:
    item = _open_item(session, item_id, actor, now)
    if item.triage_state is TriageState.DEFERRED:
        raise TriageError(f"item #{item_id} sudah ditunda")
    return _decide(session, item, TriageState.DEFERRED, actor, now, note=note)
