"""The read-only JSON API (token auth). Its OpenAPI document is at /api/openapi.json."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.complaint import Complaint
from models.enums import ComplaintStatus, UserRole
from models.user import User
from reports.follow_up import follow_up_rates
from triage.accounts import load_api_user
from triage.actions import Actor
from triage.complaint_query import ComplaintFilter, can_see, filter_complaints
from web.core import clean_text, state_of

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["aduan"])
bearer = HTTPBearer(auto_error=False, description="Token dari `aduan token create`.")


class ApiCaller:
    def __init__(self, db: Session, user: User, now: datetime) -> None:
        self.db = db
        self.user = user
        self.now = now
        self.actor = Actor.of(user)


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Iterator[ApiCaller]:
    app = state_of(request)
    if credentials is None or len(credentials.credentials) > 200:
        raise HTTPException(
            401, "Token API tidak ada atau tidak sah.", {"WWW-Authenticate": "Bearer"}
        )
    db = app.sessions()
    try:
        now = app.clock()
        user = load_api_user(db, credentials.credentials, now=now)
        if user is None:
            raise HTTPException(
                401, "Token API tidak ada atau tidak sah.", {"WWW-Authenticate": "Bearer"}
            )
        db.commit()
        yield ApiCaller(db, user, now)
    finally:
        db.close()


def complaint_reader(api: Annotated[ApiCaller, Depends(caller)]) -> ApiCaller:
    if api.user.role not in (UserRole.ADMIN, UserRole.OPERATOR, UserRole.AGENCY_OFFICER):
        raise HTTPException(403, "Peran Anda hanya boleh membaca ringkasan (/api/v1/stats).")
    return api


class ComplaintOut(BaseModel):
    id: int
    tracking_number: str | None = Field(description="Nomor aduan, mis. ADU-2026-000123")
    lapor_tracking_id: str | None = Field(description="Nomor tiket SP4N-LAPOR!")
    title: str
    description: str = Field(description="Isi aduan (data pribadi sudah disamarkan)")
    topic: str | None
    agency_code: str | None
    agency_name: str | None
    region_code: str | None
    region_name: str | None
    status: ComplaintStatus
    status_label: str
    created_at: datetime
    forwarded_at: datetime | None
    due_at: datetime | None
    first_follow_up_at: datetime | None
    finished_at: datetime | None
    overdue: bool
    is_anonymous: bool

    @classmethod
    def of(cls, c: Complaint, now: datetime) -> ComplaintOut:
        return cls(
            id=c.id,
            tracking_number=c.tracking_number,
            lapor_tracking_id=c.lapor_tracking_id,
            title=c.title,
            description=c.description,
            topic=c.topic,
            agency_code=c.agency.code if c.agency else None,
            agency_name=c.agency.name if c.agency else None,
            region_code=c.region.code if c.region else None,
            region_name=c.region.name if c.region else None,
            status=c.status,
            status_label=c.status.label,
            created_at=c.created_at,
            forwarded_at=c.forwarded_at,
            due_at=c.due_at,
            first_follow_up_at=c.first_follow_up_at,
            finished_at=c.finished_at,
            overdue=c.is_overdue(now),
            is_anonymous=c.is_anonymous,
        )


class ComplaintPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ComplaintOut]


class RateOut(BaseModel):
    name: str
    total: int = Field(description="Aduan yang sudah diteruskan ke SKPD")
    followed: float | None = Field(description="Porsi ditindaklanjuti (dalam proses + selesai)")
    done: float | None = Field(description="Porsi selesai")
    in_progress: float | None = Field(description="Porsi dalam proses")
    waiting: int
    overdue: int


class StatsOut(BaseModel):
    by_agency: list[RateOut]
    by_region: list[RateOut]


@router.get("/complaints", response_model=ComplaintPage, summary="Daftar aduan")
def list_complaints(
    api: Annotated[ApiCaller, Depends(complaint_reader)],
    status: ComplaintStatus | None = None,
    topic: Annotated[str | None, Query(max_length=40)] = None,
    overdue: bool = False,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ComplaintPage:
    """Aduan yang boleh dilihat pemilik token (petugas SKPD: hanya SKPD-nya), terbaru dulu."""
    flt = ComplaintFilter(
        status=status,
        topic=clean_text(topic or "") or None,
        overdue=overdue,
        q=clean_text(q or "") or None,
    )
    stmt = filter_complaints(flt, api.actor, now=api.now)
    total = api.db.scalar(
        select(func.count()).select_from(
            stmt.order_by(None).with_only_columns(Complaint.id).subquery()
        )
    )
    rows = api.db.scalars(stmt.limit(limit).offset(offset)).all()
    return ComplaintPage(
        total=total or 0,
        limit=limit,
        offset=offset,
        items=[ComplaintOut.of(c, api.now) for c in rows],
    )


@router.get("/complaints/{complaint_id}", response_model=ComplaintOut, summary="Satu aduan")
def get_complaint(
    complaint_id: int, api: Annotated[ApiCaller, Depends(complaint_reader)]
) -> ComplaintOut:
    complaint = api.db.get(Complaint, complaint_id)
    if complaint is None or not can_see(api.actor, complaint):
        raise HTTPException(404, "Aduan tidak ditemukan.")
    return ComplaintOut.of(complaint, api.now)


@router.get("/stats", response_model=StatsOut, summary="Tingkat tindak lanjut")
def stats(
    api: Annotated[ApiCaller, Depends(caller)],
) -> StatsOut:
    """Per SKPD dan per kabupaten/kota: porsi ditindaklanjuti, selesai, dalam proses."""
    return StatsOut(
        by_agency=[RateOut(**r) for r in follow_up_rates(api.db, "skpd", now=api.now)],
        by_region=[RateOut(**r) for r in follow_up_rates(api.db, "wilayah", now=api.now)],
    )
