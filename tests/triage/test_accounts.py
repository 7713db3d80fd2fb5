"""Accounts: argon2 hashes, roles, agency officers tied to an SKPD, clear refusals."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aduan.cli import cli
from models import Agency, Event, User, UserRole
from triage.accounts import verify_password


def test_user_add_stores_an_argon2_hash_and_the_agency(sqlite_engine: Engine) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["db", "init"])
    result = runner.invoke(
        cli,
        [
            "user",
            "add",
            "petugas.dishub",
            "--role",
            "agency_officer",
            "--agency",
            "6371-dishub",
            "--password-stdin",
        ],
        input="rahasia-sekali-123\n",
    )
    assert result.exit_code == 0, result.output
    assert "Petugas SKPD" in result.output
    with Session(sqlite_engine) as session:
        user = session.scalar(select(User))
        assert user.role is UserRole.AGENCY_OFFICER
        assert session.get(Agency, user.agency_id).code == "6371-dishub"
        assert user.password_hash.startswith("$argon2")
        assert verify_password(user.password_hash, "rahasia-sekali-123")
        assert not verify_password(user.password_hash, "salah")
        assert session.scalar(select(Event.action).where(Event.entity_type == "user")) == "create"


def test_bad_accounts_are_refused_with_a_clear_message(sqlite_engine: Engine) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["db", "init"])

    def add(*args: str, password: str = "rahasia-sekali-123") -> str:
        result = runner.invoke(
            cli, ["user", "add", *args, "--password-stdin"], input=password + "\n"
        )
        assert result.exit_code != 0
        return result.output

    assert "minimal 10 karakter" in add("ani", "--role", "operator", password="pendek")
    assert "wajib punya --agency" in add("ani", "--role", "agency_officer")
    assert "tidak dikenal" in add("ani", "--role", "agency_officer", "--agency", "x")
    assert "hanya untuk peran" in add("ani", "--role", "viewer", "--agency", "6371-dishub")
    assert "nama pengguna" in add("A B", "--role", "viewer")
    ok = runner.invoke(
        cli,
        ["user", "add", "ani", "--role", "admin", "--password-stdin"],
        input="rahasia-sekali-123\n",
    )
    assert ok.exit_code == 0
    assert "sudah ada" in add("ani", "--role", "admin")
