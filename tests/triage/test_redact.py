"""Personal data is found and replaced; ordinary numbers are left alone."""

from __future__ import annotations

import pytest

from triage.redact import redact


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("NIK saya 6371012345670001 mohon dibantu", ["nik"]),
        ("KK 6371 0123 4567 0001", ["nik"]),
        ("hubungi 0812-3456-7890 atau +62 812 3456 7890", ["phone", "phone"]),
        ("telepon kantor (0511) 3352 123", ["phone"]),
        ("email budi.santoso+lapor@gmail.co.id", ["email"]),
        ("WA 6281234567890, email a@b.id", ["phone", "email"]),
    ],
)
def test_personal_data_is_replaced(text: str, kinds: list[str]) -> None:
    result = redact(text)
    assert [r.kind for r in result.found] == kinds
    for r in result.found:
        assert r.text not in result.text
        assert text[r.start : r.end] == r.text


@pytest.mark.parametrize(
    "text",
    [
        "jalan rusak 200 meter sejak 2024, RT 05 RW 02",
        "anggaran Rp 1.500.000.000 untuk 12 sekolah",
        "kejadian 24/11/2026 pukul 14.30",
        "nomor surat 640/123/PUPR/2026",
    ],
)
def test_ordinary_numbers_stay(text: str) -> None:
    result = redact(text)
    assert result.text == text and not result.changed
