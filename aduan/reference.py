"""Reference data the project owns: regions, the agency registry, and the source list.

``aduan db init`` loads them; loading twice changes nothing (upsert by code/name).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.taxonomy import load_taxonomy
from collectors.x_query import build_queries
from models.agency import Agency, AgencyFunction
from models.enums import AgencyLevel, RegionLevel, SourceKind
from models.region import Region
from models.source import Source

__all__ = [
    "AGENCIES_FILE",
    "REGIONS_FILE",
    "SAMPLE_FEEDS_FILE",
    "LoadReport",
    "load_agencies",
    "load_districts",
    "load_regions",
    "load_sources",
    "load_x_source",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_FILE = DATA_DIR / "regions.csv"
AGENCIES_FILE = DATA_DIR / "agencies.yaml"
SAMPLE_FEEDS_FILE = DATA_DIR / "feeds_sample.yaml"


@dataclass(slots=True)
class LoadReport:
    created: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return f"{self.created} baru, {self.updated} diperbarui"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def load_regions(session: Session, path: Path = REGIONS_FILE) -> LoadReport:
    report = LoadReport()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {r.code: r for r in session.scalars(select(Region))}
    for row in rows:  # parents come before children in the file
        values = {
            "name": row["name"],
            "short_name": row["short_name"],
            "level": RegionLevel(row["level"]),
            "parent_id": by_code[row["parent_code"]].id if row["parent_code"] else None,
            "aliases": _split(row["aliases"]),
        }
        region = by_code.get(row["code"])
        if region is None:
            region = Region(code=row["code"], **values)
            session.add(region)
            session.flush()
            by_code[region.code] = region
            report.created += 1
        elif _apply(region, values):
            report.updated += 1
    return report


#: Kecamatan names that are also everyday words; they are not used for place detection.
AMBIGUOUS_DISTRICT_NAMES = frozenset({"tanjung", "rantau", "batu", "danau", "sungai", "pulau"})


def load_districts(session: Session, path: Path, *, province_code: str = "63") -> LoadReport:
    """Kecamatan and desa/kelurahan of the province from a Kemendagri table (CSV with
    kode, nama, level: 3 = kecamatan, 4 = desa/kelurahan).

    The project does not ship this table; point ``aduan db init --wilayah`` at the
    official one (e.g. the MIT-licensed cahyadsn/wilayah export). Villages are there to
    be recognised in posts (a post names its desa or kelurahan far more often than its
    kabupaten); a complaint's region stays its kabupaten/kota.
    """
    report = LoadReport()
    by_code = {r.code: r for r in session.scalars(select(Region))}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [
            row
            for row in csv.DictReader(handle)
            if row.get("level") in ("3", "4")
            and (row.get("kode") or "").startswith(f"{province_code}.")
            and (row.get("nama") or "").strip()
        ]
    # Kecamatan first: every desa/kelurahan hangs under one.
    for row in sorted(rows, key=lambda r: (r["level"], r["kode"])):
        code = row["kode"]
        parent = by_code.get(code.rsplit(".", 1)[0])
        if parent is None:
            continue
        name = " ".join(row["nama"].split())
        if row["level"] == "3":
            values: dict[str, Any] = {
                "name": f"Kecamatan {name}",
                "short_name": name,
                "level": RegionLevel.DISTRICT,
                "parent_id": parent.id,
                "aliases": [] if name.lower() in AMBIGUOUS_DISTRICT_NAMES else [name],
            }
        else:
            # Kemendagri numbers kelurahan 1xxx and desa 2xxx within their kecamatan.
            kind = "Kelurahan" if code.rsplit(".", 1)[1].startswith("1") else "Desa"
            values = {
                "name": f"{kind} {name}",
                "short_name": name,
                "level": RegionLevel.VILLAGE,
                "parent_id": parent.id,
                "aliases": [],  # which bare names count is the gazetteer's rule
            }
        region = by_code.get(code)
        if region is None:
            region = Region(code=code, **values)
            session.add(region)
            by_code[code] = region
            report.created += 1
        elif _apply(region, values):
            report.updated += 1
        if row["level"] == "3":
            session.flush()  # its id, for the villages under it
    session.flush()
    return report


def load_district_offices(session: Session) -> LoadReport:
    """An office (agency) per kecamatan loaded with ``load_districts``: "Kantor Kecamatan
    Gambut" of Kabupaten Banjar. The written local-office rule (classifier/local_office.py)
    proposes it for matters of the kecamatan, kelurahan or desa (the camat coordinates
    the kelurahan, and a desa's matters reach the kabupaten through the camat); officers
    of the office can then log in and follow their complaints up like any SKPD. It has no
    urusan (routing by function never picks it) and no names the mention finder looks for
    (a post that names the kecamatan names a place, not its office)."""
    report = LoadReport()
    existing = {a.code: a for a in session.scalars(select(Agency))}
    districts = session.scalars(
        select(Region).where(Region.level == RegionLevel.DISTRICT).order_by(Region.code)
    )
    for district in districts:
        if district.parent_id is None:
            continue
        values: dict[str, Any] = {
            "name": f"Kantor {district.name}",
            "short_names": [],
            "aliases": [],
            "handles": [],
            "level": AgencyLevel.DISTRICT,
            "region_id": district.parent_id,  # the complaint's region stays the kabupaten
        }
        code = Agency.district_office_code(district.code)
        office = existing.get(code)
        if office is None:
            session.add(Agency(code=code, **values))
            report.created += 1
        elif _apply(office, values):
            report.updated += 1
    session.flush()
    return report


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _agency_specs(data: dict[str, Any], regions: dict[str, Region]) -> list[dict[str, Any]]:
    province = next(r for r in regions.values() if r.level is RegionLevel.PROVINCE)
    specs = []
    for entry in data.get("provincial", []):
        specs.append(
            {
                **entry,
                "code": f"63-{entry['slug']}",
                "region": province.code,
                "level": AgencyLevel.PROVINCE,
            }
        )
    local = [r for r in regions.values() if r.level in (RegionLevel.REGENCY, RegionLevel.CITY)]
    for entry in data.get("regency_city", []):
        for region in sorted(local, key=lambda r: r.code):
            if entry.get("only") and region.code not in entry["only"]:
                continue
            fill = {"name": region.name, "short": region.short_name}
            specs.append(
                {
                    "code": f"{region.code.replace('.', '')}-{entry['slug']}",
                    "region": region.code,
                    "level": AgencyLevel.REGENCY_CITY,
                    "name": entry["name"].format(**fill),
                    "short_names": [s.format(**fill) for s in entry.get("short_names", [])],
                    "aliases": entry.get("aliases", []),
                    "handles": entry.get("handles", []),
                    "functions": entry["functions"],
                }
            )
    for entry in data.get("extra", []):
        region = regions[entry["region"]]
        level = AgencyLevel.PROVINCE if region is province else AgencyLevel.REGENCY_CITY
        specs.append({**entry, "level": level})
    return specs


def load_agencies(session: Session, path: Path = AGENCIES_FILE) -> LoadReport:
    """Upsert the agency registry; every function code must exist in the taxonomy."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    regions = {r.code: r for r in session.scalars(select(Region))}
    known_functions = set(load_taxonomy().functions)
    existing = {a.code: a for a in session.scalars(select(Agency))}
    report = LoadReport()
    for spec in _agency_specs(data, regions):
        unknown = set(spec["functions"]) - known_functions
        if unknown:
            raise ValueError(f"agency {spec['code']}: unknown functions {sorted(unknown)}")
        values = {
            "name": spec["name"],
            "short_names": list(spec.get("short_names", [])),
            "aliases": list(spec.get("aliases", [])),
            "handles": list(spec.get("handles", [])),
            "level": spec["level"],
            "region_id": regions[spec["region"]].id,
        }
        agency = existing.get(spec["code"])
        if agency is None:
            agency = Agency(code=spec["code"], **values)
            agency.functions = [AgencyFunction(function=f) for f in spec["functions"]]
            session.add(agency)
            report.created += 1
            continue
        changed = _apply(agency, values)
        if agency.function_codes != sorted(spec["functions"]):
            agency.functions = [AgencyFunction(function=f) for f in spec["functions"]]
            changed = True
        report.updated += int(changed)
    session.flush()
    return report


X_SOURCE_NAME = "X: pencarian Kalimantan Selatan"
NO_CREDENTIALS_REASON_PREFIX = "token X"


def load_x_source(session: Session, *, token_configured: bool) -> LoadReport:
    """The X search source, with queries built from the regions and agency handles.

    Without a token it is created disabled, with the reason an admin will see; once a
    token is configured, running this again enables it.
    """
    places = []
    # Not the 2,000 desa/kelurahan: the search would grow past what X accepts.
    for region in session.scalars(select(Region).where(Region.level != RegionLevel.VILLAGE)):
        places.extend([region.short_name, *region.aliases])
    handles = [h for a in session.scalars(select(Agency)) for h in a.handles]
    config = {"queries": build_queries(places, handles)}
    report = LoadReport()
    source = session.scalar(select(Source).where(Source.name == X_SOURCE_NAME))
    if source is None:
        source = Source(
            kind=SourceKind.X, name=X_SOURCE_NAME, config=config, enabled=token_configured
        )
        session.add(source)
        report.created += 1
    elif source.config != config:
        source.config = config
        report.updated += 1
    if not token_configured:
        if source.enabled or source.disabled_reason is None:
            source.disable(f"{NO_CREDENTIALS_REASON_PREFIX} (ADUAN_X_BEARER_TOKEN) belum diisi")
    elif not source.enabled and (
        # Off only for want of a token (or, from older versions, for no reason at all);
        # a source an admin switched off stays off.
        source.disabled_reason is None
        or source.disabled_reason.startswith(NO_CREDENTIALS_REASON_PREFIX)
    ):
        source.enable()
    session.flush()
    return report


def load_sources(session: Session, path: Path) -> LoadReport:
    """Upsert sources from a feeds YAML file (``feeds:`` list of name/url entries).

    A URL without a scheme is a path relative to the file (bundled sample feeds).
    Cursor and health of an existing source are kept; its config is updated.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    report = LoadReport()
    existing = {s.name: s for s in session.scalars(select(Source))}
    for entry in data.get("feeds", []):
        url = str(entry["url"])
        if "://" not in url:
            url = (path.parent / url).resolve().as_uri()
        config = {k: v for k, v in entry.items() if k not in ("name", "enabled", "kind")}
        config["url"] = url
        kind = SourceKind(entry.get("kind", "rss"))
        source = existing.get(entry["name"])
        if source is None:
            session.add(
                Source(
                    kind=kind,
                    name=entry["name"],
                    config=config,
                    enabled=bool(entry.get("enabled", True)),
                )
            )
            report.created += 1
        elif source.config != config or source.kind != kind:
            source.config = config
            source.kind = kind
            report.updated += 1
    session.flush()
    return report
