"""``aduan report``: the topic, recurring-issue, spike and follow-up report as a file."""

from __future__ import annotations

from pathlib import Path

import click

from aduan.cli._common import cli
from aduan.db import session_scope
from aduan.settings import get_settings


@cli.command("report")
@click.option(
    "--period",
    "period_code",
    required=True,
    help="YYYY-MM (2026-11), YYYY-Www (2026-W48) atau YYYY-MM-DD..YYYY-MM-DD, waktu WITA.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv", "html", "md"]),
    default="xlsx",
    show_default=True,
)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--kabupaten", default=None, help="Hanya satu kabupaten/kota (kode, mis. 63.71).")
@click.option("--skpd", default=None, help="Hanya satu SKPD (kode, mis. 6371-pupr).")
def report(period_code: str, fmt: str, out: Path, kabupaten: str | None, skpd: str | None) -> None:
    """Tulis laporan aduan satu periode: topik, masalah berulang, lonjakan, tindak lanjut."""
    from models.base import utcnow
    from models.workdays import load_holidays
    from reports.build import ScopeError, build_report, prepare_calendar, resolve_scope
    from reports.files import write_report
    from reports.periods import PeriodError, parse_period

    settings = get_settings()
    now = utcnow()
    try:
        period = parse_period(period_code, settings.tz)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from exc
    with session_scope(write=True) as session:
        prepare_calendar(session, period, now, load_holidays(settings.holidays_file))
    with session_scope() as session:
        try:
            scope = resolve_scope(session, kabupaten, skpd)
        except ScopeError as exc:
            raise click.UsageError(str(exc)) from exc
        built = build_report(session, period, now=now, scope=scope)
    write_report(built, fmt, out, settings.tz)
    head = built.headline()
    click.echo(f"Laporan {period.label} ({built.scope_label}) ditulis ke {out}")
    click.echo(
        f"  item relevan: {head['item relevan']} | aduan: {head['aduan dikonfirmasi']} | "
        f"masalah berulang: {head['masalah berulang']} | lonjakan: {head['lonjakan']}"
    )
