"""Card-level triage: a queue card stands for a whole duplicate cluster, so a decision on
a card is a decision on every open item of its cluster.

Each use-case runs in the caller's transaction (commit once, all or nothing) and is the
same for the web app, the CLI, the API and the tests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aduan.redact import redact
from models.complaint import Complaint
from models.enums import OPEN_TRIAGE_STATES, RejectReason
from models.item import Item
from triage.actions import (
    Actor,
    TriageError,
    confirm_item,
    defer_item,
    merge_item,
    reject_item,
)

__all__ = [
    "BulkOutcome",
    "CardOutcome",
    "cluster_open_ids",
    "confirm_card",
    "decide_cards",
    "defer_card",
    "find_complaint",
    "keep_in_main_queue",
    "merge_card",
    "reject_card",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CardOutcome:
    complaint: Complaint
    merged: int  # other open items of the cluster that joined the complaint


@dataclass(slots=True)
class BulkOutcome:
    done: int = 0  # items decided
    skipped: list[str] = field(default_factory=list)  # why a card was left alone


def _item(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise TriageError(f"item #{item_id} tidak ada")
    return item


def cluster_open_ids(session: Session, item: Item) -> list[int]:
    """The open items of the item's cluster in the item's own state (the card's members)."""
    if item.cluster_id is None:
        return [item.id]
    ids = session.scalars(
        select(Item.id)
        .where(Item.cluster_id == item.cluster_id, Item.triage_state == item.triage_state)
        .order_by(Item.id)
    ).all()
    return list(ids) or [item.id]


def find_complaint(session: Session, ref: str) -> Complaint:
    """A complaint by id or tracking number (``ADU-2026-000123``), as an admin types it."""
    ref = ref.strip()
    complaint = None
    if ref.isdigit() and len(ref) < 12:
        complaint = session.get(Complaint, int(ref))
    if complaint is None:
        complaint = session.scalar(
            select(Complaint).where(Complaint.tracking_number == ref.upper())
        )
    if complaint is None:
        raise TriageError(f"aduan '{ref}' tidak ditemukan (isi nomor seperti ADU-2026-000123)")
    return complaint


def _merge_rest(
    session: Session, item: Item, complaint_id: int, actor: Actor, now: datetime
) -> int:
    """The other open items of the item's cluster join the same complaint."""
    if item.cluster_id is None:
        return 0
    others = session.scalars(
        select(Item.id).where(
            Item.cluster_id == item.cluster_id,
            Item.id != item.id,
            Item.triage_state.in_(OPEN_TRIAGE_STATES),
        )
    ).all()
    return _each_member(
        session, others, lambda other: merge_item(session, other, complaint_id, actor, now=now)
    )


def _each_member(
    session: Session,
    item_ids: Sequence[int],
    decide: Callable[[int], object],
    *,
    required: int | None = None,
) -> int:
    """Decide each item in a savepoint of its own; one that cannot be decided (taken by
    another admin meanwhile) is logged and left, except ``required``, whose error rises.
    Returns how many were decided."""
    done = 0
    for target in item_ids:
        try:
            with session.begin_nested():
                decide(target)
            done += 1
        except TriageError as exc:
            if target == required:
                raise
            log.info("cluster member %s left: %s", target, exc)
    return done


def confirm_card(
    session: Session,
    item_id: int,
    actor: Actor,
    *,
    title: str,
    topic: str,
    agency_id: int | None,
    region_id: int | None,
    description: str,
    redact_description: bool = False,
    is_anonymous: bool = False,
    is_confidential: bool = False,
    now: datetime,
) -> CardOutcome:
    """The card's item becomes a verified complaint; its open cluster joins it."""
    Item.lock(session, [item_id])
    item = _item(session, item_id)
    if redact_description:  # title and text go through the same redaction
        description = redact(description).text
        title = redact(title).text
    contact = item.raw.get("contact") if isinstance(item.raw, dict) else None
    complaint = confirm_item(
        session,
        item_id,
        actor,
        title=title,
        topic=topic,
        agency_id=agency_id,
        region_id=region_id,
        description=description,
        is_anonymous=is_anonymous,
        is_confidential=is_confidential,
        reporter_contact=contact if isinstance(contact, str) else None,
        now=now,
    )
    return CardOutcome(complaint, _merge_rest(session, item, complaint.id, actor, now))


def merge_card(
    session: Session, item_id: int, complaint_ref: str, actor: Actor, *, now: datetime
) -> CardOutcome:
    """The card's item and its open cluster join an existing complaint."""
    Item.lock(session, [item_id])
    complaint = find_complaint(session, complaint_ref)
    item = _item(session, item_id)
    merge_item(session, item_id, complaint.id, actor, now=now)
    return CardOutcome(complaint, _merge_rest(session, item, complaint.id, actor, now))


def _decide_card(
    session: Session,
    item_id: int,
    actor: Actor,
    reason: RejectReason | None,
    note: str | None,
    now: datetime,
) -> int:
    """Reject (with ``reason``) or defer a card; returns how many items were decided."""
    Item.lock(session, [item_id])
    item = _item(session, item_id)

    def decide(target: int) -> object:
        if reason is not None:
            return reject_item(session, target, actor, reason=reason, note=note, now=now)
        return defer_item(session, target, actor, note=note, now=now)

    return _each_member(session, cluster_open_ids(session, item), decide, required=item_id)


def reject_card(
    session: Session,
    item_id: int,
    actor: Actor,
    *,
    reason: RejectReason,
    note: str | None = None,
    now: datetime,
) -> int:
    return _decide_card(session, item_id, actor, reason, note, now)


def defer_card(
    session: Session, item_id: int, actor: Actor, *, note: str | None = None, now: datetime
) -> int:
    return _decide_card(session, item_id, actor, None, note, now)


def decide_cards(
    session: Session,
    item_ids: Sequence[int],
    actor: Actor,
    *,
    reason: RejectReason | None,
    note: str | None = None,
    now: datetime,
) -> BulkOutcome:
    """Reject (``reason`` given) or defer several cards; a card that cannot be decided
    is skipped with its reason, the others are decided."""
    outcome = BulkOutcome()
    Item.lock(session, item_ids)  # every card's cluster at once, in id order
    for item_id in item_ids:
        try:
            with session.begin_nested():
                outcome.done += _decide_card(session, item_id, actor, reason, note, now)
        except TriageError as exc:
            outcome.skipped.append(str(exc))
    return outcome


def keep_in_main_queue(session: Session, item_id: int, actor: Actor, *, now: datetime) -> int:
    """Bring a card back from "kemungkinan bukan aduan": every open item of its cluster
    stays in the main queue whatever its relevance score. Returns how many items moved."""
    item = _item(session, item_id)
    if item.triage_state not in OPEN_TRIAGE_STATES:
        raise TriageError(f"item #{item_id} sudah diputuskan")
    ids = cluster_open_ids(session, item)
    Item.lock(session, ids)
    moved = 0
    for member in session.scalars(select(Item).where(Item.id.in_(ids))):
        if not member.kept_in_queue:
            member.kept_in_queue = True
            moved += 1
    actor.log(session, "item", item.id, "kept_in_queue", now=now, after={"items": ids})
    return moved
