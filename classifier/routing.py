"""Routing: explicit agency mention (wins), else the topic's function in the detected
region -> a concrete SKPD of that region and level."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.mentions import Mention
from models.agency import DISTRICT_OFFICE_SUFFIX, Agency, AgencyFunction
from models.enums import AgencyLevel, RegionLevel
from models.region import Region

__all__ = ["RegionGuess", "Route", "Router"]


@dataclass(frozen=True, slots=True)
class RegionGuess:
    region_id: int | None
    confidence: float
    reason: str
    #: Taken from a hint outside the post's text (an X author's profile location).
    hinted: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    agency_id: int | None
    confidence: float
    reason: str
    #: "named": the post names this agency (a name only it has); "named_in_region": a name
    #: several governments' agencies share ("Dishub"), this one for the detected region;
    #: "function": the urusan's SKPD in the detected region; "province": the urusan's
    #: provincial SKPD, for want of a region (a guess).
    basis: str = "function"


class Router:
    """Reference data for routing, read once per run (a few hundred rows)."""

    def __init__(self, session: Session) -> None:
        regions = list(session.scalars(select(Region)))
        self.regions = {r.id: r for r in regions}
        self.province_id = next((r.id for r in regions if r.level is RegionLevel.PROVINCE), None)
        self.agencies = {a.id: a for a in session.scalars(select(Agency).where(Agency.active))}
        #: Kecamatan offices by their kecamatan's code (``aduan.reference.load_district_offices``).
        self.district_offices = {
            a.code.removesuffix(DISTRICT_OFFICE_SUFFIX): a
            for a in self.agencies.values()
            if a.level is AgencyLevel.DISTRICT
        }
        self.by_function: dict[tuple[str, int], list[int]] = {}
        rows = session.execute(
            select(AgencyFunction.function, Agency.region_id, Agency.id)
            .join(Agency)
            .where(Agency.active.is_(True))
            .order_by(Agency.id)
        )
        for function, region_id, agency_id in rows:
            self.by_function.setdefault((function, region_id), []).append(agency_id)

    def _local(self, region_id: int) -> int:
        """The kabupaten/kota (or province) a region belongs to."""
        region = self.regions[region_id]
        while (
            region.level in (RegionLevel.DISTRICT, RegionLevel.VILLAGE)
            and region.parent_id is not None
        ):
            region = self.regions[region.parent_id]
        return region.id

    def detect_region(
        self,
        mentions: list[Mention],
        *,
        hint: str | None = None,
        hint_mentions: Sequence[Mention] = (),
    ) -> RegionGuess:
        """The kabupaten/kota the mentions name; for a post naming none, the one of
        ``hint`` (whose mentions are ``hint_mentions``) if it names a single one."""
        guess = self._from_mentions(mentions)
        if guess.region_id is None and hint:
            return self._from_hint(hint_mentions, hint) or guess
        return guess

    def _from_mentions(self, mentions: Sequence[Mention]) -> RegionGuess:
        counts: dict[int, float] = defaultdict(float)
        said: dict[int, str] = {}  # how the post first named each kabupaten/kota
        for m in mentions:  # "Martapura" is a kecamatan and the seat of Kab. Banjar: one place
            if m.kind in ("region", "landmark"):
                places = {self._local(ref) for ref in m.refs}
                if len(places) == 1:
                    place = places.pop()
                    counts[place] += self._weight(m)
                    said.setdefault(place, m.text)
        for m in mentions:  # an agency short name like "Dishub Banjarbaru" names a place too
            if m.kind == "agency" and len(m.refs) == 1:
                agency = self.agencies.get(m.refs[0])
                if agency is not None and agency.region_id != self.province_id:
                    counts[agency.region_id] += 1
        local = {rid: n for rid, n in counts.items() if rid != self.province_id}
        if local:
            best = max(local, key=local.__getitem__)  # the first named wins a tie
            hits = local[best]
            share = hits / sum(local.values())
            name = self.regions[best].name
            return RegionGuess(best, round(0.5 + 0.45 * share, 3), _named(name, said.get(best)))
        if counts:
            return RegionGuess(self.province_id, 0.5, "hanya menyebut provinsi")
        return RegionGuess(None, 0.0, "tidak ada wilayah disebut")

    def _from_hint(self, mentions: Sequence[Mention], hint: str) -> RegionGuess | None:
        """A kabupaten/kota from a hint outside the post's text (the location an X author
        gives in their profile); a hint, so at half confidence, and None when it names no
        single kabupaten/kota."""
        guess = self._from_mentions(mentions)
        if guess.region_id is None or guess.region_id == self.province_id:
            return None
        said = " ".join(hint.split())[:60]
        return RegionGuess(guess.region_id, 0.5, f"lokasi di profil penulis: {said}", True)

    def district_office(self, mentions: list[Mention]) -> Agency | None:
        """The office of the kecamatan a post names (itself, or through a desa/kelurahan in
        it), when the official table and its offices are loaded; else None."""
        for m in mentions:
            if m.kind != "region" or len(m.refs) != 1:
                continue
            region = self.regions[m.refs[0]]
            if region.level is RegionLevel.VILLAGE and region.parent_id is not None:
                region = self.regions[region.parent_id]
            if region.level is RegionLevel.DISTRICT:
                office = self.district_offices.get(region.code)
                if office is not None:
                    return office
        return None

    def local_area(self, mentions: list[Mention]) -> str | None:
        """The desa/kelurahan and kecamatan a post names, from the official table (loaded
        with ``aduan db init --wilayah``): where the local office is, e.g. "Desa Tabanio,
        Kecamatan Takisung, Kabupaten Tanah Laut". None when it names neither."""
        for m in mentions:
            if m.kind != "region" or len(m.refs) != 1:
                continue
            region = self.regions[m.refs[0]]
            if region.level not in (RegionLevel.DISTRICT, RegionLevel.VILLAGE):
                continue
            chain = [region.name]
            while region.parent_id is not None and region.level in (
                RegionLevel.DISTRICT,
                RegionLevel.VILLAGE,
            ):
                region = self.regions[region.parent_id]
                chain.append(region.name)
            return ", ".join(chain)
        return None

    def _weight(self, mention: Mention) -> float:
        """A desa/kelurahan name or a landmark counts half: they are many, and one shared
        with an ordinary word or another place slips through more easily than a
        kabupaten's."""
        if mention.kind == "landmark":
            return 0.5
        levels = {self.regions[ref].level for ref in mention.refs}
        return 0.5 if levels == {RegionLevel.VILLAGE} else 1.0

    def route(self, function: str | None, region: RegionGuess, mentions: list[Mention]) -> Route:
        explicit = [m for m in mentions if m.kind == "agency"]
        if region.region_id is not None:
            for m in explicit:  # a mention of an agency of the detected region wins
                for agency_id in m.refs:
                    if self.agencies[agency_id].region_id == region.region_id:
                        if len(m.refs) == 1:
                            return Route(agency_id, 0.9, f"menyebut '{m.text}' (langsung)", "named")
                        return Route(
                            agency_id,
                            0.9,
                            f"menyebut '{m.text}' (di wilayah terdeteksi)",
                            "named_in_region",
                        )
        if region.region_id in (None, self.province_id):
            for m in explicit:  # no local region known: an unambiguous name decides
                if len(m.refs) == 1:
                    return Route(m.refs[0], 0.8, f"menyebut langsung '{m.text}'", "named")
        # "Dishub" with no region: one of fourteen; the urusan's SKPD below, as a guess.
        if function is None:
            return Route(None, 0.0, "fungsi tidak diketahui", "none")
        if region.region_id is not None:
            candidates = self.by_function.get((function, region.region_id))
            if candidates:
                return Route(candidates[0], 0.6, f"fungsi '{function}' di wilayah terdeteksi")
        fallback = self.by_function.get((function, self.province_id or -1))
        if fallback:
            return Route(fallback[0], 0.4, f"fungsi '{function}' di tingkat provinsi", "province")
        return Route(None, 0.0, f"tidak ada SKPD untuk fungsi '{function}'", "none")


def _named(region_name: str, said: str | None) -> str:
    """The reason shown for a region guess: the kabupaten/kota, and how the post named it
    when not by that name ("menyebut Duta Mall (Kota Banjarmasin)")."""
    text = " ".join((said or "").split())
    if not text or text.casefold() in region_name.casefold():
        return f"menyebut {region_name}"
    return f"menyebut {text} ({region_name})"
