"""``aduan db``: schema migrations and reference data."""

from __future__ import annotations

from pathlib import Path

import click

from aduan.cli._common import cli, where
from aduan.db import get_engine, session_scope
from aduan.settings import get_settings


@cli.group()
def db() -> None:
    """Basis data: migrasi skema dan data referensi."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Jalankan migrasi Alembic sampai versi terbaru."""
    from aduan.migrate import current_revision, upgrade_database

    engine = get_engine()
    upgrade_database(engine)
    click.echo(f"Skema basis data pada revisi {current_revision(engine)} ({where(engine.url)}).")


@db.command("init")
@click.option(
    "--feeds",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Berkas YAML daftar feed (bawaan: ADUAN_FEEDS_FILE atau contoh bawaan).",
)
@click.option(
    "--wilayah",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=(
        "Tabel kode wilayah Kemendagri (CSV: kode,nama,level) untuk memuat kecamatan dan "
        "desa/kelurahan Kalsel (wilayah pos lebih sering dikenali)."
    ),
)
def db_init(feeds: Path | None, wilayah: Path | None) -> None:
    """Migrasi skema, lalu muat wilayah, daftar SKPD dan sumber. Aman diulang."""
    from aduan.migrate import upgrade_database
    from aduan.reference import (
        SAMPLE_FEEDS_FILE,
        load_agencies,
        load_district_offices,
        load_districts,
        load_regions,
        load_sources,
        load_x_source,
    )

    engine = get_engine()
    upgrade_database(engine)
    settings = get_settings()
    feeds_file = feeds or settings.feeds_file or SAMPLE_FEEDS_FILE
    with session_scope(engine) as session:
        regions = load_regions(session)
        districts = load_districts(session, wilayah) if wilayah else None
        agencies = load_agencies(session)
        offices = load_district_offices(session) if wilayah else None
        sources = load_sources(session, feeds_file)
        x_source = load_x_source(session, token_configured=settings.x_bearer_token is not None)
    click.echo(f"Basis data siap: {where(engine.url)}")
    click.echo(f"  wilayah: {regions}")
    if districts is not None:
        click.echo(f"  kecamatan dan desa/kelurahan: {districts} (dari {wilayah})")
        click.echo(f"  kantor kecamatan: {offices}")
    click.echo(f"  SKPD:    {agencies}")
    click.echo(f"  sumber:  {sources} (dari {feeds_file})")
    x_state = "aktif" if settings.x_bearer_token else "nonaktif: ADUAN_X_BEARER_TOKEN belum diisi"
    click.echo(f"  X:       {x_source} ({x_state})")
