"""Mention detection: one automaton over every name; spans are offsets into the original
text (highlighting uses them), whatever whitespace and letter case the text has."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from classifier.mentions import Gazetteer, _normalise, _normalise_slowly
from models import Region

NAMES = Gazetteer(
    [
        ("agency", "Dinas PUPR", 1),
        ("agency", "PUPR", 1),
        ("agency", "Dinas Perhubungan", 2),
        ("agency", "Dishub", 2),
        ("region", "Banjarmasin", 10),
        ("region", "Banjarmasin Utara", 11),
        ("agency", "PDAM Bandarmasih", 3),
        ("region", "Kota Banjarmasin", 10),
    ]
)


def spans(text: str) -> list[tuple[str, str, tuple[int, ...]]]:
    found = NAMES.find(text)
    for m in found:
        assert text[m.start : m.end] == m.text  # offsets into the text as given
    return [(m.kind, m.text, m.refs) for m in found]


def test_longest_name_wins_and_whole_words_only() -> None:
    assert spans("Jalan di Banjarmasin Utara rusak, lapor ke Dinas PUPR.") == [
        ("region", "Banjarmasin Utara", (11,)),
        ("agency", "Dinas PUPR", (1,)),
    ]
    # Inside a longer word, after an "@" (a handle is matched by its own entry), glued to "_".
    assert spans("BanjarmasinKu @Dishub PUPR_x Dishubkalsel") == []


def test_offsets_survive_whitespace_runs_newlines_and_case() -> None:
    text = "Air  mati.\n\nPDAM\n  BANDARMASIH tidak menjawab;\tkota   banjarmasin  gelap"
    assert spans(text) == [
        ("agency", "PDAM\n  BANDARMASIH", (3,)),
        ("region", "kota   banjarmasin", (10,)),
    ]


def test_offsets_survive_letters_that_casefold_longer() -> None:
    # "ß" casefolds to "ss" and "İ" to two characters: later offsets must not drift.
    text = "Straße İİ rusak di Banjarmasin dan Dishub diam"
    assert spans(text) == [("region", "Banjarmasin", (10,)), ("agency", "Dishub", (2,))]


def test_offsets_kept_by_pieces_agree_with_one_offset_per_character() -> None:
    """The fast path keeps where each stretch between whitespace runs starts; the slow
    path (any text) keeps one offset per character: both map every character alike."""
    rng = random.Random(3)
    alphabet = ["a", "B", "ç", " ", "  ", "\n", "\t \n", "\r\n", "x", "Ü", ".", "\u00a0"]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        fast, fast_offsets = _normalise(text)
        slow, slow_offsets = _normalise_slowly(text)
        assert fast == slow
        assert [fast_offsets[i] for i in range(len(fast))] == [
            slow_offsets[i] for i in range(len(slow))
        ]


def test_no_names_finds_nothing() -> None:
    assert Gazetteer([]).find("Dinas PUPR") == []


WILAYAH_ROWS = """kode,nama,level
63.03.05,Martapura,3
63.04.15,Marabahan,3
63.71.01,Banjarmasin Selatan,3
63.07.01,Batang Alai Selatan,3
63.03.05.2001,Sungai Tabuk Keramat,4
63.04.15.2002,Banjar,4
63.04.15.2003,Marabahan,4
63.71.01.1004,Pasar Lama,4
63.71.01.1005,Kelayan Tengah,4
63.07.01.2001,Haur Gading,4
"""


class _Places:
    """The gazetteer and region detection of a database, with region codes for asserts."""

    def __init__(self, session: Session) -> None:
        from classifier.mentions import build_gazetteer
        from classifier.routing import Router

        self.gazetteer, self.router = build_gazetteer(session), Router(session)
        self.code = {r.id: r.code for r in session.scalars(select(Region))}

    def found(self, text: str) -> list[tuple[str, list[str]]]:
        return [(m.text, sorted(self.code[r] for r in m.refs)) for m in self.gazetteer.find(text)]

    def region(self, text: str) -> str | None:
        return self.guess(text)[0]

    def guess(self, text: str) -> tuple[str | None, str]:
        guess = self.router.detect_region(self.gazetteer.find(text))
        return (self.code[guess.region_id] if guess.region_id else None), guess.reason


def _with_table(engine: Engine, tmp_path: Path, rows: str) -> _Places:
    """Regions and a kecamatan/desa table of ``rows`` loaded as `aduan db init --wilayah`."""
    from aduan.reference import load_districts, load_regions

    table = tmp_path / "wilayah.csv"
    table.write_text(rows, encoding="utf-8")
    with Session(engine) as session, session.begin():
        load_regions(session)
        load_districts(session, table)
    with Session(engine) as session:
        return _Places(session)


def test_desa_and_kelurahan_names_count_by_the_gazetteer_rule(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """Official names and "desa/kelurahan/kel." forms always; a bare name only if it has
    two words or more, one of them distinctive, and no kabupaten/kota or kecamatan goes by
    it. A village mention counts half against a kabupaten/kota's in region detection."""
    from classifier.mentions import distinctive

    places = _with_table(sqlite_engine, tmp_path, WILAYAH_ROWS)
    found, region = places.found, places.region
    assert found("banjir di Sungai Tabuk Keramat") == [("Sungai Tabuk Keramat", ["63.03.05.2001"])]
    assert region("banjir di sungai tabuk keramat lagi") == "63.03"
    # Generic words only: only with its title. One word: never bare.
    assert found("pasar lama becek") == [] and found("kelurahan pasar lama becek") == [
        ("kelurahan pasar lama", ["63.71.01.1004"])
    ]
    assert found("Kel. Kelayan Tengah") == [("Kel. Kelayan Tengah", ["63.71.01.1005"])]
    # A desa called "Banjar" does not blur Kabupaten Banjar, nor a desa "Marabahan"
    # the kecamatan (and seat of Barito Kuala) of that name.
    assert found("Banjar") == [("Banjar", ["63.03"])]
    assert found("Marabahan") == [("Marabahan", ["63.04", "63.04.15"])]
    assert found("Desa Banjar") == [("Desa Banjar", ["63.04.15.2002"])]
    # The kabupaten named outright outweighs a desa of another one.
    assert region("Desa Haur Gading, jalannya rusak") == "63.07"
    assert region("Desa Haur Gading, warga Kabupaten Banjar mengeluh") == "63.03"
    assert distinctive("Sungai Tabuk") and distinctive("Kelayan B")
    assert not distinctive("Pasar Lama") and not distinctive("Banua Hanyar Baru")


def test_an_agency_named_without_a_region_is_not_taken_for_the_provincial_one(
    seeded: Engine, tmp_path: Path
) -> None:
    """ "Dishub" names a Dishub of 14 governments: with no region in the post, the
    provincial one is a guess (low confidence, flagged "wilayah"), not "named"; a name
    only one agency has is still taken directly, and "Pemkab" names the government of a
    place, not its Setda (the urusan decides)."""
    from classifier.tag import build_default_tagger
    from models import Agency

    with Session(seeded) as session:
        tagger = build_default_tagger(session, model_dir=tmp_path / "models")
        bare, placed, pemkab = tagger.suggest_many(
            [
                (None, "calo KTP masih ada di depan kantor dukcapil, bayar 200rb jadi sehari"),
                (None, "calo KTP masih ada di depan kantor dukcapil Banjarbaru"),
                (None, "Pemkab HST akan menertibkan PKL yang berjualan di trotoar Barabai"),
            ]
        )
        assert bare.region_id is None and bare.needs_review
        assert "wilayah" in bare.details["review_flags"] and bare.agency_confidence < 0.5
        assert "menyebut" not in str(bare.details["agency_reason"])
        agency = session.get(Agency, placed.agency_id)
        assert agency is not None and agency.code.startswith("6372")
        assert placed.agency_confidence == 0.9 and "wilayah" not in placed.details.get(
            "review_flags", []
        )
        agency = session.get(Agency, pemkab.agency_id)
        assert agency is not None and not agency.code.endswith("setda")


def test_an_x_authors_profile_location_places_a_post_that_names_no_region(
    seeded: Engine, tmp_path: Path
) -> None:
    """Stored with the tweet, used by tagging only when the text names no kabupaten/kota
    (a hint at half confidence; the post stays flagged "wilayah" so that an admin checks),
    never over a place the text names; the other taggers take the same hint."""
    from classifier.baseline import KeywordTagger
    from classifier.mentions import build_gazetteer
    from classifier.routing import Router
    from classifier.tag import build_default_tagger, suggest_for
    from classifier.taxonomy import load_taxonomy
    from models import Item, Source, SourceKind, utcnow

    with Session(seeded) as session, session.begin():
        source = Source(kind=SourceKind.X, name="x", config={})
        session.add(source)
        session.flush()
        texts = {
            "none": "lampu jalan mati sudah seminggu, gelap banar kalau malam",
            "named": "lampu jalan mati sudah seminggu di Banjarbaru",
            "dishub": "lampu lalu lintas mati sejak kemarin, Dishub ke mana",
            "blank": "lampu jalan mati sudah seminggu, gelap banar kalau malam!",
            "number": "lampu jalan mati sudah seminggu, gelap banar kalau malam!!",
        }
        locations: dict[str, object] = {"blank": "  ", "number": 7}
        ids = {}
        for key, text in texts.items():
            item = Item(
                source_id=source.id,
                external_id=key,
                text=text,
                content_hash=key,
                fetched_at=utcnow(),
                raw={
                    "author": {
                        "username": "warga",
                        "location": locations.get(key, "Martapura, Kalsel"),
                    }
                },
            )
            session.add(item)
            session.flush()
            ids[key] = item.id
    with Session(seeded) as session:
        code = {r.id: r.code for r in session.scalars(select(Region))}
        tagger = build_default_tagger(session, model_dir=tmp_path / "models")
        got = dict(suggest_for(session, list(ids.values()), tagger))
        hinted, named = got[ids["none"]], got[ids["named"]]
        # "Dishub" of the hinted kabupaten: which one is the hint's guess, so flagged.
        dishub = got[ids["dishub"]]
        assert code[dishub.region_id] == "63.03" and dishub.needs_review
        assert "wilayah" in dishub.details["review_flags"]
        assert code[hinted.region_id] == "63.03"  # Martapura: Kabupaten Banjar
        assert hinted.region_confidence == 0.5 and "profil" in hinted.details["region_reason"]
        assert hinted.needs_review and "wilayah" in hinted.details["review_flags"]
        assert code[named.region_id] == "63.72"  # the text's own place wins
        keyword = KeywordTagger(load_taxonomy(), build_gazetteer(session), Router(session))
        [by_keyword] = keyword.suggest_many([(None, texts["none"])], ["Martapura, Kalsel"])
        assert by_keyword.region_id == hinted.region_id
        for key in ("blank", "number"):  # a location that says nothing is no hint
            assert got[ids[key]].region_id is None
            assert "profil" not in got[ids[key]].details.get("region_reason", "")


def test_a_landmark_places_a_post_at_half_the_weight_of_a_kabupaten_name(
    seeded: Engine,
) -> None:
    """A hospital, market or island named instead of the kabupaten/kota places the post
    there (the reason says which name), counts half against a kabupaten/kota's own name,
    and a landmark that is also an agency's name stays the agency."""
    with Session(seeded) as session:
        places = _Places(session)
        gazetteer, region = places.gazetteer, places.guess

        assert region("IGD RSD Idaman penuh, pasien dirawat di lorong") == (
            "63.72",
            "menyebut RSD Idaman (Kota Banjarbaru)",
        )
        assert region("speedboat ke pulau kembang kada pakai pelampung")[0] == "63.04"
        # "Pulau Laut Utara" (a kecamatan, not loaded here) still lies in Kotabaru.
        assert region("Dermaga di Pulau Laut Utara rusak")[0] == "63.02"
        # The kabupaten's own name outweighs a landmark of another one.
        assert region("warga Martapura berobat ke RSD Idaman, antre lama")[0] == "63.03"
        assert region("antre di Pasar Sudimampir, Kabupaten Banjar juga")[0] == "63.03"
        # "RSUD Ulin" is the provincial hospital (an SKPD), not a place in Banjarmasin.
        assert [m.kind for m in gazetteer.find("antre obat di RSUD Ulin")] == ["agency"]
        assert region("antre obat di RSUD Ulin") == (None, "tidak ada wilayah disebut")


def test_every_landmark_is_a_name_of_its_own_in_a_kalsel_kabupaten_or_kota(
    seeded: Engine,
) -> None:
    """The written list stays usable: each key is a kabupaten/kota of the reference table,
    and no landmark is shadowed by an agency's or a region's name (it would never count)."""
    from classifier.mentions import build_gazetteer, landmarks, name_key
    from models.enums import RegionLevel

    with Session(seeded) as session:
        level = {r.code: r.level for r in session.scalars(select(Region))}
        names = build_gazetteer(session).names
    for code_, places in landmarks().items():
        assert level.get(code_) in (RegionLevel.REGENCY, RegionLevel.CITY), code_
        for place in places:
            assert ("landmark", name_key(place)) in names, place


def test_a_place_name_that_is_also_a_common_noun_is_not_a_place_after_its_noun_words(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """ "Lahan gambut" is peat land (every karhutla story), not Kecamatan Gambut of
    Kabupaten Banjar; "Gambut" alone still is. The words come from place_words.yaml."""
    rows = "kode,nama,level\n63.03.06,Gambut,3\n63.72.03,Cempaka,3\n"
    region = _with_table(sqlite_engine, tmp_path, rows).region
    assert region("Kebakaran Lahan Gambut di Banjarbaru meluas") == "63.72"
    assert region("kabut asap, lahan   gambut terbakar lagi") is None
    assert region("asap tebal di Gambut, anak-anak batuk") == "63.03"
    assert region("karhutla di lahan gambut, warga Gambut sesak napas") == "63.03"
    assert region("lampu mati di Jl. Cempaka, gelap") is None
    assert region("sound horeg sampai jam 1 malam di Cempaka") == "63.72"


def test_not_after_words_leave_other_names_and_the_same_name_elsewhere_alone() -> None:
    names = Gazetteer(
        [("region", "Gambut", 4), ("region", "Tanah Laut", 2)],
        not_after={"Gambut": ["lahan"]},
    )
    assert [m.text for m in names.find("lahan gambut di Tanah Laut, lalu ke Gambut")] == [
        "Tanah Laut",
        "Gambut",
    ]
    assert [m.text for m in names.find("Gambut")] == ["Gambut"]  # nothing before it


def test_an_admins_landmarks_file_adds_places_and_a_broken_one_is_logged_and_left_out(
    seeded: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from aduan.settings import get_settings

    extra = tmp_path / "tempat.yaml"
    extra.write_text('landmarks:\n  "63.11":\n    - Lapangan Kalindo Dua\n', "utf-8")
    monkeypatch.setenv("ADUAN_LANDMARKS_FILE", str(extra))
    get_settings.cache_clear()
    with Session(seeded) as session:
        places = _Places(session)
    assert places.region("antre di Lapangan Kalindo Dua") == "63.11"
    assert places.region("IGD RSD Idaman penuh") == "63.72"  # the shipped ones still count

    extra.write_text("landmarks: [bukan, peta]\n", "utf-8")  # an edit counts next time
    with caplog.at_level(logging.ERROR), Session(seeded) as session:
        places = _Places(session)
    assert places.region("antre di Lapangan Kalindo Dua") is None
    assert places.region("IGD RSD Idaman penuh") == "63.72"
    assert "tidak dipakai" in caplog.text
