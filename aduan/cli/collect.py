"""``aduan ingest`` and ``aduan import``: collection runs and manual intake."""

from __future__ import annotations

import json
from pathlib import Path

import click

from aduan.cli._common import cli, echo_table
from aduan.db import session_scope
from aduan.settings import apply_prefect_defaults, get_settings


@cli.command()
@click.option(
    "--source", "sources", multiple=True, help="Hanya sumber dengan nama ini (boleh berulang)."
)
@click.option("--json", "as_json", is_flag=True, help="Cetak ringkasan sebagai JSON.")
def ingest(sources: tuple[str, ...], as_json: bool) -> None:
    """Jalankan alur pengumpulan (Prefect) sekali: ambil, simpan, beri label, antrekan."""
    from aduan.prefect_server import PrefectServerError, local_prefect_server

    settings = get_settings()
    apply_prefect_defaults(settings)
    try:
        with local_prefect_server(settings):
            from flows.ingest import ingest as ingest_flow

            report = ingest_flow(source_names=list(sources) or None)
    except PrefectServerError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    rows = [
        [
            s["source_name"],
            s["kind"],
            s["status"],
            s["fetched"],
            s["new"],
            s["duplicates"],
            s["errors"],
        ]
        for s in report["sources"]
    ]
    echo_table(rows, ["sumber", "jenis", "status", "diambil", "baru", "duplikat", "galat"])
    for s in report["sources"]:
        if s["message"]:
            click.echo(f"  ! {s['source_name']}: {s['message']}")
    _echo_not_run(sources)
    click.echo(
        f"Selesai: {report['new']} item baru, {report['tagged']} diberi label, "
        f"{report['errors']} galat."
    )
    with session_scope() as session:
        from triage.queue import count_queue

        pending = count_queue(session)
    click.echo(f"Antrean triase: {pending} item menunggu. Lihat: aduan queue list")


def _echo_not_run(names: tuple[str, ...]) -> None:
    """Configured sources this run skipped, and why (so a missing token is never silent)."""
    from sqlalchemy import select

    from models.source import Source

    with session_scope() as session:
        stmt = select(Source).where(Source.enabled.is_(False)).order_by(Source.id)
        if names:
            stmt = stmt.where(Source.name.in_(names))
        for source in session.scalars(stmt):
            reason = source.disabled_reason or "dinonaktifkan"
            click.echo(f"  - {source.name}: tidak dijalankan ({reason})")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="FIELD=KOLOM",
    help="Pasangkan kolom berkas ke isian: text, title, date, author, contact, region, url, id.",
)
@click.option("--partial", is_flag=True, help="Simpan baris yang valid walau ada baris salah.")
@click.option("--dry-run", is_flag=True, help="Hanya periksa; tidak menyimpan apa pun.")
def import_(path: Path, mappings: tuple[str, ...], partial: bool, dry_run: bool) -> None:
    """Impor aduan yang dikumpulkan manual dari berkas CSV atau XLSX.

    Semua baris diperiksa dulu. Tanpa --partial, satu baris salah membatalkan seluruh berkas.
    Mengimpor berkas yang sama lagi tidak menambah apa pun.
    """
    from collectors.manual import guess_mapping, manual_source, parse_rows, read_table
    from collectors.store import store_items
    from models.base import utcnow
    from pipeline.process import process_new_items

    overrides = {}
    for pair in mappings:
        name, sep, column = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"format --map adalah FIELD=KOLOM, bukan {pair!r}")
        overrides[name.strip()] = column
    try:
        header, rows = read_table(path)
        mapping = guess_mapping(header, overrides)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    report = parse_rows(header, rows, mapping, file_name=path.name)
    for error in report.errors:
        click.echo(f"  baris {error.row}: {error.message}", err=True)
    click.echo(
        f"{report.rows} baris dibaca: {len(report.items)} valid, {len(report.errors)} salah."
    )
    if report.errors and not partial:
        raise click.ClickException(
            "tidak ada yang disimpan karena ada baris salah; perbaiki berkasnya atau pakai "
            "--partial untuk menyimpan baris yang valid saja"
        )
    if dry_run:
        click.echo("Uji coba (--dry-run): tidak ada yang disimpan.")
        return
    now = utcnow()
    with session_scope() as session:
        source_id = manual_source(session)
        stored = store_items(session, source_id, report.items, now=now)
        processed = process_new_items(
            session, stored.new_ids, model_dir=get_settings().resolved_model_dir, now=now
        )
    click.echo(
        f"Tersimpan: {len(stored.new_ids)} aduan baru, {stored.duplicates} sudah ada sebelumnya, "
        f"{processed.tagged} diberi label. Lihat: aduan queue list"
    )
