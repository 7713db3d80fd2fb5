"""``aduan ingest`` and ``aduan import``: collection runs and manual intake."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from aduan.cli._common import cli, echo_table
from aduan.db import session_scope
from aduan.progress import Progress, format_seconds
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
        with local_prefect_server(settings, preload=["flows.ingest"]):
            from flows.ingest import ingest as ingest_flow

            report = ingest_flow(source_names=list(sources) or None)
    except PrefectServerError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    from models.enums import SourceKind, SourceRunStatus

    rows = [
        [
            s["source_name"],
            SourceKind(s["kind"]).label,
            SourceRunStatus(s["status"]).label,
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
        f"Selesai dalam {format_seconds(report['seconds'])}: {report['new']} item baru, "
        f"{report['tagged']} diberi label, {report['errors']} galat."
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
    from models.base import utcnow
    from pipeline.importer import check_file, import_file

    overrides = {}
    for pair in mappings:
        name, sep, column = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"format --map adalah FIELD=KOLOM, bukan {pair!r}")
        overrides[name.strip()] = column
    try:
        report = check_file(path, overrides)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    for error in report.errors:
        click.echo(f"  baris {error.row}: {error.message}", err=True)
    if report.error_count > len(report.errors):
        click.echo(
            f"  ... dan {report.error_count - len(report.errors)} baris salah lagi", err=True
        )
    click.echo(f"{report.rows} baris dibaca: {report.valid} valid, {report.error_count} salah.")
    if report.error_count and not partial:
        raise click.ClickException(
            "tidak ada yang disimpan karena ada baris salah; perbaiki berkasnya atau pakai "
            "--partial untuk menyimpan baris yang valid saja"
        )
    if dry_run:
        click.echo("Uji coba (--dry-run): tidak ada yang disimpan.")
        return
    started = time.monotonic()

    def progress(label: str, total: int | None) -> Progress:
        return Progress(label, total, log=lambda line: click.echo(f"  {line}", err=True))

    try:
        with session_scope() as session:
            outcome = import_file(
                session,
                path,
                report.mapping,
                model_dir=get_settings().resolved_model_dir,
                now=utcnow(),
                progress=progress,
            )
    except ValueError as exc:  # the file changed between the check and the import
        raise click.ClickException(f"tidak ada yang disimpan: {exc}") from exc
    click.echo(
        f"Tersimpan dalam {format_seconds(time.monotonic() - started)}: {outcome.new} aduan "
        f"baru, {outcome.already_stored} sudah ada sebelumnya, {outcome.tagged} diberi label. "
        "Lihat: aduan queue list"
    )
