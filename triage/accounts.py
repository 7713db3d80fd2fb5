"""User accounts and API tokens: argon2 password hashes, roles, the agency an officer
belongs to, and the read-only API's bearer tokens (kept as SHA-256). Every change is in
the event log, whichever entry point (CLI, web) made it."""

from __future__ import annotations

import difflib
import hashlib
import re
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.agency import Agency
from models.enums import UserRole
from models.event import record_event
from models.user import User
from models.web import ApiToken, WebSession

__all__ = [
    "AccountError",
    "check_login",
    "create_api_token",
    "create_user",
    "find_user",
    "hash_password",
    "hash_token",
    "load_api_user",
    "revoke_api_tokens",
    "set_email",
    "set_password",
    "set_role",
    "set_user_active",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
_hasher = PasswordHasher()


class AccountError(ValueError):
    """The message is for the admin (Indonesian)."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


_DUMMY_HASH: list[str] = []


def check_login(user: User | None, password: str) -> bool:
    """True when ``user`` exists, is active and ``password`` is right.

    An unknown or inactive user is checked against a dummy hash all the same, so the
    time an answer takes does not tell which usernames exist.
    """
    if user is None or not user.is_active:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
        verify_password(_DUMMY_HASH[0], password)
        return False
    return verify_password(user.password_hash, password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    role: UserRole,
    agency_code: str | None = None,
    full_name: str | None = None,
    email: str | None = None,
    actor: str = "cli",
) -> User:
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise AccountError(
            "nama pengguna 3-40 karakter: huruf kecil, angka, titik, garis bawah atau strip"
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"pengguna '{username}' sudah ada")
    _check_password(password)
    agency = _agency_for(session, role, agency_code)
    user = User(
        username=username,
        full_name=full_name,
        password_hash=hash_password(password),
        role=role,
        agency_id=agency.id if agency else None,
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        action="create",
        after={"username": username, "role": role.value, "agency": agency.code if agency else None},
    )
    if email:
        set_email(session, user, email, actor=actor)
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"kata sandi minimal {MIN_PASSWORD_LENGTH} karakter")


def _agency_for(session: Session, role: UserRole, agency_code: str | None) -> Agency | None:
    """The SKPD an agency officer belongs to; an unknown code names the closest ones."""
    if role is not UserRole.AGENCY_OFFICER:
        if agency_code:
            raise AccountError("--agency hanya untuk peran agency_officer")
        return None
    if not agency_code:
        raise AccountError("petugas SKPD wajib punya --agency (kode SKPD)")
    agency = session.scalar(select(Agency).where(Agency.code == agency_code.strip()))
    if agency is None:
        codes = list(session.scalars(select(Agency.code)))
        close = difflib.get_close_matches(agency_code.strip().lower(), codes, n=3, cutoff=0.5)
        hint = f"; mungkin maksud Anda: {', '.join(close)}" if close else ""
        raise AccountError(
            f"kode SKPD tidak dikenal: {agency_code}{hint} (lihat: aduan agencies list)"
        )
    return agency


def set_password(session: Session, user: User, password: str, *, actor: str = "cli") -> None:
    """A new password; the user's open web sessions end (they must log in again)."""
    _check_password(password)
    user.password_hash = hash_password(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    record_event(session, actor=actor, entity_type="user", entity_id=user.id, action="password")


def set_role(
    session: Session,
    user: User,
    role: UserRole,
    *,
    agency_code: str | None = None,
    actor: str = "cli",
) -> None:
    """Change a user's role (and SKPD, for an agency officer), with an event."""
    agency = _agency_for(session, role, agency_code)
    before = {"role": user.role.value, "agency_id": user.agency_id}
    user.role = role
    user.agency_id = agency.id if agency else None
    record_event(
        session,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        action="role",
        before=before,
        after={"role": role.value, "agency": agency.code if agency else None},
    )


_EMAIL = re.compile(r"^[^@\s<>,;]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def set_email(session: Session, user: User, email: str | None, *, actor: str = "cli") -> None:
    """Where reminders for this user go (None or "" removes it), with an event."""
    email = (email or "").strip() or None
    if email is not None and (len(email) > 254 or not _EMAIL.match(email)):
        raise AccountError(f"alamat email '{email[:60]}' tidak sah")
    before = {"email": user.email}
    user.email = email
    record_event(
        session,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        action="email",
        before=before,
        after={"email": email},
    )


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise AccountError(f"pengguna '{username}' tidak ada")
    return user


def set_user_active(
    session: Session, user: User, active: bool, *, actor: str, actor_id: int | None = None
) -> None:
    """Switch an account on or off (logged); a switched-off user's sessions stop working."""
    before = user.is_active
    user.is_active = active
    record_event(
        session,
        actor=actor,
        actor_id=actor_id,
        entity_type="user",
        entity_id=user.id,
        action="enable" if active else "disable",
        before={"is_active": before},
        after={"is_active": active},
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(
    session: Session, user: User, name: str, *, now: datetime, actor: str = "cli"
) -> str:
    """A new API token for ``user``; the raw value is returned once, only its hash is kept."""
    token = "adu_" + secrets.token_urlsafe(32)
    row = ApiToken(token_hash=hash_token(token), user_id=user.id, name=name[:80], created_at=now)
    session.add(row)
    session.flush()
    record_event(
        session,
        actor=actor,
        entity_type="api_token",
        entity_id=row.id,
        action="create",
        after={"user": user.username, "name": row.name},
        now=now,
    )
    return token


def revoke_api_tokens(session: Session, user: User, *, now: datetime, actor: str = "cli") -> int:
    """Revoke every live token of ``user``; returns how many."""
    ids = list(
        session.scalars(
            select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        )
    )
    if ids:
        session.execute(update(ApiToken).where(ApiToken.id.in_(ids)).values(revoked_at=now))
        record_event(
            session,
            actor=actor,
            entity_type="user",
            entity_id=user.id,
            action="revoke_tokens",
            after={"revoked": len(ids)},
            now=now,
        )
    return len(ids)


def load_api_user(session: Session, token: str, *, now: datetime) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    row.last_used_at = now
    return row.user
