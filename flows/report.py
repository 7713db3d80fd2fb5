"""The report flow: the weekly and the monthly report files, and a keyed artifact with
the headline figures (``prefect.yaml`` runs it on Monday 07:00 and on the 1st, WITA)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from aduan.db import session_scope
from aduan.settings import get_settings
from models.base import utcnow
from models.workdays import load_holidays
from reports.build import build_report, prepare_calendar
from reports.facts import ALL
from reports.files import FORMATS, write_report
from reports.periods import last_complete, parse_period

__all__ = ["report"]

ARTIFACT_KEYS = {"weekly": "laporan-mingguan", "monthly": "laporan-bulanan"}


@task(name="write-report-files", retries=1, retry_delay_seconds=30)
def write_files(
    kind: str, period_code: str | None, formats: list[str], out_dir: str | None
) -> dict[str, Any]:
    settings = get_settings()
    now = utcnow()
    period = (
        parse_period(period_code, settings.tz)
        if period_code
        else last_complete(kind, now, settings.tz)
    )
    with session_scope(write=True) as session:
        prepare_calendar(session, period, now, load_holidays(settings.holidays_file))
    with session_scope() as session:
        built = build_report(session, period, now=now, scope=ALL)
    folder = Path(out_dir) if out_dir else settings.data_dir / "reports"
    name = f"laporan-aduan-{period.code.replace('..', '_')}"
    files = [
        str(write_report(built, fmt, folder / f"{name}.{fmt}", settings.tz)) for fmt in formats
    ]
    return {
        "period": period.code,
        "label": period.label,
        "files": files,
        "headline": built.headline(),
        "caveat": built.caveat,
    }


def _markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# Laporan aduan {result['label']}",
        "",
        f"> {result['caveat']}",
        "",
        "| Ukuran | Nilai |",
        "|---|---|",
    ]
    for key, value in result["headline"].items():
        if isinstance(value, float):
            value = f"{100 * value:.1f}%".replace(".", ",")
        lines.append(f"| {key} | {'-' if value is None else value} |")
    lines += ["", "Berkas:", *[f"- `{f}`" for f in result["files"]]]
    return "\n".join(lines)


@flow(name="report", log_prints=False)
def report(
    kind: str = "weekly",
    period: str | None = None,
    formats: list[str] | None = None,
    out_dir: str | None = None,
) -> dict[str, Any]:
    """Write the report of the last finished week or month (or of ``period``) as files
    under ``<data dir>/reports`` and publish its headline figures as an artifact."""
    if kind not in ARTIFACT_KEYS:
        raise ValueError(f"jenis laporan '{kind}' tidak dikenal; pilih weekly atau monthly")
    chosen = formats or ["xlsx", "html", "md"]
    unknown = sorted(set(chosen) - set(FORMATS))
    if unknown:
        raise ValueError(f"format laporan tidak dikenal: {', '.join(unknown)}")
    result = write_files(kind, period, chosen, out_dir)
    create_markdown_artifact(
        key=ARTIFACT_KEYS[kind],
        markdown=_markdown(result),
        description=f"Angka utama laporan aduan {result['label']}",
    )
    get_run_logger().info("laporan %s ditulis: %s", result["label"], ", ".join(result["files"]))
    return result
