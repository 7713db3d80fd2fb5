"""The triage queue page: cards with filters, orders and saved filters."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import RejectReason, SourceKind, TriageState, UserRole
from models.user import User
from models.web import SavedFilter
from triage.queue_cards import CARD_ORDERS, VIEWS, QueueFilter, count_views, list_cards
from web.core import Ctx, PageError, allow, redirect
from web.forms import (
    load_choices,
    page_number,
    parse_day_range,
    parse_float,
    parse_int,
    parse_topic,
)

__all__ = ["PAGE_SIZE", "TRIAGE_ROLES", "parse_queue_filter", "router"]

router = APIRouter(include_in_schema=False)

TRIAGE_ROLES = (UserRole.ADMIN, UserRole.OPERATOR)
PAGE_SIZE = 25


QUEUE_PARAMS = ("status", "tampilan", "sumber", "topik", "skpd", "wilayah", "yakin_min",
                "yakin_maks", "tinjau", "dari", "sampai", "urut")  # fmt: skip


def parse_queue_filter(
    params: Any, tz: tzinfo, relevance_threshold: float = 0.5
) -> tuple[QueueFilter, str, list[str]]:
    warnings: list[str] = []
    flt = QueueFilter(view="main", relevance_threshold=relevance_threshold)
    view = params.get("tampilan") or "main"
    if view in VIEWS:
        flt.view = view
    else:
        warnings.append("tampilan antrean tidak dikenal, diabaikan")
    review = params.get("tinjau")
    if review in ("ya", "tidak"):
        flt.needs_review = review == "ya"
    elif review:
        warnings.append("filter 'perlu ditinjau' tidak dikenal, diabaikan")
    state = params.get("status") or "pending"
    if state in ("pending", "deferred"):
        flt.state = TriageState(state)
    else:
        warnings.append("status antrean tidak dikenal, diabaikan")
    kind = params.get("sumber")
    if kind:
        try:
            flt.source_kind = SourceKind(kind)
        except ValueError:
            warnings.append("sumber tidak dikenal, diabaikan")
    flt.topic = parse_topic(params, warnings)
    flt.agency_id = parse_int(params.get("skpd"), warnings, "SKPD")
    flt.region_id = parse_int(params.get("wilayah"), warnings, "wilayah")
    flt.min_confidence = parse_float(params.get("yakin_min"), warnings, "yakin minimal")
    flt.max_confidence = parse_float(params.get("yakin_maks"), warnings, "yakin maksimal")
    flt.date_from, flt.date_to = parse_day_range(params, tz, warnings)
    order = params.get("urut") or "newest"
    if order not in CARD_ORDERS:
        warnings.append("urutan tidak dikenal, diabaikan")
        order = "newest"
    return flt, order, warnings


@router.get("/antrean")
def queue_page(request: Request, ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    params = request.query_params
    threshold = ctx.app.settings.relevance_threshold
    flt, order, warnings = parse_queue_filter(params, ctx.app.settings.tz, threshold)
    page = page_number(params.get("hal"))
    cards, has_more = list_cards(
        ctx.db, flt, order=order, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    kept = {k: params[k] for k in QUEUE_PARAMS if params.get(k)}
    saved = ctx.db.scalars(
        select(SavedFilter)
        .where(SavedFilter.user_id == ctx.me.id, SavedFilter.page == "queue")
        .order_by(SavedFilter.name)
    ).all()
    claimers = _claimers(ctx.db, cards, ctx)
    totals = count_views(ctx.db, flt)
    return ctx.render(
        "queue.html",
        cards=cards,
        has_more=has_more,
        page=page,
        order=order,
        orders=CARD_ORDERS,
        params=kept,
        query=urlencode(kept),
        query_without_view=urlencode({k: v for k, v in kept.items() if k != "tampilan"}),
        back="/antrean?" + urlencode({**kept, **({"hal": str(page)} if page > 1 else {})}),
        warnings=warnings,
        pending_total=totals[flt.view],
        view_totals={view: totals[view] for view in ("main", "low")},
        views=VIEWS,
        view=flt.view,
        threshold=threshold,
        filtered=bool({k for k in kept if k not in ("urut", "tampilan")}),
        choices=load_choices(ctx.db),
        source_kinds=list(SourceKind),
        reject_reasons=list(RejectReason),
        saved_filters=saved,
        claimers=claimers,
    )


def _claimers(db: Session, cards: list[Any], ctx: Ctx) -> dict[int, str]:
    held = {
        c.item.id: c.item.claimed_by_id
        for c in cards
        if c.item.claimed_by_id
        and c.item.claimed_by_id != (ctx.me.id if ctx.user else None)
        and c.item.claim_expires_at is not None
        and c.item.claim_expires_at > ctx.now
    }
    if not held:
        return {}
    names: dict[int, str] = {
        uid: name
        for uid, name in db.execute(
            select(User.id, User.username).where(User.id.in_(held.values()))
        )
    }
    return {item_id: names.get(uid, "?") for item_id, uid in held.items()}


@router.post("/antrean/filter")
def save_filter(ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    name = ctx.field("nama", required=True, max_chars=80)
    query = ctx.field("query", max_chars=1000)
    ctx.db.add(SavedFilter(user_id=ctx.me.id, page="queue", name=name, query=query))
    ctx.db.commit()
    return redirect(f"/antrean?{query}", f"Filter '{name}' disimpan.")


@router.post("/antrean/filter/{filter_id}/hapus")
def delete_filter(filter_id: int, ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    row = ctx.db.get(SavedFilter, filter_id)
    if row is None or row.user_id != ctx.me.id:
        raise PageError("Filter tidak ditemukan.", 404)
    ctx.db.delete(row)
    ctx.db.commit()
    return redirect("/antrean", "Filter dihapus.")
