"""The local-office policy: a written rule with its reason and its own review flag,
never a class the model learns."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from classifier.local_office import local_office
from classifier.tag import build_default_tagger


@pytest.mark.parametrize(
    ("text", "level", "reason"),
    [
        ("Pelayanan surat pengantar di kantor kelurahan lambat sekali", "kelurahan", "kantor"),
        ("Pambakal Desa Sungai Rangas tidak pernah ada di balai desa", "desa", "pambakal"),
        ("Warga minta camat menegur pengusaha sarang walet", "kecamatan", "camat"),
        ("Pembagian BLT desa di Desa Tatah Layap tidak merata", "desa", "blt desa"),
        ("Minta SKTM untuk berobat dipersulit", "kelurahan/desa", "sktm"),
        ("Selokan di Desa Banua Anyar tersumbat, banjir tiap hujan", "desa", "selokan"),
    ],
)
def test_office_matters_and_officials_point_to_the_local_office(
    text: str, level: str, reason: str
) -> None:
    found = local_office(text)
    assert found is not None
    assert found.level == level and reason in found.reason


@pytest.mark.parametrize(
    "text",
    [
        # a kecamatan named as a place is a place, not the office
        "Jalan di Kecamatan Gambut rusak parah, Dinas PUPR diminta memperbaiki",
        "Lampu jalan di Jalan A. Yani km 5 mati sudah seminggu",
        "Antrean e-KTP di Disdukcapil Banjarmasin mengular",
        # a neighbourhood matter without a village-level place named
        "selokan mampet bikin banjir",
        "gang di depan rumah gelap",
        # in a city a drain at an RT address stays with the dinas
        "Selokan di gang Mawar RT 05 tersumbat, banjir tiap hujan",
    ],
)
def test_content_matters_stay_with_the_skpd(text: str) -> None:
    assert local_office(text) is None


def test_a_village_place_is_named_with_the_neighbourhood_matter() -> None:
    found = local_office("Parit di Desa Sungai Tabuk Keramat meluap, jalan tergenang")
    assert found is not None and found.place == "Desa Sungai Tabuk"
    assert "Desa Sungai Tabuk" in found.label


def test_the_tagger_flags_it_for_review_and_keeps_the_skpd(seeded: Engine, tmp_path: Path) -> None:
    with Session(seeded) as session:
        tagger = build_default_tagger(session, model_dir=tmp_path / "models")
        local, plain = tagger.suggest_many(
            [
                (None, "Pak lurah Kel. Kuin Utara Banjarmasin tak mau tanda tangan surat domisili"),
                (None, "tolong air PDAM di Banjarmasin keruh dan bau sudah 3 hari"),
            ]
        )
    assert local.details["local_office"]["level"] == "kelurahan"
    assert local.details["review_flags"] == ["kantor_lokal"] and local.needs_review
    assert local.function  # the urusan is still predicted; the admin chooses
    assert "local_office" not in plain.details and "review_flags" not in plain.details
