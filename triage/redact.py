"""Personal data in complaint text (NIK, phone numbers, e-mail addresses) is hidden
before a complaint is forwarded to an SKPD. The admin sees what will be hidden first."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Redaction", "RedactionResult", "redact"]

# A NIK or KK number: 16 digits, sometimes written in groups ("6371 0123 4567 0001").
_NIK = re.compile(r"(?<![\w.])\d{4}[ .-]?\d{4}[ .-]?\d{4}[ .-]?\d{4}(?![\w])")
# Indonesian mobile and fixed numbers: +62 / 62 / 0, then 8-13 more digits in groups.
_PHONE = re.compile(r"(?<![\w+(])\(?(?:\+62|62|0)[ .-]?\(?\d{2,4}\)?(?:[ .-]?\d{2,5}){2,4}(?!\w)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

_KINDS = (
    ("email", _EMAIL, "[email disamarkan]"),
    ("nik", _NIK, "[NIK disamarkan]"),
    ("phone", _PHONE, "[nomor telepon disamarkan]"),
)
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


def redact(text: str) -> RedactionResult:
    """The text with personal data replaced, and what was replaced (spans in ``text``)."""
    found: list[Redaction] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, _ in _KINDS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if kind == "nik" and _digits(m.group()) != 16:
                continue
            if kind == "phone" and not 9 <= _digits(m.group()) <= 14:
                continue
            found.append(Redaction(kind, m.start(), m.end(), m.group()))
            taken.append((m.start(), m.end()))
    found.sort(key=lambda r: r.start)
    replacement = {kind: rep for kind, _, rep in _KINDS}
    out: list[str] = []
    pos = 0
    for r in found:
        out.append(text[pos : r.start])
        out.append(replacement[r.kind])
        pos = r.end
    out.append(text[pos:])
    return RedactionResult(text="".join(out), found=tuple(found))
