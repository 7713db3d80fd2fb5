"""Our reference data: checked against the Kemendagri table in ../shared, loaded idempotently."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from aduan.reference import REGIONS_FILE, load_agencies, load_regions, load_x_source
from aduan.settings import get_settings
from classifier.taxonomy import load_taxonomy
from models import Agency, AgencyLevel, Region, RegionLevel, Source, SourceKind


def test_regions_match_the_kemendagri_codes_and_names(shared_dir: Path) -> None:
    with (shared_dir / "data/wilayah_id/wilayah_63_kalimantan_selatan.csv").open() as f:
        official = {r["kode"]: r["nama"] for r in csv.DictReader(f) if r["level"] in ("1", "2")}
    with REGIONS_FILE.open() as f:
        ours = {r["code"]: r for r in csv.DictReader(f)}
    assert set(ours) == set(official)  # the province and all 13 kabupaten/kota
    for code, row in ours.items():
        expected = official[code]
        if row["level"] == "province":
            assert row["name"].endswith(expected.title().replace("Provinsi ", ""))
        else:
            assert row["name"].casefold() == expected.casefold(), code


def test_loading_twice_changes_nothing(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        first = (load_regions(session), load_agencies(session))
    with Session(engine) as session, session.begin():
        second = (load_regions(session), load_agencies(session))
    assert first[0].created == 14 and first[1].created > 150
    assert all(r.created == 0 and r.updated == 0 for r in second)


def test_every_kabupaten_kota_has_the_usual_dinas(seeded: Engine) -> None:
    required = {
        "public_works",
        "transport",
        "education",
        "civil_registry",
        "health",
        "public_order",
        "environment",
        "social_affairs",
    }
    with Session(seeded) as session:
        for region in session.scalars(select(Region).where(Region.level != RegionLevel.PROVINCE)):
            agencies = session.scalars(select(Agency).where(Agency.region_id == region.id)).all()
            functions = {f for a in agencies for f in a.function_codes}
            assert required <= functions, region.name
            assert all(a.level is AgencyLevel.REGENCY_CITY for a in agencies)
        provincial = session.scalar(
            select(func.count()).select_from(Agency).where(Agency.level == AgencyLevel.PROVINCE)
        )
        assert provincial >= 15


def test_agency_functions_exist_in_the_taxonomy(seeded: Engine) -> None:
    known = set(load_taxonomy().functions)
    with Session(seeded) as session:
        used = {f for a in session.scalars(select(Agency)) for f in a.function_codes}
    assert used <= known


def test_kecamatan_from_the_kemendagri_table_are_found_in_text(
    sqlite_engine: Engine, shared_dir: Path
) -> None:
    from aduan.reference import load_district_offices, load_districts
    from classifier.tag import build_default_tagger

    table = shared_dir / "data/wilayah_id/wilayah_63_kalimantan_selatan.csv"
    with Session(sqlite_engine) as session, session.begin():
        load_regions(session)
        load_agencies(session)
        first = load_districts(session, table)
        assert first.created == 156 + 2016  # kecamatan, then desa and kelurahan
        assert load_districts(session, table).created == 0
        levels = dict(
            session.execute(select(Region.level, func.count()).group_by(Region.level)).all()
        )
        assert levels[RegionLevel.DISTRICT] == 156 and levels[RegionLevel.VILLAGE] == 2016
        # Kemendagri numbers kelurahan 1xxx and desa 2xxx.
        assert session.scalar(select(Region.name).where(Region.code == "63.01.01.2002")) == (
            "Desa Tabanio"
        )
        kelurahan = session.scalars(select(Region).where(Region.code.like("63.71.__.1%"))).all()
        assert kelurahan and all(r.name.startswith("Kelurahan ") for r in kelurahan)
        x_places = load_x_source(session, token_configured=False)
        # An office per kecamatan, in its kabupaten, with no urusan (never chosen by function).
        assert load_district_offices(session).created == 156
        assert load_district_offices(session).created == 0
        takisung = session.scalars(select(Agency).where(Agency.code == "63.01.01-kantor")).one()
        assert takisung.name == "Kantor Kecamatan Takisung"
        assert takisung.level is AgencyLevel.DISTRICT and takisung.function_codes == []
        assert takisung.region.name == "Kabupaten Tanah Laut"
    assert x_places.created == 1
    with Session(sqlite_engine) as session:
        tagger = build_default_tagger(session, model_dir=get_settings().resolved_model_dir)
        s = tagger.suggest(None, "Jalan rusak parah di Kecamatan Gambut, mohon diperbaiki")
        assert session.get(Region, s.region_id).name == "Kabupaten Banjar"
        # The kecamatan is a place here, not its office: the road goes to the dinas.
        gambut = session.get(Agency, s.agency_id)
        assert gambut is not None and gambut.level is AgencyLevel.REGENCY_CITY
        assert not any(m["kind"] == "agency" for m in s.details["mentions"])
        s = tagger.suggest(None, "Lampu PJU mati di Landasan Ulin sejak kemarin")
        assert session.get(Region, s.region_id).name == "Kota Banjarbaru"
        # A desa named in a post places it in its kabupaten (Tabanio: Tanah Laut) ...
        s = tagger.suggest(None, "Jembatan di Desa Tabanio sudah lapuk dan miring")
        assert session.get(Region, s.region_id).name == "Kabupaten Tanah Laut"
        assert "wilayah" not in s.details.get("review_flags", [])
        # ... but a one-word desa name alone is not a place ("ulin" is the ironwood), and
        # the X search does not grow by 2,000 desa names.
        s = tagger.suggest(None, "titian ulin depan rumah kami patah, anak sekolah jatuh")
        assert s.region_id is None and "wilayah" in s.details["review_flags"] and s.needs_review
        # The local office's area, for the admin who forwards it there.
        s = tagger.suggest(None, "Pambakal Desa Tabanio tidak mau tanda tangan surat pengantar")
        assert s.details["local_office"]["area"] == (
            "Desa Tabanio, Kecamatan Takisung, Kabupaten Tanah Laut"
        )
        # ... and the office it would go to: the desa's kecamatan (the SKPD stays the
        # function's until the admin picks the office).
        assert s.details["local_office"]["agency"] == "Kantor Kecamatan Takisung"
        office = session.get(Agency, s.details["local_office"]["agency_id"])
        assert office is not None and office.code == "63.01.01-kantor"
        assert s.agency_id != office.id and "kantor_lokal" in s.details["review_flags"]
        queries = session.scalar(select(Source.config).where(Source.kind == SourceKind.X))
        assert "Tabanio" not in str(queries)


def test_the_real_feed_list_loads_as_rss_sources(sqlite_engine: Engine) -> None:
    from aduan.reference import DATA_DIR, load_sources
    from models import Source, SourceKind

    with Session(sqlite_engine) as session, session.begin():
        report = load_sources(session, DATA_DIR / "feeds_kalsel.yaml")
        sources = [(s.kind, s.config["url"]) for s in session.scalars(select(Source))]
    assert report.created == len(sources) >= 5
    assert all(kind is SourceKind.RSS and url.startswith("https://") for kind, url in sources)
