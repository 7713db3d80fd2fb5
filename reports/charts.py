"""Report charts drawn on the server with matplotlib (Agg): SVG for pages and the HTML
file, PNG for anything that wants pixels. Nothing is fetched by the browser but the
image itself, so charts work offline and under the app's Content-Security-Policy.

Text on a chart (topic and agency names) is ours or an admin's, drawn as paths: an SVG
made here carries no script and no markup from a post.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure

from reports.build import Report

__all__ = ["CHARTS", "render_chart"]

BLUE, GREEN, AMBER, GREY = "#1f5f8b", "#2e7d32", "#f0a500", "#9e9e9e"
MAX_BARS = 15

matplotlib.rcParams.update(
    {
        "svg.hashsalt": "aduan",  # the same report gives the same file
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def _short(name: str, width: int = 38) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _empty(ax: Any, text: str = "Belum ada data pada periode ini") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", color=GREY, transform=ax.transAxes)
    ax.set_axis_off()


def trend(report: Report, fig: Figure) -> None:
    ax = fig.subplots()
    labels = [t[0] for t in report.trend]
    items = [t[1] for t in report.trend]
    complaints = [t[2] for t in report.trend]
    if not any(items) and not any(complaints):
        return _empty(ax)
    xs = range(len(labels))
    ax.plot(xs, items, marker="o", color=BLUE, label="Item relevan")
    ax.plot(xs, complaints, marker="s", color=GREEN, label="Aduan dikonfirmasi")
    ax.set_xticks(list(xs), labels, rotation=45, ha="right")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)
    unit = "bulan" if report.period.kind == "month" else "minggu"
    ax.set_title(f"Tren per {unit}")
    return None


def topics(report: Report, fig: Figure) -> None:
    ax = fig.subplots()
    rows = [r for r in report.topics if r.items or r.items_prev][:MAX_BARS]
    if not rows:
        return _empty(ax)
    names = [_short(r.name) for r in rows][::-1]
    ys = range(len(rows))
    ax.barh(
        [y + 0.2 for y in ys], [r.items for r in rows][::-1], 0.4, color=BLUE, label="Periode ini"
    )
    ax.barh(
        [y - 0.2 for y in ys],
        [r.items_prev for r in rows][::-1],
        0.4,
        color=GREY,
        label="Periode sebelumnya" + (" (hari yang sama)" if report.window.running else ""),
    )
    ax.set_yticks(list(ys), names)
    fig.legend(frameon=False, loc="outside lower center", ncol=2)
    ax.set_title("Item relevan per topik")
    return None


def _rates(rows: list[Any], title: str, fig: Figure) -> None:
    ax = fig.subplots()
    rows = [r for r in rows if r.n][:MAX_BARS]
    if not rows:
        return _empty(ax, "Belum ada aduan yang diteruskan pada periode ini")
    names = [_short(f"{r.short or r.name} (n={r.n})") for r in rows][::-1]
    done = [100 * r.done / r.n for r in rows][::-1]
    progress = [100 * r.in_progress / r.n for r in rows][::-1]
    ys = list(range(len(rows)))
    ax.barh(ys, done, color=GREEN, label="% selesai")
    ax.barh(ys, progress, left=done, color=AMBER, label="% dalam proses")
    ax.set_yticks(ys, names)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% dari aduan yang diteruskan")
    fig.legend(frameon=False, loc="outside lower center", ncol=2)
    ax.set_title(title)
    return None


def follow_agency(report: Report, fig: Figure) -> None:
    return _rates(report.follow_agency, "Tindak lanjut per SKPD", fig)


def follow_region(report: Report, fig: Figure) -> None:
    return _rates(report.follow_region, "Tindak lanjut per kabupaten/kota", fig)


#: Chart name -> (drawing function, title for alt text).
CHARTS: dict[str, tuple[Callable[[Report, Figure], None], str]] = {
    "tren": (trend, "Tren item relevan dan aduan"),
    "topik": (topics, "Item relevan per topik, dibanding periode sebelumnya"),
    "tindak-lanjut-skpd": (follow_agency, "Persentase tindak lanjut per SKPD"),
    "tindak-lanjut-wilayah": (follow_region, "Persentase tindak lanjut per kabupaten/kota"),
}


def render_chart(report: Report, name: str, fmt: str = "svg") -> bytes:
    """One chart as SVG or PNG bytes; ``name`` is a key of ``CHARTS``."""
    draw, _ = CHARTS[name]
    rows = {
        "topik": len(report.topics),
        "tindak-lanjut-skpd": len(report.follow_agency),
        "tindak-lanjut-wilayah": len(report.follow_region),
    }.get(name, 6)
    height = 2.2 + 0.32 * min(max(rows, 4), MAX_BARS)
    fig = Figure(figsize=(7.5, height), layout="constrained")
    draw(report, fig)
    out = io.BytesIO()
    fig.savefig(out, format=fmt, dpi=110, metadata={"Date": None} if fmt == "svg" else None)
    return out.getvalue()
