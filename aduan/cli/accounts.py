"""``aduan user`` and ``aduan token``: accounts of the web app and tokens of the API."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click

from aduan.cli._common import cli
from aduan.db import session_scope


@cli.group()
def user() -> None:
    """Akun pengguna aplikasi triase."""


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "operator", "agency_officer", "viewer"]),
    help="admin (Diskominfo), operator (triase), agency_officer (SKPD), viewer.",
)
@click.option("--agency", "agency_code", help="Kode SKPD untuk agency_officer, mis. 6371-dishub.")
@click.option("--full-name", help="Nama lengkap.")
@click.option("--email", help="Alamat email untuk pengingat tenggat.")
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari standar input.")
def user_add(
    username: str,
    role: str,
    agency_code: str | None,
    full_name: str | None,
    email: str | None,
    password_stdin: bool,
) -> None:
    """Tambah pengguna USERNAME; kata sandi ditanyakan (atau dari stdin), disimpan argon2."""
    from models.enums import UserRole
    from triage.accounts import AccountError, create_user

    password = _ask_password(password_stdin)
    try:
        with session_scope() as session:
            created = create_user(
                session,
                username,
                password,
                role=UserRole(role),
                agency_code=agency_code,
                full_name=full_name,
                email=email,
            )
            name, shown_role = created.username, created.role.label
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Pengguna '{name}' dibuat dengan peran {shown_role}.")


def _ask_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Kata sandi", hide_input=True, confirmation_prompt=True))


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Cetak sebagai JSON.")
def user_list(as_json: bool) -> None:
    """Daftar pengguna: peran, SKPD, aktif atau tidak, terakhir masuk."""
    from sqlalchemy import select

    from aduan.cli._common import echo_table, local_time
    from aduan.settings import get_settings
    from models.user import User

    with session_scope() as session:
        rows = [
            {
                "username": u.username,
                "role": u.role.value,
                "agency": u.agency.code if u.agency else None,
                "active": u.is_active,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
                "_last": u.last_login_at,
            }
            for u in session.scalars(select(User).order_by(User.username))
        ]
    if as_json:
        public = [{k: v for k, v in r.items() if k != "_last"} for r in rows]
        click.echo(json.dumps(public, ensure_ascii=False, indent=2))
        return
    tz = get_settings().tz
    echo_table(
        [
            [
                r["username"],
                r["role"],
                r["agency"] or "-",
                "ya" if r["active"] else "tidak",
                local_time(r["_last"] if isinstance(r["_last"], datetime) else None, tz),
            ]
            for r in rows
        ],
        ["pengguna", "peran", "SKPD", "aktif", "terakhir masuk"],
    )


@user.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari standar input.")
def user_passwd(username: str, password_stdin: bool) -> None:
    """Ganti kata sandi USERNAME; sesi masuknya yang terbuka berakhir."""
    from triage.accounts import AccountError, find_user, set_password

    password = _ask_password(password_stdin)
    try:
        with session_scope() as session:
            set_password(session, find_user(session, username), password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Kata sandi '{username}' diganti.")


@user.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(["admin", "operator", "agency_officer", "viewer"]))
@click.option("--agency", "agency_code", help="Kode SKPD untuk agency_officer.")
def user_set_role(username: str, role: str, agency_code: str | None) -> None:
    """Ubah peran USERNAME menjadi ROLE (petugas SKPD dengan --agency KODE)."""
    from models.enums import UserRole
    from triage.accounts import AccountError, find_user, set_role

    try:
        with session_scope() as session:
            account = find_user(session, username)
            set_role(session, account, UserRole(role), agency_code=agency_code)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Peran '{username}' sekarang {UserRole(role).label}.")


@user.command("set-email")
@click.argument("username")
@click.argument("email")
def user_set_email(username: str, email: str) -> None:
    """Alamat email USERNAME untuk pengingat tenggat ("" untuk menghapus)."""
    from triage.accounts import AccountError, find_user, set_email

    try:
        with session_scope() as session:
            set_email(session, find_user(session, username), email)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Email '{username}' disimpan." if email else f"Email '{username}' dihapus.")


@cli.group()
def agencies() -> None:
    """Daftar SKPD dan kodenya (untuk --agency)."""


@agencies.command("list")
@click.option("--region", "region_code", help="Hanya SKPD wilayah ini, mis. 63.71.")
@click.option("--json", "as_json", is_flag=True, help="Cetak sebagai JSON.")
def agencies_list(region_code: str | None, as_json: bool) -> None:
    """Daftar SKPD aktif: kode, nama, wilayah."""
    from sqlalchemy import select

    from aduan.cli._common import echo_table
    from models.agency import Agency
    from models.region import Region

    with session_scope() as session:
        stmt = (
            select(Agency.code, Agency.name, Region.code, Region.name)
            .join(Region, Region.id == Agency.region_id)
            .where(Agency.active.is_(True))
            .order_by(Region.code, Agency.name)
        )
        if region_code:
            stmt = stmt.where(Region.code == region_code)
        rows = [
            {"code": c, "name": n, "region_code": rc, "region": rn}
            for c, n, rc, rn in session.execute(stmt)
        ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        raise click.ClickException(f"tidak ada SKPD untuk wilayah {region_code}")
    echo_table([[r["code"], r["name"], r["region"]] for r in rows], ["kode", "nama", "wilayah"])


@cli.group()
def token() -> None:
    """Token untuk API JSON baca-saja."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="Nama/keterangan token.")
def token_create(username: str, name: str) -> None:
    """Buat token API untuk USERNAME; token hanya ditampilkan sekali."""
    from models.base import utcnow
    from triage.accounts import AccountError, create_api_token, find_user

    try:
        with session_scope() as session:
            value = create_api_token(session, find_user(session, username), name, now=utcnow())
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(value)


@token.command("revoke")
@click.argument("username")
def token_revoke(username: str) -> None:
    """Cabut semua token API milik USERNAME."""
    from models.base import utcnow
    from triage.accounts import AccountError, find_user, revoke_api_tokens

    try:
        with session_scope() as session:
            revoked = revoke_api_tokens(session, find_user(session, username), now=utcnow())
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{revoked} token dicabut.")
