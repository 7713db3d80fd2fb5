"""Which agencies and places a text mentions, with character spans for highlighting."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.enums import RegionLevel
from models.region import Region

__all__ = ["Gazetteer", "Mention", "build_gazetteer"]

MentionKind = Literal["agency", "region"]


@dataclass(frozen=True, slots=True)
class Mention:
    kind: MentionKind
    start: int
    end: int
    text: str
    refs: tuple[int, ...]  # ids of the agencies or regions this surface form can mean


class Gazetteer:
    """Whole-word, case-insensitive matching of many names at once (longest match wins)."""

    def __init__(self, entries: Iterable[tuple[MentionKind, str, int]]) -> None:
        refs: dict[tuple[MentionKind, str], set[int]] = defaultdict(set)
        for kind, surface, ref in entries:
            surface = " ".join(surface.split())
            if len(surface) >= 2:
                refs[(kind, surface.casefold())].add(ref)
        self._refs = {key: tuple(sorted(ids)) for key, ids in refs.items()}
        self._kind_of = {surface: kind for kind, surface in self._refs}
        surfaces = sorted({s for _, s in self._refs}, key=len, reverse=True)
        body = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in surfaces) or r"(?!)"
        self._pattern = re.compile(rf"(?<![\w@])(?:{body})(?!\w)", re.IGNORECASE)

    def find(self, text: str) -> list[Mention]:
        found = []
        for match in self._pattern.finditer(text):
            surface = " ".join(match.group(0).split()).casefold()
            for kind in ("agency", "region"):
                refs = self._refs.get((kind, surface))
                if refs:
                    found.append(Mention(kind, match.start(), match.end(), match.group(0), refs))
        return found


def build_gazetteer(session: Session) -> Gazetteer:
    """Names, short names, aliases and handles of every agency; names of every region."""
    entries: list[tuple[MentionKind, str, int]] = []
    for region in session.scalars(select(Region)):
        names = [region.name, *region.aliases]
        if region.level is not RegionLevel.DISTRICT:  # a kecamatan's bare name may be a word
            names.append(region.short_name)
        entries.extend(("region", name, region.id) for name in names)
    for agency in session.scalars(select(Agency).where(Agency.active.is_(True))):
        names = [agency.name, *agency.short_names, *agency.aliases, *agency.handles]
        entries.extend(("agency", name, agency.id) for name in names)
    return Gazetteer(entries)
