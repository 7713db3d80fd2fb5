"""One item of the queue and the triage actions on cards (single and bulk). The decisions
themselves are the card use-cases of ``triage.cards``; this module reads forms and
answers with a page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aduan.redact import LABELS as REDACTION_LABELS
from aduan.redact import redact
from models.complaint import Complaint
from models.enums import RejectReason
from models.item import Item
from models.user import User
from triage.actions import TriageError, claim_item
from triage.cards import (
    CardOutcome,
    confirm_card,
    decide_cards,
    defer_card,
    keep_in_main_queue,
    merge_card,
    reject_card,
)
from triage.complaints import forward_complaint
from web.core import Ctx, FormError, PageError, allow, redirect, run_write, safe_next
from web.forms import choice, load_choices, reject_reason
from web.queue import TRIAGE_ROLES

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/item/{item_id}")
def item_page(item_id: int, kembali: str = "/antrean", ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    db = ctx.db
    item = db.get(Item, item_id)
    if item is None:
        raise PageError("Item tidak ditemukan.", 404)
    is_open = item.is_open
    claimed = False
    if is_open:
        claimed = ctx.write(lambda w: claim_item(w, item_id, ctx.actor, now=ctx.now))
        db.commit()  # a new read transaction sees the claim
        db.refresh(item)
    suggestion = item.current_suggestion
    body_offset = len(item.title) + 1 if item.title else 0
    redaction = redact(item.text)
    title_redaction = redact(item.title) if item.title else None
    members: list[Item] = []
    if item.cluster_id is not None:
        members = list(
            db.scalars(
                select(Item).where(Item.cluster_id == item.cluster_id).order_by(Item.id).limit(50)
            )
        )
    cluster_size = (
        db.scalar(select(func.count()).where(Item.cluster_id == item.cluster_id))
        if item.cluster_id is not None
        else 1
    )
    candidates = _merge_candidates(db, item, suggestion, members)
    holder = None
    if is_open and not claimed and item.claimed_by_id:
        holder = db.get(User, item.claimed_by_id)
    contact = item.raw.get("contact") if isinstance(item.raw, dict) else None
    return ctx.render(
        "item.html",
        item=item,
        suggestion=suggestion,
        low_relevance=suggestion is not None
        and suggestion.relevance is not None
        and suggestion.relevance < ctx.app.settings.relevance_threshold,
        details=(suggestion.details if suggestion else {}) or {},
        body_offset=body_offset,
        redaction=redaction,
        # What will be hidden, in the title and in the text (both are redacted).
        hidden=[*(title_redaction.found if title_redaction else ()), *redaction.found],
        redaction_labels=REDACTION_LABELS,
        members=members,
        cluster_size=cluster_size,
        candidates=candidates,
        is_open=is_open,
        claimed=claimed,
        holder=holder,
        contact=contact if isinstance(contact, str) else None,
        anonymous=bool(item.raw.get("anonymous")) if isinstance(item.raw, dict) else False,
        choices=load_choices(db),
        reject_reasons=list(RejectReason),
        default_title=_default_title(
            title_redaction.text if title_redaction else None, redaction.text
        ),
        back=_queue_view(kembali),
    )


def _default_title(redacted_title: str | None, redacted_text: str) -> str:
    """The suggested complaint title: the post's title, or the start of its text (both
    already redacted)."""
    base = " ".join((redacted_title or redacted_text).split())
    return base[:120] + ("…" if len(base) > 120 else "")


def _merge_candidates(
    db: Session, item: Item, suggestion: Any, members: list[Item]
) -> list[Complaint]:
    ids = [m.complaint_id for m in members if m.complaint_id]
    found: list[Complaint] = []
    if ids:
        found.extend(db.scalars(select(Complaint).where(Complaint.id.in_(ids))).all())
    if suggestion is not None and suggestion.topic:
        stmt = select(Complaint).where(Complaint.topic == suggestion.topic)
        if suggestion.region_id:
            stmt = stmt.where(Complaint.region_id == suggestion.region_id)
        found.extend(db.scalars(stmt.order_by(Complaint.created_at.desc()).limit(5)).all())
    seen: set[int] = set()
    unique = []
    for c in found:
        if c.id not in seen:
            seen.add(c.id)
            unique.append(c)
    return unique[:8]


def _existing_item(ctx: Ctx, item_id: int) -> None:
    if ctx.db.get(Item, item_id) is None:
        raise PageError("Item tidak ditemukan.", 404)


@router.post("/item/{item_id}/konfirmasi")
def confirm(item_id: int, ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    db = ctx.db
    choices = load_choices(db)
    try:
        title = ctx.field("judul", required=True, max_chars=300)
        topic = ctx.field("topik", required=True, max_chars=40)
        if topic not in dict(choices.topics):
            raise FormError("topik tidak dikenal")
        agency_id = choice(ctx, "skpd", {a for a, _ in choices.agencies})
        region_id = choice(ctx, "wilayah", {r for r, _ in choices.regions})
        description = ctx.field("isi", required=True, max_chars=10_000)
        redact_it = bool(ctx.field("samarkan", max_chars=5))
        anonymous = bool(ctx.field("anonim", max_chars=5))
        confidential = bool(ctx.field("rahasia", max_chars=5))
        and_forward = ctx.field("teruskan", max_chars=5) == "1"
        _existing_item(ctx, item_id)

        def act() -> CardOutcome:
            outcome = confirm_card(
                db,
                item_id,
                ctx.actor,
                title=title,
                topic=topic,
                agency_id=agency_id,
                region_id=region_id,
                description=description,
                redact_description=redact_it,
                is_anonymous=anonymous,
                is_confidential=confidential,
                now=ctx.now,
            )
            if and_forward:  # one transaction: no complaint is left half-way
                forward_complaint(
                    db,
                    outcome.complaint.id,
                    ctx.actor,
                    agency_id=agency_id,
                    deadlines=ctx.app.deadlines,
                    now=ctx.now,
                )
            return outcome

        outcome = run_write(ctx, act)
    except (TriageError, FormError) as exc:
        db.rollback()
        return redirect(f"/item/{item_id}", f"Gagal: {exc}", "error")
    extra = f" ({outcome.merged} item serupa ikut digabung)" if outcome.merged else ""
    complaint = outcome.complaint
    done = "dibuat"
    if and_forward and complaint.agency is not None:
        done = f"dibuat dan diteruskan ke {complaint.agency.name}"
    return redirect(_next_in_queue(ctx), f"Aduan {complaint.tracking_number} {done}{extra}.")


def _queue_view(url: str | None) -> str:
    """A queue URL to go back to (the admin's filtered view); anything else is the queue."""
    url = (url or "")[:1000]
    return safe_next(url, "/antrean") if url.startswith("/antrean") else "/antrean"


def _next_in_queue(ctx: Ctx) -> str:
    return _queue_view(ctx.field("kembali", max_chars=1000))


@router.post("/item/{item_id}/gabung")
def merge(item_id: int, ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    db = ctx.db
    try:
        ref = ctx.field("aduan", required=True, max_chars=40)
        _existing_item(ctx, item_id)
        outcome = run_write(ctx, lambda: merge_card(db, item_id, ref, ctx.actor, now=ctx.now))
    except (TriageError, FormError) as exc:
        db.rollback()
        return redirect(f"/item/{item_id}", f"Gagal: {exc}", "error")
    extra = f" bersama {outcome.merged} item serupa" if outcome.merged else ""
    number = outcome.complaint.tracking_number
    return redirect(_next_in_queue(ctx), f"Item digabung ke {number}{extra}.")


def _decide_route(ctx: Ctx, item_id: int, action: str) -> Response:
    try:
        reason = reject_reason(ctx) if action == "tolak" else None
        note = ctx.field("catatan", max_chars=2000) or None
        if reason is not None:
            rejected = reason
            done = run_write(
                ctx,
                lambda: reject_card(
                    ctx.db, item_id, ctx.actor, reason=rejected, note=note, now=ctx.now
                ),
            )
        else:
            done = run_write(
                ctx, lambda: defer_card(ctx.db, item_id, ctx.actor, note=note, now=ctx.now)
            )
    except (TriageError, FormError) as exc:
        ctx.db.rollback()
        return redirect(f"/item/{item_id}", f"Gagal: {exc}", "error")
    what = f"ditolak ({reason.label})" if reason else "ditunda"
    return redirect(_next_in_queue(ctx), f"{done} item {what}.")


@router.post("/item/{item_id}/tolak")
def reject(item_id: int, ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    return _decide_route(ctx, item_id, "tolak")


@router.post("/item/{item_id}/tunda")
def defer(item_id: int, ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    return _decide_route(ctx, item_id, "tunda")


@router.post("/item/{item_id}/antrean-utama")
def bring_back(item_id: int, ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    """One click brings a card from "kemungkinan bukan aduan" back to the main queue."""
    try:
        _existing_item(ctx, item_id)
        moved = run_write(ctx, lambda: keep_in_main_queue(ctx.db, item_id, ctx.actor, now=ctx.now))
    except TriageError as exc:
        ctx.db.rollback()
        return redirect(_next_in_queue(ctx), f"Gagal: {exc}", "error")
    return redirect(_next_in_queue(ctx), f"{moved} item dikembalikan ke antrean utama.")


@router.post("/antrean/massal")
def bulk(ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    action = ctx.field("aksi", required=True, max_chars=10)
    back = _next_in_queue(ctx)
    if action not in ("tolak", "tunda"):
        return redirect(back, "Aksi massal tidak dikenal.", "error")
    ids = ctx.int_list("item")
    if not ids:
        return redirect(back, "Pilih minimal satu kartu.", "error")
    reason = None
    if action == "tolak":
        try:
            reason = reject_reason(ctx, "alasan_massal")
        except FormError as exc:
            return redirect(back, f"Gagal: {exc}", "error")
    note = ctx.field("catatan", max_chars=2000) or None
    outcome = run_write(
        ctx, lambda: decide_cards(ctx.db, ids, ctx.actor, reason=reason, note=note, now=ctx.now)
    )
    done, skipped = outcome.done, outcome.skipped
    verb = "ditolak" if action == "tolak" else "ditunda"
    message = f"{done} item {verb}."
    if skipped:
        message += f" {len(skipped)} kartu dilewati: " + "; ".join(skipped[:3])
    return redirect(back, message, "error" if skipped and not done else "ok")
