"""Mention detection: one automaton over every name; spans are offsets into the original
text (highlighting uses them), whatever whitespace and letter case the text has."""

from __future__ import annotations

from classifier.mentions import Gazetteer

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


def test_no_names_finds_nothing() -> None:
    assert Gazetteer([]).find("Dinas PUPR") == []
