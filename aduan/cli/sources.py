"""``aduan sources``: collection sources, their health, switching them on and off."""

from __future__ import annotations

import json
from datetime import datetime

import click
from sqlalchemy import func, select

from aduan.cli._common import cli, echo_table, local_time
from aduan.db import session_scope
from aduan.settings import get_settings


@cli.group()
def sources() -> None:
    """Sumber pengumpulan dan kesehatannya."""


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="Cetak sebagai JSON.")
def sources_list(as_json: bool) -> None:
    """Daftar sumber: aktif atau tidak, sukses terakhir, kegagalan beruntun, alasan nonaktif."""
    from models.item import Item
    from models.source import Source

    with session_scope() as session:
        counts: dict[int, int] = {
            source_id: n
            for source_id, n in session.execute(
                select(Item.source_id, func.count()).group_by(Item.source_id)
            )
        }
        rows = [
            {
                "id": s.id,
                "name": s.name,
                "kind": s.kind.value,
                "enabled": s.enabled,
                "items": counts.get(s.id, 0),
                "last_success_at": s.last_success_at.isoformat() if s.last_success_at else None,
                "consecutive_failures": s.consecutive_failures,
                "last_error": s.last_error,
                "disabled_reason": s.disabled_reason,
            }
            for s in session.scalars(select(Source).order_by(Source.id))
        ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    tz = get_settings().tz
    table = []
    for r in rows:
        last = r["last_success_at"]
        when = datetime.fromisoformat(last) if isinstance(last, str) else None
        shown = local_time(when, tz, "%d-%m %H:%M")
        state = "aktif" if r["enabled"] else f"nonaktif: {r['disabled_reason'] or '-'}"
        table.append(
            [r["id"], r["name"], r["kind"], state, r["items"], shown, r["consecutive_failures"]]
        )
    echo_table(table, ["id", "nama", "jenis", "status", "item", "sukses terakhir", "gagal"])


def _set_enabled(name: str, enabled: bool) -> None:
    from models.base import utcnow
    from triage.actions import Actor, TriageError
    from triage.sources import find_source, set_source_enabled

    try:
        with session_scope() as session:
            source = find_source(session, name)
            set_source_enabled(
                session,
                source,
                enabled,
                actor=Actor(name="cli"),
                now=utcnow(),
                reason="dinonaktifkan oleh admin",
                x_token=get_settings().x_bearer_token is not None,
            )
    except TriageError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Sumber '{name}' {'diaktifkan' if enabled else 'dinonaktifkan'}.")


@sources.command("enable")
@click.argument("name")
def sources_enable(name: str) -> None:
    """Aktifkan lagi sumber NAME (misalnya setelah dinonaktifkan karena gagal beruntun)."""
    _set_enabled(name, True)


@sources.command("disable")
@click.argument("name")
def sources_disable(name: str) -> None:
    """Nonaktifkan sumber NAME; pengumpulan melewatinya sampai diaktifkan lagi."""
    _set_enabled(name, False)
