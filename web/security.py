"""Login sessions, CSRF tokens and rate limits, all kept in the database."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from models.user import User
from models.web import ThrottleHit, WebSession
from triage.accounts import hash_token

__all__ = [
    "LOGIN_LIMIT_PER_IP",
    "LOGIN_LIMIT_PER_USER",
    "LOGIN_WINDOW",
    "FormSigner",
    "create_web_session",
    "end_web_session",
    "load_or_create_secret",
    "load_web_session",
    "needs_touch",
    "release_slots",
    "take_slots",
    "touch_web_session",
]

LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_LIMIT_PER_USER = 5
LOGIN_LIMIT_PER_IP = 20
_TOUCH_EVERY = timedelta(minutes=5)


def create_web_session(
    session: Session, user: User, *, now: datetime, hours: int
) -> tuple[str, WebSession]:
    """A new login: the raw token goes into the cookie, its hash into the table."""
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=hash_token(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(row)
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    return token, row


def load_web_session(session: Session, token: str | None, *, now: datetime) -> WebSession | None:
    """The live session of a cookie; None when absent or expired (read-only)."""
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(WebSession).where(WebSession.token_hash == hash_token(token)))
    if row is None or row.expires_at <= now or not row.user.is_active:
        return None
    return row


def needs_touch(row: WebSession, now: datetime) -> bool:
    """The sliding expiry is moved at most every few minutes (one write, not one per page)."""
    return now - row.last_seen_at > _TOUCH_EVERY


def touch_web_session(session: Session, session_id: int, *, now: datetime, hours: int) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.id == session_id)
        .values(last_seen_at=now, expires_at=now + timedelta(hours=hours))
    )


def end_web_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == hash_token(token)))


def take_slots(
    session: Session, limits: dict[str, int], *, window: timedelta, now: datetime
) -> list[int] | None:
    """Count and record one attempt under every key's limit, atomically.

    None when any key already has ``limit`` attempts in ``window`` (nothing recorded);
    otherwise the ids of the recorded hits (a caller may delete them again, e.g. after a
    successful login). The keys are locked first, in sorted order: a PostgreSQL advisory
    lock per key, and on SQLite the write transaction this runs in (BEGIN IMMEDIATE).
    Call in a write session and commit right after.
    """
    limits = {key[:200]: limit for key, limit in limits.items()}
    keys = sorted(limits)
    if session.get_bind().dialect.name == "postgresql":
        for key in keys:
            session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key}
            )
    for key in keys:
        count = session.scalar(
            select(func.count())
            .select_from(ThrottleHit)
            .where(ThrottleHit.key == key, ThrottleHit.occurred_at > now - window)
        )
        if (count or 0) >= limits[key]:
            return None
    hits = [ThrottleHit(key=key, occurred_at=now) for key in keys]
    session.add_all(hits)
    session.flush()
    return [h.id for h in hits]


def release_slots(session: Session, hit_ids: list[int]) -> None:
    """Forget recorded attempts (a login that succeeded does not count against anyone)."""
    if hit_ids:
        session.execute(delete(ThrottleHit).where(ThrottleHit.id.in_(hit_ids)))


def load_or_create_secret(data_dir: Path) -> bytes:
    """The app's signing key: kept in ``data_dir/secret_key`` (mode 600) across restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    path.write_bytes(key)
    path.chmod(0o600)
    return key


class FormSigner:
    """Anti-forgery tokens for forms used without a login (login page, public form).

    The cookie holds a random nonce; the form holds ``nonce.time.mac``. A forged form
    lacks the cookie's nonce, a replayed one ages out, and the MAC needs the key.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, nonce: str, issued: int) -> str:
        return hmac.new(self._key, f"{nonce}.{issued}".encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, nonce: str, now: datetime) -> str:
        issued = int(now.timestamp())
        return f"{issued}.{self._mac(nonce, issued)}"

    def check(
        self, nonce: str | None, token: str | None, *, now: datetime, max_age: int = 7200
    ) -> int | None:
        """Seconds since the form was issued, or None when the token is not valid."""
        if not nonce or not token or len(token) > 100 or "." not in token:
            return None
        issued_text, mac = token.split(".", 1)
        if not issued_text.isdigit():
            return None
        issued = int(issued_text)
        if not hmac.compare_digest(mac, self._mac(nonce, issued)):
            return None
        age = int(now.timestamp()) - issued
        return age if 0 <= age <= max_age else None
