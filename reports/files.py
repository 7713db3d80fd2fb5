"""Report files: XLSX (one sheet per table, with native Excel charts), CSV, Markdown and a
standalone HTML page (charts inline as SVG). Every format carries the caveat."""

from __future__ import annotations

import csv
import io
from datetime import tzinfo
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from reports.build import Report
from reports.charts import CHARTS, render_chart
from reports.tables import Pct, Table, report_tables

__all__ = ["FORMATS", "render_report", "write_report"]

FORMATS = ("xlsx", "csv", "html", "md")
TEMPLATES = Path(__file__).resolve().parent / "templates"


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, Pct):
        return f"{100 * value:.1f}%".replace(".", ",")
    return str(value)


def _title(report: Report) -> str:
    return f"Laporan aduan {report.period.label} — {report.scope_label}"


def to_markdown(report: Report, tables: list[Table], tz: tzinfo) -> str:
    def cell(value: Any) -> str:
        return _text(value).replace("|", "\\|").replace("\n", " ")

    lines = [f"# {_title(report)}", "", f"> {report.caveat}", ""]
    lines.append(f"Dibuat {report.generated_at.astimezone(tz):%Y-%m-%d %H:%M} WITA.")
    for table in tables:
        lines += ["", f"## {table.title}", ""]
        if table.note:
            lines += [table.note, ""]
        lines.append("| " + " | ".join(table.headers) + " |")
        lines.append("|" + "---|" * len(table.headers))
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.rows]
        if not table.rows:
            lines.append("| " + " | ".join(["-"] * len(table.headers)) + " |")
    return "\n".join(lines) + "\n"


def to_csv(report: Report, tables: list[Table]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_title(report)])
    writer.writerow([report.caveat])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow(
                ["" if v is None else round(v, 4) if isinstance(v, Pct) else v for v in row]
            )
    return out.getvalue()


def to_html(report: Report, tables: list[Table], tz: tzinfo) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["sel"] = _text
    charts = []
    for name, (_, alt) in CHARTS.items():
        svg = render_chart(report, name).decode("utf-8")
        charts.append((alt, svg[svg.index("<svg") :]))
    return env.get_template("report_standalone.html").render(
        report=report, title=_title(report), tables=tables, charts=charts, tz=tz
    )


SHEETS = {
    "ringkasan": "Ringkasan",
    "topik": "Per topik",
    "skpd": "Per SKPD",
    "wilayah": "Per kabupaten-kota",
    "berulang": "Masalah berulang",
    "lonjakan": "Lonjakan",
    "tl-skpd": "Tindak lanjut SKPD",
    "tl-wilayah": "Tindak lanjut kabupaten-kota",
    "tl-provinsi": "Tindak lanjut provinsi",
    "tren": "Tren",
}

_CHART_SPECS = {  # sheet key -> (kind, value column, title)
    "topik": ("bar", 2, "Item relevan per topik"),
    "tl-skpd": ("bar", 4, "% ditindaklanjuti per SKPD"),
    "tl-wilayah": ("bar", 4, "% ditindaklanjuti per kabupaten/kota"),
    "tren": ("line", 2, "Tren item relevan dan aduan"),
}


def _sheet(ws: Worksheet, table: Table, caveat: str) -> None:
    ws.append([table.title])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([table.note or caveat])
    ws.append(list(table.headers))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in table.rows:
        ws.append(row)
        for cell, value in zip(ws[ws.max_row], row, strict=True):
            if isinstance(value, Pct):
                cell.number_format = "0.0%"
    for i, header in enumerate(table.headers, 1):
        ws.column_dimensions[ws.cell(3, i).column_letter].width = max(12, min(45, len(header) + 4))
    spec = _CHART_SPECS.get(table.key)
    if spec and table.rows:
        kind, column, title = spec
        chart: Any = BarChart() if kind == "bar" else LineChart()
        if kind == "bar":
            chart.type = "bar"
        last = 3 + len(table.rows)
        values = Reference(
            ws,
            min_col=column,
            max_col=column + (1 if kind == "line" else 0),
            min_row=3,
            max_row=last,
        )
        label_col = 1 if table.key in ("topik", "tren") else 2
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=label_col, min_row=4, max_row=last))
        chart.title = title
        chart.height, chart.width = max(7, 0.6 * len(table.rows)), 18
        ws.add_chart(chart, f"A{last + 3}")


def to_xlsx(report: Report, tables: list[Table]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        _sheet(wb.create_sheet(SHEETS.get(table.key, table.key)[:31]), table, report.caveat)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def render_report(report: Report, fmt: str, tz: tzinfo) -> bytes:
    tables = report_tables(report, tz)
    if fmt == "xlsx":
        return to_xlsx(report, tables)
    if fmt == "csv":
        return to_csv(report, tables).encode("utf-8-sig")  # Excel reads UTF-8 with a BOM
    if fmt == "html":
        return to_html(report, tables, tz).encode("utf-8")
    if fmt == "md":
        return to_markdown(report, tables, tz).encode("utf-8")
    raise ValueError(f"format laporan '{fmt}' tidak dikenal; pilih {', '.join(FORMATS)}")


def write_report(report: Report, fmt: str, path: Path, tz: tzinfo) -> Path:
    """Write atomically: a reader never sees half a file."""
    data = render_report(report, fmt, tz)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
