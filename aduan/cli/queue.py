"""``aduan queue``: the triage queue on the command line."""

from __future__ import annotations

import json

import click

from aduan.cli._common import cli, local_time
from aduan.db import session_scope
from aduan.settings import get_settings


@cli.group()
def queue() -> None:
    """Antrean triase: item yang menunggu keputusan admin."""


@queue.command("list")
@click.option("--json", "as_json", is_flag=True, help="Cetak sebagai JSON (daftar objek).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option(
    "--order",
    type=click.Choice(["newest", "uncertain"]),
    default="newest",
    show_default=True,
    help="newest: terbaru dahulu; uncertain: model paling ragu dahulu.",
)
def queue_list(as_json: bool, limit: int, offset: int, order: str) -> None:
    """Tampilkan item yang menunggu triase dengan saran label."""
    from classifier.taxonomy import load_taxonomy
    from triage.queue import count_queue, list_queue

    with session_scope() as session:
        entries = list_queue(session, limit=limit, offset=offset, order=order)
        total = count_queue(session)
    if as_json:
        click.echo(json.dumps([e.as_json() for e in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo("Antrean kosong. Jalankan 'aduan ingest' untuk mengambil item baru.")
        return
    taxonomy = load_taxonomy()
    tz = get_settings().tz
    for e in entries:
        when = local_time(e.published_at, tz)
        conf = f"{e.confidence:.0%}" if e.confidence is not None else "-"
        flag = " [perlu ditinjau]" if e.needs_review else ""
        click.echo(f"#{e.id} [{e.source_kind}] {when} - {e.source_name}")
        click.echo(f"  {(e.title or e.text)[:110]}")
        click.echo(
            f"  topik: {taxonomy.topic_label(e.suggested_topic)} | "
            f"SKPD: {e.suggested_agency or '-'} | wilayah: {e.suggested_region or '-'} | "
            f"keyakinan: {conf}{flag}"
        )
    click.echo(f"Menampilkan {len(entries)} dari {total} item menunggu.")
