"""The learning loop in the web app (/model): the active model, the versions the retrain
made, how often each model's suggestions were what the admins decided, and "Latih ulang
sekarang" for an admin who need not wait for the night."""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response

from classifier.registry import ModelRegistry
from models.enums import UserRole
from pipeline.learning import retrain_now
from triage.model_status import model_status
from web.core import Ctx, allow, redirect, state_of
from web.security import take_slots

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

#: One retrain at a time from the web: a training takes seconds to a minute, and two at
#: once would both be gated against the same active model.
RETRAIN_EVERY = timedelta(minutes=10)


@router.get("/model")
def model_page(ctx: Ctx = allow(UserRole.ADMIN, UserRole.OPERATOR)) -> Response:
    registry = ModelRegistry(ctx.app.settings.resolved_model_dir)
    return ctx.render("model.html", status=model_status(ctx.db, registry))


@router.post("/model/latih")
def retrain_page(background: BackgroundTasks, ctx: Ctx = allow(UserRole.ADMIN)) -> Response:
    status = model_status(ctx.db, ModelRegistry(ctx.app.settings.resolved_model_dir))
    if not status.retrain_ready:
        return redirect(
            "/model",
            f"Baru {status.new_labels} konfirmasi baru sejak model aktif dilatih; latih ulang "
            f"perlu paling sedikit {status.min_decisions}.",
            "error",
        )
    if take_slots(ctx.db, {"retrain-now": 1}, window=RETRAIN_EVERY, now=ctx.now) is None:
        ctx.db.rollback()
        return redirect(
            "/model", "Pelatihan ulang baru saja dimulai; tunggu sepuluh menit.", "error"
        )
    ctx.actor.log(ctx.db, "model", 0, "retrain_now", now=ctx.now)
    ctx.db.commit()
    background.add_task(_retrain_in_background, ctx.request)
    return redirect(
        "/model",
        "Pelatihan ulang dimulai; versi baru tampil di tabel di bawah setelah selesai "
        "(muat ulang halaman dalam satu-dua menit).",
    )


def _retrain_in_background(request: Request) -> None:
    app = state_of(request)
    try:
        retrain_now(app.sessions, app.write_sessions, model_dir=app.settings.resolved_model_dir)
    except Exception:  # logged; the page shows no new version; never crash the server
        log.exception("retrain from the web failed")
