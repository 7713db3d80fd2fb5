"""Login, the triage queue, one item, and the triage actions (single and bulk)."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier.taxonomy import load_taxonomy
from models.agency import Agency
from models.complaint import Complaint
from models.enums import RegionLevel, RejectReason, SourceKind, TriageState, UserRole
from models.item import Item
from models.region import Region
from models.user import User
from models.web import SavedFilter
from triage.accounts import verify_password
from triage.actions import (
    Actor,
    TriageError,
    claim_item,
    confirm_item,
    defer_item,
    merge_item,
    reject_item,
)
from triage.queue import CARD_ORDERS, QueueFilter, count_queue, list_cards
from triage.redact import LABELS as REDACTION_LABELS
from triage.redact import redact
from web.core import (
    SESSION_COOKIE,
    Ctx,
    FormError,
    PageError,
    allow,
    redirect,
    safe_next,
    state_of,
)
from web.security import (
    LOGIN_LIMIT_PER_IP,
    LOGIN_LIMIT_PER_USER,
    LOGIN_WINDOW,
    create_web_session,
    end_web_session,
    is_throttled,
    record_hit,
)

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

TRIAGE_ROLES = (UserRole.ADMIN, UserRole.OPERATOR)
PAGE_SIZE = 25
LOGIN_NONCE_COOKIE = "aduan_login_nonce"


# --- reference lists for the selects ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choices:
    topics: list[tuple[str, str]]
    agencies: list[tuple[int, str]]
    regions: list[tuple[int, str]]


def load_choices(db: Session) -> Choices:
    taxonomy = load_taxonomy()
    agencies = db.execute(
        select(Agency.id, Agency.name).where(Agency.active.is_(True)).order_by(Agency.name)
    ).all()
    regions = db.execute(
        select(Region.id, Region.name)
        .where(Region.level != RegionLevel.DISTRICT)
        .order_by(Region.level, Region.name)
    ).all()
    return Choices(
        topics=[(code, t.label) for code, t in taxonomy.topics.items()],
        agencies=[(a[0], a[1]) for a in agencies],
        regions=[(r[0], r[1]) for r in regions],
    )


# --- login ---------------------------------------------------------------------------


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _cookie_secure(request: Request) -> bool:
    configured = state_of(request).settings.cookie_secure
    return configured if configured is not None else request.url.scheme == "https"


@router.get("/login")
def login_page(request: Request, next: str = "/", ctx: Ctx = allow(public=True)) -> Response:
    if ctx.user is not None:
        return RedirectResponse(safe_next(next, "/"), status_code=303)
    return _login_form(ctx, next, None)


def _login_form(ctx: Ctx, next_url: str, error: str | None, status: int = 200) -> Response:
    import secrets

    nonce = secrets.token_urlsafe(16)
    response = ctx.render(
        "login.html",
        status,
        next=safe_next(next_url),
        error=error,
        form_token=ctx.app.signer.issue(nonce, ctx.now),
    )
    response.set_cookie(
        LOGIN_NONCE_COOKIE,
        nonce,
        max_age=7200,
        httponly=True,
        samesite="lax",
        secure=_cookie_secure(ctx.request),
    )
    return response


@router.post("/login")
def login(ctx: Ctx = allow(public=True)) -> Response:
    request, db, now = ctx.request, ctx.db, ctx.now
    next_url = safe_next(ctx.field("next", max_chars=500))
    nonce = request.cookies.get(LOGIN_NONCE_COOKIE)
    if ctx.app.signer.check(nonce, ctx.field("form_token", max_chars=100), now=now) is None:
        return _login_form(ctx, next_url, "Formulir kedaluwarsa. Silakan coba lagi.", 403)
    username = ctx.field("username", max_chars=80).lower()
    password = ctx.field("password", max_chars=200)
    user_key = f"login:user:{username}"
    ip_key = f"login:ip:{_client_ip(request)}"
    if is_throttled(
        db, user_key, limit=LOGIN_LIMIT_PER_USER, window=LOGIN_WINDOW, now=now
    ) or is_throttled(db, ip_key, limit=LOGIN_LIMIT_PER_IP, window=LOGIN_WINDOW, now=now):
        log.warning("login throttled for %r from %s", username, _client_ip(request))
        return _login_form(
            ctx,
            next_url,
            "Terlalu banyak percobaan masuk yang gagal. Tunggu 15 menit lalu coba lagi.",
            429,
        )
    user = db.scalar(select(User).where(User.username == username)) if username else None
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        record_hit(db, user_key, now=now)
        record_hit(db, ip_key, now=now)
        db.commit()
        return _login_form(ctx, next_url, "Nama pengguna atau kata sandi salah.", 401)
    token, _ = create_web_session(db, user, now=now, hours=ctx.app.settings.session_hours)
    user.last_login_at = now
    db.commit()
    response = RedirectResponse(next_url if next_url != "/" else _home_of(user), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ctx.app.settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=_cookie_secure(request),
    )
    response.delete_cookie(LOGIN_NONCE_COOKIE)
    return response


@router.post("/logout")
def logout(ctx: Ctx = allow()) -> Response:
    end_web_session(ctx.db, ctx.request.cookies.get(SESSION_COOKIE))
    ctx.db.commit()
    response = redirect("/login", "Anda sudah keluar.")
    response.delete_cookie(SESSION_COOKIE)
    return response


def _home_of(user: User) -> str:
    return {
        UserRole.ADMIN: "/antrean",
        UserRole.OPERATOR: "/antrean",
        UserRole.AGENCY_OFFICER: "/aduan",
        UserRole.VIEWER: "/laporan",
    }[user.role]


@router.get("/")
def home(ctx: Ctx = allow()) -> Response:
    return RedirectResponse(_home_of(ctx.me), status_code=303)


# --- the queue ---------------------------------------------------------------------


def _parse_day(value: str | None, tz: Any, warnings: list[str], name: str) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007  a date, zone below
    except ValueError:
        warnings.append(f"tanggal '{name}' tidak sah (format TTTT-BB-HH), diabaikan")
        return None
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def parse_topic(params: Any, warnings: list[str]) -> str | None:
    """``topik`` when it is a topic of the taxonomy."""
    topic = params.get("topik")
    if topic and topic not in load_taxonomy().topics:
        warnings.append("topik tidak dikenal, diabaikan")
        return None
    return topic or None


def parse_day_range(
    params: Any, tz: Any, warnings: list[str]
) -> tuple[datetime | None, datetime | None]:
    """``dari`` and ``sampai`` (both inclusive, local days) as a half-open UTC range."""
    start = _parse_day(params.get("dari"), tz, warnings, "dari")
    until = _parse_day(params.get("sampai"), tz, warnings, "sampai")
    return start, until + timedelta(days=1) if until else None


def _parse_float(value: str | None, warnings: list[str], name: str) -> float | None:
    if not value:
        return None
    try:
        number = float(value.replace(",", ".").rstrip("%"))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        warnings.append(f"nilai '{name}' bukan angka, diabaikan")
        return None
    if number > 1:
        number /= 100  # typed as a percentage
    return min(max(number, 0.0), 1.0)


def parse_int(value: str | None, warnings: list[str], name: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        warnings.append(f"pilihan '{name}' tidak sah, diabaikan")
        return None
    return int(value)


QUEUE_PARAMS = ("status", "sumber", "topik", "skpd", "wilayah", "yakin_min", "yakin_maks",
                "dari", "sampai", "urut")  # fmt: skip


def parse_queue_filter(params: Any, tz: Any) -> tuple[QueueFilter, str, list[str]]:
    warnings: list[str] = []
    flt = QueueFilter()
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
    flt.min_confidence = _parse_float(params.get("yakin_min"), warnings, "yakin minimal")
    flt.max_confidence = _parse_float(params.get("yakin_maks"), warnings, "yakin maksimal")
    flt.date_from, flt.date_to = parse_day_range(params, tz, warnings)
    order = params.get("urut") or "newest"
    if order not in CARD_ORDERS:
        warnings.append("urutan tidak dikenal, diabaikan")
        order = "newest"
    return flt, order, warnings


def _page_number(value: str | None) -> int:
    if value and value.isdigit() and len(value) < 6:
        return max(1, int(value))
    return 1


@router.get("/antrean")
def queue_page(request: Request, ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    params = request.query_params
    flt, order, warnings = parse_queue_filter(params, ctx.app.settings.tz)
    page = _page_number(params.get("hal"))
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
    return ctx.render(
        "queue.html",
        cards=cards,
        has_more=has_more,
        page=page,
        order=order,
        orders=CARD_ORDERS,
        params=kept,
        query=urlencode(kept),
        warnings=warnings,
        pending_total=count_queue(ctx.db),
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
    names = dict(db.execute(select(User.id, User.username).where(User.id.in_(held.values()))).all())
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


# --- one item ------------------------------------------------------------------------


def _cluster_open_ids(db: Session, item: Item) -> list[int]:
    if item.cluster_id is None:
        return [item.id]
    ids = db.scalars(
        select(Item.id)
        .where(Item.cluster_id == item.cluster_id, Item.triage_state == item.triage_state)
        .order_by(Item.id)
    ).all()
    return list(ids) or [item.id]


@router.get("/item/{item_id}")
def item_page(item_id: int, ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    db = ctx.db
    item = db.get(Item, item_id)
    if item is None:
        raise PageError("Item tidak ditemukan.", 404)
    is_open = item.triage_state in (TriageState.PENDING, TriageState.DEFERRED)
    claimed = False
    if is_open:
        claimed = claim_item(db, item.id, ctx.actor, now=ctx.now)
        db.commit()
        db.refresh(item)
    suggestion = item.current_suggestion
    body_offset = len(item.title) + 1 if item.title else 0
    redaction = redact(item.text)
    members = []
    if item.cluster_id is not None:
        members = db.scalars(
            select(Item).where(Item.cluster_id == item.cluster_id).order_by(Item.id).limit(50)
        ).all()
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
        details=(suggestion.details if suggestion else {}) or {},
        body_offset=body_offset,
        redaction=redaction,
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
        default_title=_default_title(item),
    )


def _default_title(item: Item) -> str:
    base = item.title or item.text
    base = " ".join(base.split())
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


def _resolve_complaint(db: Session, ref: str) -> Complaint:
    ref = ref.strip()
    complaint = None
    if ref.isdigit() and len(ref) < 12:
        complaint = db.get(Complaint, int(ref))
    if complaint is None:
        complaint = db.scalar(select(Complaint).where(Complaint.tracking_number == ref.upper()))
    if complaint is None:
        raise FormError(f"aduan '{ref}' tidak ditemukan (isi nomor seperti ADU-2026-000123)")
    return complaint


def _choice(ctx: Ctx, name: str, valid: set[Any]) -> int | None:
    value = ctx.int_field(name)
    if value is not None and value not in valid:
        raise FormError(f"pilihan '{name}' tidak dikenal")
    return value


@router.post("/item/{item_id}/konfirmasi")
def confirm(item_id: int, ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    db = ctx.db
    choices = load_choices(db)
    try:
        title = ctx.field("judul", required=True, max_chars=300)
        topic = ctx.field("topik", required=True, max_chars=40)
        if topic not in dict(choices.topics):
            raise FormError("topik tidak dikenal")
        agency_id = _choice(ctx, "skpd", {a for a, _ in choices.agencies})
        region_id = _choice(ctx, "wilayah", {r for r, _ in choices.regions})
        description = ctx.field("isi", required=True, max_chars=10_000)
        if ctx.field("samarkan", max_chars=5):
            description = redact(description).text
        item = db.get(Item, item_id)
        if item is None:
            raise PageError("Item tidak ditemukan.", 404)
        contact = item.raw.get("contact") if isinstance(item.raw, dict) else None
        complaint = confirm_item(
            db,
            item_id,
            ctx.actor,
            title=title,
            topic=topic,
            agency_id=agency_id,
            region_id=region_id,
            description=description,
            is_anonymous=bool(ctx.field("anonim", max_chars=5)),
            is_confidential=bool(ctx.field("rahasia", max_chars=5)),
            reporter_contact=contact if isinstance(contact, str) else None,
            now=ctx.now,
        )
        merged = _merge_rest(db, item, complaint.id, ctx.actor, ctx.now)
        db.commit()
    except (TriageError, FormError) as exc:
        db.rollback()
        return redirect(f"/item/{item_id}", f"Gagal: {exc}", "error")
    extra = f" ({merged} item serupa ikut digabung)" if merged else ""
    return redirect(
        _next_in_queue(ctx),
        f"Aduan {complaint.tracking_number} dibuat{extra}.",
    )


def _merge_rest(db: Session, item: Item, complaint_id: int, actor: Actor, now: datetime) -> int:
    """The other open items of the item's cluster join the same complaint."""
    if item.cluster_id is None:
        return 0
    count = 0
    for other_id in db.scalars(
        select(Item.id).where(
            Item.cluster_id == item.cluster_id,
            Item.id != item.id,
            Item.triage_state.in_((TriageState.PENDING, TriageState.DEFERRED)),
        )
    ).all():
        try:
            with db.begin_nested():
                merge_item(db, other_id, complaint_id, actor, now=now)
            count += 1
        except TriageError as exc:
            log.info("cluster member %s not merged: %s", other_id, exc)
    return count


def _next_in_queue(ctx: Ctx) -> str:
    back = ctx.field("kembali", max_chars=1000)
    return safe_next(back, "/antrean") if back.startswith("/antrean") else "/antrean"


@router.post("/item/{item_id}/gabung")
def merge(item_id: int, ctx: Ctx = allow(*TRIAGE_ROLES)) -> Response:
    db = ctx.db
    try:
        complaint = _resolve_complaint(db, ctx.field("aduan", required=True, max_chars=40))
        item = db.get(Item, item_id)
        if item is None:
            raise PageError("Item tidak ditemukan.", 404)
        merge_item(db, item_id, complaint.id, ctx.actor, now=ctx.now)
        merged = _merge_rest(db, item, complaint.id, ctx.actor, ctx.now)
        db.commit()
    except (TriageError, FormError) as exc:
        db.rollback()
        return redirect(f"/item/{item_id}", f"Gagal: {exc}", "error")
    extra = f" bersama {merged} item serupa" if merged else ""
    return redirect(_next_in_queue(ctx), f"Item digabung ke {complaint.tracking_number}{extra}.")


def _reason(ctx: Ctx, name: str = "alasan") -> RejectReason:
    value = ctx.field(name, required=True, max_chars=40)
    try:
        return RejectReason(value)
    except ValueError as exc:
        raise FormError("alasan penolakan tidak dikenal") from exc


def _decide_cluster(
    ctx: Ctx, item_id: int, action: str, reason: RejectReason | None, note: str | None
) -> int:
    """Reject or defer a card: its item and the other open items of its cluster."""
    db = ctx.db
    item = db.get(Item, item_id)
    if item is None:
        raise TriageError(f"item #{item_id} tidak ada")
    done = 0
    for target in _cluster_open_ids(db, item):
        try:
            with db.begin_nested():
                if reason is not None:
                    reject_item(db, target, ctx.actor, reason=reason, note=note, now=ctx.now)
                else:
                    defer_item(db, target, ctx.actor, note=note, now=ctx.now)
            done += 1
        except TriageError as exc:
            if target == item_id:
                raise
            log.info("cluster member %s skipped: %s", target, exc)
    return done


def _decide_route(ctx: Ctx, item_id: int, action: str) -> Response:
    try:
        reason = _reason(ctx) if action == "tolak" else None
        note = ctx.field("catatan", max_chars=2000) or None
        done = _decide_cluster(ctx, item_id, action, reason, note)
        ctx.db.commit()
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
            reason = _reason(ctx, "alasan_massal")
        except FormError as exc:
            return redirect(back, f"Gagal: {exc}", "error")
    note = ctx.field("catatan", max_chars=2000) or None
    done, skipped = 0, []
    for item_id in ids:
        try:
            with ctx.db.begin_nested():
                done += _decide_cluster(ctx, item_id, action, reason, note)
        except TriageError as exc:
            skipped.append(str(exc))
    ctx.db.commit()
    verb = "ditolak" if action == "tolak" else "ditunda"
    message = f"{done} item {verb}."
    if skipped:
        message += f" {len(skipped)} kartu dilewati: " + "; ".join(skipped[:3])
    return redirect(back, message, "error" if skipped and not done else "ok")
