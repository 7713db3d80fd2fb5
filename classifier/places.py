"""The place a post is about, as a key that two reports of the same spot share.

A place key is a normalised road, landmark or facility name found in the text:
"Jl. A. Yani Km 14" and "jalan a yani km.14" are both ``jalan a yani km 14``;
"Jembatan Desa Sungai Tabuk" is ``jembatan desa sungai tabuk``; "Puskesmas Amuntai" is
``puskesmas amuntai``. The kabupaten/kota and kecamatan are not part of the string: they
come from the region suggestion and the gazetteer and are stored beside it, so a report
that names the kecamatan and one that does not still meet (see docs/decisions.md).

Names are taken word by word after the kind ("jalan", "jembatan", ...) and stop at
punctuation, at a common word ("rusak", "di", "sudah", ...) or after four words; a kind
followed only by common words ("jalan rusak", "jembatan di desa") names no place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Place", "find_place"]

#: What a place key may be called, and the spelling it is normalised to.
_KINDS = {
    "jl": "jalan",
    "jln": "jalan",
    "jalan": "jalan",
    "gang": "gang",
    "gg": "gang",
    "jembatan": "jembatan",
    "titian": "titian",
    "puskesmas": "puskesmas",
    "pustu": "pustu",
    "rsud": "rsud",
    "pasar": "pasar",
    "terminal": "terminal",
    "pelabuhan": "pelabuhan",
    "dermaga": "dermaga",
    "taman": "taman",
    "bendungan": "bendungan",
    "stadion": "stadion",
    "bandara": "bandara",
    "tpa": "tpa",
    "tps": "tps",
    "sdn": "sdn",
    "smpn": "smpn",
    "sman": "sman",
    "smkn": "smkn",
    "sd negeri": "sdn",
    "smp negeri": "smpn",
    "sma negeri": "sman",
    "smk negeri": "smkn",
    "kantor kecamatan": "kantor kecamatan",
    "kantor desa": "kantor desa",
    "desa": "desa",
    "kelurahan": "kelurahan",
}

#: Words that end a name (or, right after the kind, mean the kind names no place).
_STOP = frozenset(
    [
        "di",
        "ke",
        "dari",
        "yang",
        "dan",
        "atau",
        "dengan",
        "untuk",
        "pada",
        "oleh",
        "karena",
        "sejak",
        "hingga",
        "sampai",
        "menuju",
        "arah",
        "dekat",
        "depan",
        "belakang",
        "samping",
        "sekitar",
        "antara",
        "ini",
        "itu",
        "tersebut",
        "sana",
        "sini",
        "sudah",
        "telah",
        "masih",
        "belum",
        "tidak",
        "tak",
        "gak",
        "nggak",
        "ga",
        "bukan",
        "jangan",
        "sangat",
        "banget",
        "sekali",
        "rusak",
        "berlubang",
        "lubang",
        "licin",
        "becek",
        "banjir",
        "macet",
        "gelap",
        "mati",
        "putus",
        "ambruk",
        "roboh",
        "amblas",
        "retak",
        "longsor",
        "parah",
        "tergenang",
        "terendam",
        "kotor",
        "bau",
        "penuh",
        "sepi",
        "ramai",
        "bocor",
        "antri",
        "antre",
        "sering",
        "lagi",
        "terus",
        "kok",
        "dong",
        "nih",
        "sih",
        "lho",
        "ya",
        "juga",
        "pun",
        "lah",
        "mohon",
        "tolong",
        "minta",
        "segera",
        "harap",
        "pak",
        "bu",
        "bapak",
        "ibu",
        "warga",
        "kami",
        "kita",
        "saya",
        "aku",
        "ada",
        "adalah",
        "jadi",
        "bisa",
        "akan",
        "mau",
        "perlu",
        "harus",
        "agar",
        "supaya",
        "biar",
        "umum",
        "utama",
        "raya",
        "poros",
        "nasional",
        "provinsi",
        "kabupaten",
        "kota",
        "lingkar",
        "penghubung",
        "setapak",
        "tanah",
        "aspal",
        "beton",
        "kayu",
        "besi",
        "gantung",
        "yg",
        "dgn",
        "utk",
        "tdk",
        "sdh",
        "blm",
        "krn",
        "dr",
    ]
)
_GENERIC_AFTER_KIND = frozenset({"desa", "kampung", "kelurahan"})

_KIND_PATTERN = "|".join(
    re.escape(k).replace(r"\ ", r"\s+") for k in sorted(_KINDS, key=len, reverse=True)
)
_START = re.compile(rf"(?<![\w-])({_KIND_PATTERN})\.?(?![\w-])\s*", re.IGNORECASE)
_WORD = re.compile(r"([A-Za-z][A-Za-z']*\.?|\d+[A-Za-z]?)(?=[\s,;:!?()/]|$)\s*")
_KM = re.compile(r"km\.?\s*(\d+(?:[.,]\d+)?)", re.IGNORECASE)
_MAX_WORDS = 4


@dataclass(frozen=True, slots=True)
class Place:
    key: str  # "jalan a yani km 14"
    start: int
    end: int


def _name_words(text: str, pos: int) -> tuple[list[str], int]:
    words: list[str] = []
    end = pos
    capitalised = False
    while len(words) < _MAX_WORDS:
        km = _KM.match(text, pos)
        if km and words:
            words.append("km " + km.group(1).replace(",", "."))
            end = km.end()
            break
        match = _WORD.match(text, pos)
        if not match:
            break
        raw = match.group(1)
        word = raw.rstrip(".").lower()
        if word in _STOP or (len(word) > 5 and word.endswith("nya")):
            break
        if words and capitalised and raw[0].islower():
            break  # "Pasar Baru Banjarmasin banjir": the name is the capitalised words
        if not words:
            capitalised = not raw[0].islower()
        words.append(word)
        end = pos + len(match.group(1))
        pos = match.end()
        if match.group(1).endswith(".") and len(word) > 2:
            break  # "Jl. Veteran. Mohon..." : a full stop after a word ends the sentence
    return words, end


def find_place(text: str) -> Place | None:
    """The first named road, landmark or facility in ``text`` (None when there is none)."""
    for match in _START.finditer(text):
        kind = _KINDS[" ".join(match.group(1).lower().split())]
        words, end = _name_words(text, match.end())
        if not words or (len(words) == 1 and words[0] in _GENERIC_AFTER_KIND):
            continue
        if words[0].isdigit() and kind == "jalan":
            continue  # "jalan 2 km" is a distance, not a road
        return Place(" ".join([kind, *words]), match.start(), end)
    return None
