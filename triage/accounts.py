"""User accounts: argon2 password hashes, roles, and the agency an officer belongs to."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.enums import UserRole
from models.event import record_event
from models.user import User

__all__ = ["AccountError", "create_user", "hash_password", "verify_password"]

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
_hasher = PasswordHasher()


class AccountError(ValueError):
    """The message is for the admin (Indonesian)."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


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
    actor: str = "cli",
) -> User:
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise AccountError(
            "nama pengguna 3-40 karakter: huruf kecil, angka, titik, garis bawah atau strip"
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"pengguna '{username}' sudah ada")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"kata sandi minimal {MIN_PASSWORD_LENGTH} karakter")
    agency = None
    if role is UserRole.AGENCY_OFFICER:
        if not agency_code:
            raise AccountError("petugas SKPD wajib punya --agency (kode SKPD)")
        agency = session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise AccountError(f"kode SKPD tidak dikenal: {agency_code}")
    elif agency_code:
        raise AccountError("--agency hanya untuk peran agency_officer")
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
    return user
