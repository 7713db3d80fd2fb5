"""The report as plain tables (title, headers, rows of numbers and text): what every file
format writes, so a figure reads the same in XLSX, CSV, Markdown and HTML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from reports.build import Report
from reports.performance import Performance
from reports.spikes import describe_p
from reports.topics import Breakdown

__all__ = ["Pct", "Table", "report_tables"]


class Pct(float):
    """A share in 0..1 that files show as a percentage."""


@dataclass(frozen=True, slots=True)
class Table:
    key: str  # sheet / anchor name
    title: str
    headers: tuple[str, ...]
    rows: list[list[Any]]
    note: str = ""


def _pct(part: int | float | None, whole: int | float | None) -> Pct | None:
    return Pct(part / whole) if part is not None and whole else None


def _breakdown(key: str, title: str, first: str, rows: list[Breakdown]) -> Table:
    return Table(
        key,
        title,
        (
            first,
            "Item relevan",
            "Penulis/sumber berbeda",
            "Porsi item",
            "Periode sebelumnya",
            "Perubahan",
            "Aduan dikonfirmasi",
            "Aduan periode sebelumnya",
        ),
        [
            [
                r.name,
                r.items,
                r.reporters,
                Pct(r.share) if r.share is not None else None,
                r.items_prev,
                r.change,
                r.complaints,
                r.complaints_prev,
            ]
            for r in rows
        ],
    )


def _performance(key: str, title: str, first: str, rows: list[Performance], tz: tzinfo) -> Table:
    def since(p: Performance) -> str:
        return p.since.astimezone(tz).strftime("%Y-%m-%d") if p.since else ""

    return Table(
        key,
        title,
        (
            "Peringkat",
            first,
            "Diteruskan (n)",
            "% ditindaklanjuti",
            "% selesai",
            "% dalam proses",
            "Median hari kerja ke tindak lanjut pertama",
            "P90 hari kerja",
            "Tenggat sudah lewat",
            "% tepat waktu",
            "Batas bawah Wilson",
            "Terlambat sekarang",
            "Selesai tapi terlambat",
            "Dihitung sejak",
        ),
        [
            [
                p.rank if p.rank is not None else "belum diperingkat",
                p.name,
                p.n,
                _pct(p.followed, p.n),
                _pct(p.done, p.n),
                _pct(p.in_progress, p.n),
                p.median_days,
                p.p90_days,
                p.due_passed,
                _pct(p.on_time, p.due_passed),
                Pct(p.wilson) if p.wilson is not None else None,
                p.overdue,
                p.late_done,
                since(p),
            ]
            for p in rows
        ],
        "Peringkat dari n >= 10 aduan dengan tenggat yang sudah lewat, diurutkan dari batas "
        "bawah Wilson (95%) persentase tepat waktu yang terendah.",
    )


def report_tables(report: Report, tz: tzinfo) -> list[Table]:
    def day(value: datetime) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%d")

    head = report.headline()
    summary = Table(
        "ringkasan",
        "Ringkasan",
        ("Ukuran", "Nilai"),
        [["Periode", report.period.label], ["Cakupan", report.scope_label]]
        + [[k, Pct(v) if k.startswith("%") and v is not None else v] for k, v in head.items()]
        + [["Penulis/sumber berbeda", report.reporters]],
        report.caveat,
    )
    return [
        summary,
        _breakdown("topik", "Per topik", "Topik", report.topics),
        _breakdown("skpd", "Per SKPD", "SKPD", report.agencies),
        _breakdown("wilayah", "Per kabupaten/kota", "Kabupaten/kota", report.regions),
        Table(
            "berulang",
            "Masalah berulang (60 hari terakhir)",
            (
                "Topik",
                "Kabupaten/kota",
                "Kecamatan",
                "Tempat",
                "Laporan",
                "Item",
                "Penulis/sumber berbeda",
                "Sumber",
                "Nama sumber",
                "Minggu",
                "Pertama",
                "Terakhir",
                "Aduan",
                "Status aduan",
                "Kambuh",
            ),
            [
                [
                    g.topic_label,
                    g.region,
                    g.district or "",
                    g.place_key,
                    g.reports,
                    g.items,
                    g.reporters,
                    g.sources,
                    ", ".join(g.source_names),
                    g.weeks,
                    day(g.first),
                    day(g.last),
                    g.complaint_number or "",
                    g.status.label if g.status else "belum jadi aduan",
                    "kambuh" if g.kambuh else "",
                ]
                for g in report.recurring
            ],
            ">= 3 laporan (klaster) dari >= 2 penulis/sumber dalam >= 2 minggu berbeda.",
        ),
        Table(
            "lonjakan",
            "Lonjakan (7 hari terakhir dibanding 8 minggu sebelumnya)",
            (
                "Topik",
                "Kabupaten/kota",
                "7 hari terakhir",
                "Rata-rata per minggu",
                "Simpangan baku",
                "Ambang",
                "Peluang Poisson",
            ),
            [
                [
                    s.topic_label,
                    s.region,
                    s.observed,
                    round(s.expected, 2),
                    round(s.sd, 2),
                    round(s.threshold, 2),
                    describe_p(s.p_value),
                ]
                for s in report.spikes
            ],
        ),
        _performance("tl-skpd", "Tindak lanjut per SKPD", "SKPD", report.follow_agency, tz),
        _performance(
            "tl-wilayah",
            "Tindak lanjut per kabupaten/kota",
            "Kabupaten/kota",
            report.follow_region,
            tz,
        ),
        _performance(
            "tl-provinsi", "Tindak lanjut seluruh provinsi", "Cakupan", report.follow_province, tz
        ),
        Table(
            "tren",
            "Tren",
            ("Periode", "Item relevan", "Aduan dikonfirmasi"),
            [list(t) for t in report.trend],
        ),
    ]
