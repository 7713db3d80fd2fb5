"""The public complaint form (no login) and its printable QR code.

Spam protection: an anti-forgery token with a minimum fill-in time, a honeypot field
bots fill in, size limits, and a per-IP hourly limit kept in the database (the IP is
stored only as a keyed hash).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import secrets
import uuid
from datetime import timedelta

import segno
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from aduan.db import retry_on_conflict
from collectors.base import RawItem
from collectors.store import store_items
from models.enums import RegionLevel, SourceKind
from models.item import Item
from models.region import Region
from models.source import Source
from pipeline.process import process_new_items
from triage.receipts import issue_receipt, lookup_status
from web.core import Ctx, allow, state_of
from web.security import take_slots

__all__ = ["MIN_FILL_SECONDS", "WEB_FORM_SOURCE", "router"]

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

WEB_FORM_SOURCE = "Formulir publik LAPOR PAMAN"
NONCE_COOKIE = "aduan_form_nonce"
MIN_FILL_SECONDS = 3
MIN_TEXT, MAX_TEXT = 20, 5000


def _regions(ctx: Ctx) -> list[Region]:
    return list(
        ctx.db.scalars(
            select(Region)
            .where(Region.level.in_((RegionLevel.REGENCY, RegionLevel.CITY)))
            .order_by(Region.name)
        )
    )


def _form(ctx: Ctx, *, errors: list[str] | None = None, values: dict[str, str] | None = None,
          status: int = 200) -> Response:  # fmt: skip
    nonce = secrets.token_urlsafe(16)
    response = ctx.render(
        "intake.html",
        status,
        regions=_regions(ctx),
        errors=errors or [],
        values=values or {},
        form_token=ctx.app.signer.issue(nonce, ctx.now),
        max_text=MAX_TEXT,
    )
    response.set_cookie(NONCE_COOKIE, nonce, max_age=7200, httponly=True, samesite="lax")
    return response


@router.get("/lapor")
def intake_form(ctx: Ctx = allow(public=True)) -> Response:
    return _form(ctx)


def _ip_key(request: Request, purpose: str = "intake") -> str:
    """A rate-limit key for the client's IP, stored only as a keyed hash."""
    ip = request.client.host if request.client else "unknown"
    digest = hmac.new(state_of(request).ip_key, ip.encode(), hashlib.sha256).hexdigest()[:24]
    return f"{purpose}:ip:{digest}"


@router.post("/lapor")
def submit(background: BackgroundTasks, ctx: Ctx = allow(public=True)) -> Response:
    request, db, now = ctx.request, ctx.db, ctx.now
    values = {
        "isi": ctx.field("isi", max_chars=MAX_TEXT * 2),
        "wilayah": ctx.field("wilayah", max_chars=20),
        "nama": ctx.field("nama", max_chars=200),
        "kontak": ctx.field("kontak", max_chars=200),
        "anonim": ctx.field("anonim", max_chars=5),
    }
    age = ctx.app.signer.check(
        request.cookies.get(NONCE_COOKIE), ctx.field("form_token", max_chars=100), now=now
    )
    if age is None:
        return _form(ctx, errors=["Formulir kedaluwarsa. Silakan kirim ulang."], values=values,
                     status=403)  # fmt: skip
    if ctx.field("website", max_chars=500) or age < MIN_FILL_SECONDS:
        # Likely a bot, but a person in a hurry (or a browser's autofill) looks the same:
        # never say "thank you" for a report that is not kept. Ask again, text preserved.
        log.info("public form: honeypot or too-fast submission asked to resend")
        return _form(
            ctx,
            errors=[
                "Laporan belum terkirim: formulir dikirim terlalu cepat. Periksa isian Anda, "
                "tunggu beberapa detik, lalu tekan Kirim sekali lagi."
            ],
            values=values,
            status=400,
        )
    key = _ip_key(request)
    limit = ctx.app.settings.intake_per_hour
    if take_slots(db, {key: limit}, window=timedelta(hours=1), now=now) is None:
        db.rollback()
        return _form(
            ctx,
            errors=[f"Batas {limit} laporan per jam dari jaringan Anda tercapai. Coba lagi nanti."],
            values=values,
            status=429,
        )
    errors = []
    text = values["isi"]
    if len(text) < MIN_TEXT:
        errors.append(f"Isi laporan minimal {MIN_TEXT} karakter: ceritakan apa, di mana, kapan.")
    if len(text) > MAX_TEXT:
        errors.append(f"Isi laporan maksimal {MAX_TEXT} karakter.")
    region = None
    if not values["wilayah"]:
        errors.append("Pilih kabupaten/kota lokasi masalah.")
    else:
        region = db.scalar(select(Region).where(Region.code == values["wilayah"]))
        if region is None or region.level not in (RegionLevel.REGENCY, RegionLevel.CITY):
            errors.append("Kabupaten/kota tidak dikenal.")
    anonymous = bool(values["anonim"])
    if errors or region is None:
        return _form(ctx, errors=errors, values=values, status=400)
    source = _web_form_source(ctx)
    local_day = now.astimezone(ctx.app.settings.tz)  # the citizen's date (WITA), not UTC
    tracking = f"WEB-{local_day:%Y%m%d}-{uuid.uuid4().hex[:8].upper()}"
    contact = None if anonymous else " / ".join(v for v in (values["nama"], values["kontak"]) if v)
    raw = RawItem(
        external_id=tracking,
        url=None,
        title=None,
        text=f"{text}\n(Lokasi: {region.name})",
        published_at=now,
        author=None,
        raw={
            "form": "lapor",
            "region_code": region.code,
            "anonymous": anonymous,
            "contact": contact or None,
        },
    )
    stored = store_items(db, source.id, [raw], now=now)
    item_id = db.scalar(
        select(Item.id).where(Item.source_id == source.id, Item.external_id == tracking)
    )
    if item_id is None:  # store_items logged why; never thank for a report not kept
        db.rollback()
        return _form(
            ctx,
            errors=["Laporan belum tersimpan karena gangguan. Silakan kirim sekali lagi."],
            values=values,
            status=500,
        )
    secret = issue_receipt(db, item_id=item_id, number=tracking, key=ctx.app.ip_key, now=now)
    db.commit()  # the counted slot, the report and its receipt, together
    background.add_task(_process_in_background, request, stored.new_ids)
    return ctx.render("intake_done.html", tracking=tracking, secret=secret)


STATUS_LOOKUPS_PER_HOUR = 30


@router.get("/lapor/status")
def status_form(ctx: Ctx = allow(public=True)) -> Response:
    return ctx.render("intake_status.html", status=None, number="", errors=[])


@router.post("/lapor/status")
def status_lookup(ctx: Ctx = allow(public=True)) -> Response:
    """Posted, not in the URL: the secret stays out of logs, history and referrers."""
    number = ctx.field("nomor", max_chars=40).upper()
    secret = ctx.field("kode", max_chars=20)
    if not number or not secret:
        return ctx.render(
            "intake_status.html", 400, status=None, number=number,
            errors=["Isi nomor penerimaan dan kode rahasia dari tanda terima."],
        )  # fmt: skip
    key = _ip_key(ctx.request, "status")
    if take_slots(ctx.db, {key: STATUS_LOOKUPS_PER_HOUR}, window=timedelta(hours=1),
                  now=ctx.now) is None:  # fmt: skip
        ctx.db.rollback()
        return ctx.render(
            "intake_status.html", 429, status=None, number=number,
            errors=["Terlalu banyak percobaan dari jaringan Anda. Coba lagi dalam satu jam."],
        )  # fmt: skip
    ctx.db.commit()  # the counted attempt, whatever the answer
    status = lookup_status(ctx.db, number=number, secret=secret, key=ctx.app.ip_key)
    if status is None:
        return ctx.render(
            "intake_status.html", 404, status=None, number=number,
            errors=["Nomor penerimaan atau kode rahasia tidak cocok. Periksa tanda terima Anda."],
        )  # fmt: skip
    return ctx.render("intake_status.html", status=status, number=number, errors=[])


def _web_form_source(ctx: Ctx) -> Source:
    return Source.ensure(ctx.db, SourceKind.WEB_FORM, WEB_FORM_SOURCE)


def _process_in_background(request: Request, item_ids: list[int]) -> None:
    """Cluster and tag the new item now; if that fails the next ingest run does it."""
    if not item_ids:
        return
    app = state_of(request)
    session = app.sessions()
    try:
        retry_on_conflict(
            session,
            lambda: process_new_items(
                session, item_ids, model_dir=app.settings.resolved_model_dir, now=app.clock()
            ),
        )
    except (SQLAlchemyError, OSError, ValueError, RuntimeError) as exc:
        session.rollback()
        log.warning("public form item %s left for the next ingest run: %s", item_ids, exc)
    finally:
        session.close()


def _public_url(request: Request) -> str:
    configured = state_of(request).settings.public_url
    base = configured.rstrip("/") if configured else str(request.base_url).rstrip("/")
    return f"{base}/lapor"


def _qr(request: Request, kind: str) -> bytes:
    out = io.BytesIO()
    segno.make(_public_url(request), error="m").save(
        out, kind=kind, scale=8 if kind == "svg" else 12, border=2, dark="#0b3d2e"
    )
    return out.getvalue()


@router.get("/lapor/qr.svg")
def qr_svg(request: Request, unduh: bool = False) -> Response:
    headers = {"Content-Disposition": 'attachment; filename="qr-lapor.svg"'} if unduh else {}
    return Response(_qr(request, "svg"), media_type="image/svg+xml", headers=headers)


@router.get("/lapor/qr.png")
def qr_png(request: Request) -> Response:
    return Response(
        _qr(request, "png"),
        media_type="image/png",
        headers={"Content-Disposition": 'attachment; filename="qr-lapor.png"'},
    )


@router.get("/lapor/qr")
def qr_page(ctx: Ctx = allow(public=True)) -> Response:
    configured = ctx.app.settings.public_url is not None
    return ctx.render("qr.html", url=_public_url(ctx.request), configured=configured)
