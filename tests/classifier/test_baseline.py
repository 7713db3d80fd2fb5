"""Mentions, region detection and routing of the bootstrap tagger on Kalsel texts."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from classifier.tag import build_keyword_tagger
from models import Agency, Region


@pytest.fixture
def tagger(seeded: Engine):  # type: ignore[no-untyped-def]
    with Session(seeded) as session:
        yield build_keyword_tagger(session), session


def _agency(session: Session, agency_id: int | None) -> str | None:
    return session.get(Agency, agency_id).name if agency_id else None


def _region(session: Session, region_id: int | None) -> str | None:
    return session.get(Region, region_id).name if region_id else None


def test_mentions_carry_character_spans(tagger) -> None:  # type: ignore[no-untyped-def]
    tag, _ = tagger
    text = "Warga HSU minta Disdukcapil cetak KTP, kata @warga di Kota Banjarbaru."
    found = {(m.kind, m.text): (m.start, m.end) for m in tag.gazetteer.find(text)}
    for (_kind, surface), (start, end) in found.items():
        assert text[start:end] == surface
    assert ("region", "HSU") in found
    assert ("agency", "Disdukcapil") in found
    assert ("region", "Kota Banjarbaru") in found  # the longest form wins
    assert ("region", "Banjarbaru") not in found


def test_names_inside_other_words_are_not_mentions(tagger) -> None:  # type: ignore[no-untyped-def]
    tag, _ = tagger
    assert [m.text for m in tag.gazetteer.find("Banjarmasin")] == ["Banjarmasin"]
    assert tag.gazetteer.find("pemdishubungan tidakHSU") == []


@pytest.mark.parametrize(
    ("text", "topic", "agency", "region"),
    [
        (
            "Jalan berlubang di Martapura, tolong Dinas PUPR tambal",
            "infrastructure",
            "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Banjar",
            "Kabupaten Banjar",
        ),
        (
            "Blangko KTP habis di Amuntai, sudah 3x datang",
            "population_admin",
            "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Hulu Sungai Utara",
            "Kabupaten Hulu Sungai Utara",
        ),
        (
            "Air PDAM keruh di Banjarmasin sejak kemarin",
            "utilities",
            "Perumda PTAM Bandarmasih",
            "Kota Banjarmasin",
        ),
        ("Pasien RSUD Ulin menunggu dokter berjam-jam", "health", "RSUD Ulin Banjarmasin", None),
        (
            "Parkir liar bikin macet di Kalsel",
            "transport",
            "Dinas Perhubungan Provinsi Kalimantan Selatan",
            "Provinsi Kalimantan Selatan",
        ),
    ],
)
def test_kalsel_posts_are_routed_to_a_kalsel_skpd(  # type: ignore[no-untyped-def]
    tagger, text: str, topic: str, agency: str, region: str | None
) -> None:
    tag, session = tagger
    s = tag.suggest(None, text)
    assert s.topic == topic
    assert _agency(session, s.agency_id) == agency
    assert _region(session, s.region_id) == region
    assert s.details["agency_reason"]


def test_text_with_no_signal_is_other_and_needs_review(tagger) -> None:  # type: ignore[no-untyped-def]
    tag, _ = tagger
    s = tag.suggest("Selamat hari jadi", "Semoga sukses selalu")
    assert s.topic == "other" and s.needs_review and s.agency_id is None


def test_explicit_agency_of_another_region_does_not_override_the_place(  # type: ignore[no-untyped-def]
    tagger,
) -> None:
    tag, session = tagger
    s = tag.suggest(None, "Dishub Banjarbaru, lampu merah di Banjarbaru mati total")
    assert _agency(session, s.agency_id) == "Dinas Perhubungan Kota Banjarbaru"
    assert session.scalar(select(Region.name).where(Region.id == s.region_id)) == "Kota Banjarbaru"
