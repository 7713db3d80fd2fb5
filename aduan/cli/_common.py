"""What the command modules share: the root group, tables, times and options."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import click

from aduan import __version__

__all__ = ["cli", "echo_table", "local_time", "model_dir_option", "where"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aduan")
def cli() -> None:
    """aduan: unggahan warga dan berita daring menjadi aduan yang ditindaklanjuti.

    Pengaturan dibaca dari variabel lingkungan ADUAN_* dan berkas .env (lihat README).
    """


def echo_table(rows: list[list[Any]], headers: list[str]) -> None:
    """A plain aligned table (for a terminal and for grep)."""
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    click.echo(line)
    click.echo("  ".join("-" * w for w in widths))
    for row in rows:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def local_time(when: datetime | None, tz: tzinfo, fmt: str = "%d-%m-%Y %H:%M %Z") -> str:
    """A UTC time as admins read it: local time (WITA)."""
    return when.astimezone(tz).strftime(fmt) if when else "-"


def where(url: Any) -> str:
    """A database URL without its password."""
    return str(url.render_as_string(hide_password=True))


model_dir_option = click.option(
    "--model-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Direktori registri model (bawaan: ADUAN_MODEL_DIR).",
)
