"""``aduan user`` and ``aduan token``: accounts of the web app and tokens of the API."""

from __future__ import annotations

import sys

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
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari standar input.")
def user_add(
    username: str, role: str, agency_code: str | None, full_name: str | None, password_stdin: bool
) -> None:
    """Tambah pengguna USERNAME; kata sandi ditanyakan (atau dari stdin), disimpan argon2."""
    from models.enums import UserRole
    from triage.accounts import AccountError, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Kata sandi", hide_input=True, confirmation_prompt=True)
    try:
        with session_scope() as session:
            created = create_user(
                session,
                username,
                password,
                role=UserRole(role),
                agency_code=agency_code,
                full_name=full_name,
            )
            name, shown_role = created.username, created.role.label
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Pengguna '{name}' dibuat dengan peran {shown_role}.")


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
