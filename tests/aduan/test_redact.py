"""Personal data is found and replaced; ordinary numbers (bank accounts, budgets,
dates, letter numbers) are left alone — the same rules for the web app and the classifier."""

from __future__ import annotations

import pytest

from aduan.redact import redact, replace_personal_data
from classifier.normalize import normalize_text


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
        "sudah transfer ke rekening BRI 0023 0101 2345 507 tapi belum diproses",
        "rekening Mandiri 1234567890123 atas nama dinas",
        "nomor tagihan PDAM 1200345678 bulan ini naik",
    ],
)
def test_ordinary_numbers_stay(text: str) -> None:
    result = redact(text)
    assert result.text == text and not result.changed


def test_phone_numbers_are_validated_not_guessed() -> None:
    # 11 digits after 0 with a mobile prefix is a number; the same digits after 1 are not.
    assert [r.kind for r in redact("hp 08123456789").found] == ["phone"]
    assert not redact("rek 18123456789").changed


def test_classifier_and_web_app_hide_the_same_things() -> None:
    text = "NIK 6371012345670001 hp 0812-3456-7890 mail a.b@c.id, rekening 1234567890123"
    assert [r.kind for r in redact(text).found] == ["nik", "phone", "email"]
    tokens = normalize_text(text).split()
    assert {"_nik_", "_telp_", "_email_"} <= set(tokens)
    assert "_num_" in tokens  # the account number is an ordinary number
    assert replace_personal_data("tanpa data pribadi") == "tanpa data pribadi"
