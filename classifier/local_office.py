"""When a complaint goes to the local office (kelurahan, desa or kecamatan): a written
policy, not a class the model learns.

In SP4N-LAPOR! data the "Kelurahan/Kecamatan" catch-all is an operator's routing choice:
the same pothole is sent to Dinas PUPR by one admin and to the kelurahan by another. A
model that learns it as a content class learns those habits, and they do not travel to
another region. So the model predicts the government function (urusan), and this rule
says, with its reason, when the local office is the better first address. Its suggestion
is always flagged for review (``kantor_lokal``): an admin decides.

The rule (Permendagri on the duties of kelurahan, desa and kecamatan, as the team reads
it for complaints):

1. The text names the office or its officials: lurah, camat, kepala desa / kades,
   pambakal (Banjar: kepala desa), perangkat or aparat desa, sekdes, "kantor/pihak/petugas
   kelurahan|desa|kecamatan", balai desa. A bare place name ("di Kecamatan Gambut") is a
   place, not the office.
2. The matter is one only those offices handle: letters of introduction or statement
   (surat pengantar, surat keterangan, keterangan domisili, SKTM), village funds and aid
   (dana desa, ADD, BLT desa, BUMDes).
3. A neighbourhood matter (jalan lingkungan/gang, selokan/parit, lampu gang, jembatan
   titian, kerja bakti, pos kamling) in a desa the text names (desa X, dusun X, kampung
   X): villages keep their own lanes and drains from the dana desa. In a city the same
   matter at a kelurahan/RT address stays with the dinas of its function.

The level is desa when the text speaks of a desa (or its head), kelurahan for kelurahan,
lurah, RT/RW, gang and komplek, kecamatan for camat / kantor kecamatan, and
"kelurahan/desa" when the text does not say (a letter, aid: where the person lives).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LocalOffice", "local_office"]

_OFFICIAL = re.compile(
    r"\b(lurah|camat|kades|kepala\s+desa|pambakal|pembakal|perangkat\s+desa|aparat\s+desa|"
    r"aparatur\s+desa|sekdes|sekretaris\s+desa|balai\s+desa|"
    r"(?:kantor|pihak|petugas|pegawai|staf|pelayanan)\s+(?:kelurahan|desa|kecamatan))\b",
    re.IGNORECASE,
)
_OFFICE_MATTER = re.compile(
    r"\b(surat\s+(?:pengantar|keterangan|domisili|tidak\s+mampu|pindah)|sktm|"
    r"keterangan\s+domisili|dana\s+desa|alokasi\s+dana\s+desa|blt[\s-]?(?:dd|desa)|bumdes)\b",
    re.IGNORECASE,
)
#: Not here, measured on the 2022 Surabaya rows (docs/decisions.md): "gang" (an address
#: word: 15% of the posts it matched went to the local office), the RT/RW head named as
#: the one who reported it (25%), "domisili" alone ("berdomisili di": where one lives).
_NEIGHBOURHOOD = re.compile(
    r"\b(jalan\s+lingkungan|jalan\s+gang|selokan|parit|got|saluran\s+lingkungan|"
    r"lampu\s+gang|jembatan\s+titian|titian|kerja\s+bakti|pos\s+kamling|siskamling|"
    r"sampah\s+warga)\b",
    re.IGNORECASE,
)
#: "Desa Sungai Tabuk", "Kelurahan Pekapuran Raya", "gang Mawar", "RT 05/RW 02": the
#: keyword in any case, the name capitalised (so that "gang di ..." is not a place).
_VILLAGE_PLACE = re.compile(
    r"\b((?i:desa|kelurahan|kel\.|dusun|kampung|gang|gg\.|komplek|kompleks|perumahan)"
    r"\s+[A-Z0-9][\w-]*(?:\s+[A-Z][a-z][\w-]*)?|(?i:rt)\.?\s*0*\d{1,3}(?:\s*/\s*(?i:rw)\.?\s*0*\d{1,3})?)"
)
#: A village (desa) builds and keeps its own lanes and drains (dana desa); in a city the
#: same matter at a kelurahan/RT address goes to the dinas (the Surabaya operators sent
#: 84% of such posts to the drainage or roads office).
_RURAL_PLACE = re.compile(r"(?i:desa|dusun|kampung)\b")
_DESA = re.compile(r"\b(desa|dusun|kades|pambakal|pembakal|sekdes|bumdes)\b", re.IGNORECASE)
_KELURAHAN = re.compile(
    r"\b(kelurahan|kel\.|lurah|rt|rw|gang|gg\.|komplek|kompleks)\b", re.IGNORECASE
)
_KECAMATAN = re.compile(r"\b(camat|kantor\s+kecamatan|pihak\s+kecamatan)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LocalOffice:
    """The local office a complaint may belong to, and why (shown to the admin)."""

    level: str  # "desa", "kelurahan", "kecamatan" or "kelurahan/desa" (not said which)
    reason: str
    place: str | None = None

    @property
    def label(self) -> str:
        where = f" ({self.place})" if self.place else ""
        return f"kantor {self.level} setempat{where}: {self.reason}"

    def as_dict(self) -> dict[str, str | None]:
        return {"level": self.level, "reason": self.reason, "place": self.place}


def _level(text: str) -> str:
    if _KECAMATAN.search(text) and not _DESA.search(text) and not _KELURAHAN.search(text):
        return "kecamatan"
    if _DESA.search(text):
        return "desa"
    if _KELURAHAN.search(text):
        return "kelurahan"
    return "kelurahan/desa"  # letters, aid: issued where the person lives


#: Any word the rule could act on; most posts have none and cost one search, on the
#: lower-cased text with a case-sensitive pattern (the patterns are lower case): three
#: times faster than the same search with IGNORECASE (0.25 s against 0.76 s on 20,000
#: bench posts, the same answers).
_ANY = re.compile("|".join(f"(?:{p.pattern})" for p in (_OFFICIAL, _OFFICE_MATTER, _NEIGHBOURHOOD)))


def local_office(text: str) -> LocalOffice | None:
    """The local office the policy above points to for ``text``, or None."""
    if not _ANY.search(text.lower()):
        return None
    place_match = _VILLAGE_PLACE.search(text)
    place = " ".join(place_match.group(0).split()) if place_match else None
    official = _OFFICIAL.search(text)
    if official:
        said = " ".join(official.group(0).split()).lower()
        return LocalOffice(_level(text), f"menyebut {said}", place)
    matter = _OFFICE_MATTER.search(text)
    if matter:
        said = " ".join(matter.group(0).split()).lower()
        return LocalOffice(_level(text), f"urusan kantor lokal ({said})", place)
    neighbourhood = _NEIGHBOURHOOD.search(text)
    if neighbourhood and place and _RURAL_PLACE.match(place):
        said = " ".join(neighbourhood.group(0).split()).lower()
        return LocalOffice(_level(text), f"urusan lingkungan ({said}) di {place}", place)
    return None
