"""Personal data in text: NIK/KK numbers, phone numbers and e-mail addresses.

The one place in aduan that knows what personal data looks like. The triage web app
hides it before a complaint is forwarded (``redact``: readable Indonesian markers, with
the spans so the admin sees what will be hidden); the classifier replaces it with
placeholder tokens (``replace_personal_data``) so a phone number never becomes a feature.

Phone numbers are recognised by Google's libphonenumber metadata (``phonenumbers``,
default region ID): a number is hidden only when it is a valid Indonesian (or, written
with ``+``, international) number, so a bank account, an invoice or a budget figure is
left alone. A cheap digit-run test skips the matcher for the many texts with no long
number in them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

__all__ = ["LABELS", "Redaction", "RedactionResult", "find_personal_data", "redact",
           "replace_personal_data"]  # fmt: skip

# A NIK or KK number: 16 digits, sometimes written in groups ("6371 0123 4567 0001").
_NIK = re.compile(r"(?<![\w.])\d{4}[ .-]?\d{4}[ .-]?\d{4}[ .-]?\d{4}(?![\w])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Only texts with eight or more digits in one run (separators allowed) can hold a phone
# number; the others skip libphonenumber's matcher, which is slow.
_LONG_NUMBER = re.compile(r"\d(?:[ ().-]{0,2}\d){7,}")

MARKERS = {
    "email": "[email disamarkan]",
    "nik": "[NIK disamarkan]",
    "phone": "[nomor telepon disamarkan]",
}
TOKENS = {"email": " _email_ ", "nik": " _nik_ ", "phone": " _telp_ "}
LABELS = {"email": "alamat email", "nik": "NIK/nomor KK", "phone": "nomor telepon"}


@dataclass(frozen=True, slots=True)
class Redaction:
    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class RedactionResult:
    text: str
    found: tuple[Redaction, ...]

    @property
    def changed(self) -> bool:
        return bool(self.found)


def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def _phones(text: str) -> list[tuple[int, int]]:
    """Valid phone numbers (call only for texts with a long digit run: the matcher is slow)."""
    return [
        (m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(text, "ID", leniency=phonenumbers.Leniency.VALID)
    ]


def find_personal_data(text: str) -> list[Redaction]:
    """Spans of personal data in ``text``, in order, none overlapping."""
    spans: list[tuple[str, int, int]] = []
    if "@" in text:
        spans += [("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    if _LONG_NUMBER.search(text):  # a NIK and a phone number both need a long digit run
        spans += [
            ("nik", m.start(), m.end()) for m in _NIK.finditer(text) if _digits(m.group()) == 16
        ]
        spans += [("phone", s, e) for s, e in _phones(text)]
    found: list[Redaction] = []
    taken: list[tuple[int, int]] = []
    for kind, start, end in spans:  # e-mail first, then NIK, then phone wins the overlap
        if any(start < e and s < end for s, e in taken):
            continue
        found.append(Redaction(kind, start, end, text[start:end]))
        taken.append((start, end))
    found.sort(key=lambda r: r.start)
    return found


def _replace(text: str, found: list[Redaction], replacements: dict[str, str]) -> str:
    out: list[str] = []
    pos = 0
    for r in found:
        out.append(text[pos : r.start])
        out.append(replacements[r.kind])
        pos = r.end
    out.append(text[pos:])
    return "".join(out)


def redact(text: str) -> RedactionResult:
    """The text with personal data replaced by markers, and what was replaced."""
    found = find_personal_data(text)
    return RedactionResult(text=_replace(text, found, MARKERS), found=tuple(found))


def replace_personal_data(text: str) -> str:
    """The text with personal data replaced by classifier tokens (``_telp_``, ...)."""
    found = find_personal_data(text)
    return _replace(text, found, TOKENS) if found else text
