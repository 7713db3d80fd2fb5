"""Which agencies and places a text mentions, with character spans for highlighting."""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import ahocorasick
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from aduan.settings import get_settings
from models.agency import Agency
from models.enums import AgencyLevel, RegionLevel
from models.region import Region

__all__ = [
    "Gazetteer",
    "Mention",
    "MentionKind",
    "build_gazetteer",
    "distinctive",
]

#: "landmark": a place a post names instead of its kabupaten/kota (landmarks.yaml); its
#: refs are the kabupaten/kota it lies in.
log = logging.getLogger(__name__)

MentionKind = Literal["agency", "region", "landmark"]

FUNCTION_WORDS_FILE = Path(__file__).resolve().parent / "data" / "function_words.yaml"


@dataclass(frozen=True, slots=True)
class Mention:
    kind: MentionKind
    start: int
    end: int
    text: str
    refs: tuple[int, ...]  # ids of the agencies or regions this surface form can mean


_RUNS = re.compile(r"\s{2,}|[^\S ]")  # what becomes one space


class _Offsets:
    """Where each character of a normalised text came from in the original: piecewise
    linear, so only the starts of the pieces are kept, and worked out only when a name is
    found (most texts name none)."""

    __slots__ = ("_folded", "_origins", "_starts")

    def __init__(
        self, starts: list[int] | None, origins: list[int] | None, folded: str = ""
    ) -> None:
        self._starts = starts  # position in the normalised text where a piece starts
        self._origins = origins  # where that piece starts in the original
        self._folded = folded  # the casefolded original, while the pieces are not known

    def _pieces(self) -> tuple[list[int], list[int]]:
        if self._starts is None or self._origins is None:
            starts, origins = [0], [0]
            out = done = 0
            for run in _RUNS.finditer(self._folded):
                out += run.start() - done
                starts.extend((out, out + 1))  # the space, then what follows the run
                origins.extend((run.start(), run.end()))
                out += 1
                done = run.end()
            self._starts, self._origins, self._folded = starts, origins, ""
        return self._starts, self._origins

    def __getitem__(self, index: int) -> int:
        starts, origins = self._pieces()
        piece = bisect_right(starts, index) - 1
        return origins[piece] + index - starts[piece]


def _normalise(text: str) -> tuple[str, _Offsets]:
    """``text`` casefolded with every whitespace run as one space, and for each character of
    the result the offset of the character it came from in ``text``."""
    folded = text.casefold()
    if len(folded) != len(text):  # a letter that folds into two ("ß" -> "ss"): rare
        return _normalise_slowly(text)
    return _RUNS.sub(" ", folded), _Offsets(None, None, folded)


def _normalise_slowly(text: str) -> tuple[str, _Offsets]:
    out: list[str] = []
    offsets: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not previous_space:
                out.append(" ")
                offsets.append(index)
            previous_space = True
            continue
        previous_space = False
        for part in char.casefold():
            out.append(part)
            offsets.append(index)
    # One piece per character: this path is for the rare text with such letters.
    return "".join(out), _Offsets(list(range(len(offsets))), offsets)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def name_key(name: str) -> str:
    """How a name is matched and compared: casefolded, whitespace runs as one space."""
    return " ".join(name.casefold().split())


def _word_before(folded: str, start: int) -> str:
    """The word before position ``start`` ("jl." -> "jl"), or ""."""
    before = folded[max(0, start - 40) : start].split()
    return before[-1].strip(".,:;!?()\"'") if before else ""


class Gazetteer:
    """Whole-word, case-insensitive matching of many names at once (leftmost, then longest
    match wins): one Aho-Corasick automaton over every name, however many there are."""

    def __init__(
        self,
        entries: Iterable[tuple[MentionKind, str, int]],
        *,
        not_after: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """``not_after``: name -> words after which it is not a name but a common noun
        ("lahan gambut")."""
        self._not_after = {
            name_key(name): frozenset(w.casefold() for w in words)
            for name, words in (not_after or {}).items()
        }
        refs: dict[tuple[MentionKind, str], set[int]] = defaultdict(set)
        for kind, surface, ref in entries:
            key = name_key(surface)
            if len(key) >= 2:
                refs[(kind, key)].add(ref)
        self._refs = {key: tuple(sorted(ids)) for key, ids in refs.items()}
        self._automaton = ahocorasick.Automaton()
        for _, surface in self._refs:
            self._automaton.add_word(surface, len(surface))
        if len(self._automaton):
            self._automaton.make_automaton()

    @property
    def names(self) -> dict[tuple[MentionKind, str], tuple[int, ...]]:
        """(kind, casefolded name with single spaces) -> the ids it can mean."""
        return dict(self._refs)

    def find(self, text: str) -> list[Mention]:
        if not len(self._automaton):
            return []
        folded, offsets = _normalise(text)
        candidates = []
        for last, length in self._automaton.iter(folded):
            start = last - length + 1
            if start > 0 and (_is_word(folded[start - 1]) or folded[start - 1] == "@"):
                continue
            if last + 1 < len(folded) and _is_word(folded[last + 1]):
                continue
            candidates.append((start, -length))
        if not candidates:
            return []
        candidates.sort()
        found = []
        taken_until = 0
        for start, negative_length in candidates:
            if start < taken_until:
                continue
            end = start - negative_length
            surface = folded[start:end]
            if (
                surface in self._not_after
                and _word_before(folded, start) in self._not_after[surface]
            ):
                continue
            taken_until = end
            begin = offsets[start]
            stop = offsets[end - 1] + 1
            for kind in ("agency", "region", "landmark"):
                refs = self._refs.get((kind, surface))
                if refs:
                    found.append(Mention(kind, begin, stop, text[begin:stop], refs))
        return found


PLACE_WORDS_FILE = Path(__file__).resolve().parent / "data" / "place_words.yaml"
LANDMARKS_FILE = Path(__file__).resolve().parent / "data" / "landmarks.yaml"


def _read_landmarks(path: Path) -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    places = data.get("landmarks") if isinstance(data, dict) else None
    if not isinstance(places, dict) or not all(isinstance(v, list) for v in places.values()):
        raise ValueError("harus berisi 'landmarks:' berupa kode wilayah -> daftar nama")
    return {str(code): tuple(str(n) for n in names) for code, names in places.items()}


@lru_cache(maxsize=1)
def _shipped_landmarks() -> dict[str, tuple[str, ...]]:
    return _read_landmarks(LANDMARKS_FILE)


def landmarks(extra: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Kemendagri code of a kabupaten/kota -> the landmarks that lie in it: the shipped
    ones and those of ``extra`` (``ADUAN_LANDMARKS_FILE``, read each time, so an edit
    counts from the next run; a file that cannot be read is logged and left out, the
    shipped list still counts)."""
    found = {code: list(names) for code, names in _shipped_landmarks().items()}
    if extra is not None:
        try:
            more = _read_landmarks(extra)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            log.error("berkas landmark %s tidak dipakai: %s", extra, exc)
            more = {}
        for code, names in more.items():
            found.setdefault(code, []).extend(names)
    return {code: tuple(names) for code, names in found.items()}


@lru_cache(maxsize=2)
def _data_file(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def common_readings() -> dict[str, tuple[str, ...]]:
    """Place names that are also common nouns -> the words after which they are the noun
    (place_words.yaml)."""
    readings = _data_file(PLACE_WORDS_FILE).get("common_readings") or {}
    return {str(name): tuple(str(w) for w in words) for name, words in readings.items()}


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Function words and the generic parts of place names (classifier/data)."""
    words: set[str] = set()
    for path in (FUNCTION_WORDS_FILE, PLACE_WORDS_FILE):
        words.update(str(w).casefold() for w in _data_file(path)["words"])
    return frozenset(words)


def distinctive(name: str) -> bool:
    """A place name that can stand bare in a post: one of its words is neither a common
    word nor a generic part of place names ("Takisung", "Sungai Tabuk", "Kelayan B")."""
    common = _common_words()
    return any(len(w) >= 4 and w.isalpha() and w not in common for w in name.casefold().split())


def _village_names(region: Region, reserved: set[str]) -> list[str]:
    """What a post may call a desa/kelurahan: its official name ("Desa Pakacangan") and the
    forms people write ("desa ...", "kelurahan ...", "kel. ..."); the bare name only when it
    has two words or more, is distinctive, and no kabupaten/kota or kecamatan goes by it (a
    desa called "Banjar" must not blur Kabupaten Banjar). One word alone is too often an
    ordinary word too ("Ulin" is a desa, and the ironwood every titian is made of)."""
    short = region.short_name
    names = [region.name, f"desa {short}", f"kelurahan {short}", f"kel. {short}"]
    if len(short.split()) > 1 and distinctive(short) and short.casefold() not in reserved:
        names.append(short)
    return names


def build_gazetteer(session: Session) -> Gazetteer:
    """Names, short names, aliases and handles of every agency; names of every region (a
    desa or kelurahan by the rule of ``_village_names``); the landmarks of landmarks.yaml
    whose kabupaten/kota is loaded."""
    entries: list[tuple[MentionKind, str, int]] = []
    regions = list(session.scalars(select(Region)))
    reserved: set[str] = set()
    for region in regions:
        if region.level is RegionLevel.VILLAGE:
            continue
        names = [region.name, *region.aliases]
        if region.level is not RegionLevel.DISTRICT:  # a kecamatan's bare name may be a word
            names.append(region.short_name)
        reserved.update(map(name_key, names))
        entries.extend(("region", name, region.id) for name in names)
    for region in regions:
        if region.level is RegionLevel.VILLAGE:
            entries.extend(("region", name, region.id) for name in _village_names(region, reserved))
    # Not the kecamatan offices: "Kantor Kecamatan Gambut" in a post is the local-office
    # rule's to read (classifier/local_office.py), and its words are the place's.
    agencies = select(Agency).where(Agency.active.is_(True), Agency.level != AgencyLevel.DISTRICT)
    for agency in session.scalars(agencies):
        agency_names = [agency.name, *agency.short_names, *agency.aliases, *agency.handles]
        reserved.update(map(name_key, agency_names))
        entries.extend(("agency", name, agency.id) for name in agency_names)
    # A landmark that is also an agency's or a region's name is that agency or region
    # ("RSUD Ulin" is the provincial hospital, an SKPD of the province, not a place in
    # Banjarmasin).
    by_code = {region.code: region.id for region in regions}
    for code, places in landmarks(get_settings().landmarks_file).items():
        if code in by_code:  # a deployment with another province's table has none of them
            entries.extend(
                ("landmark", place, by_code[code])
                for place in places
                if name_key(place) not in reserved
            )
    return Gazetteer(entries, not_after=common_readings())
