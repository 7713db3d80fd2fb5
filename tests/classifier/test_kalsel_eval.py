"""The frozen Kalsel evaluation set (bench/data/kalsel_eval.yaml): well formed, labelled
with the taxonomy's codes, and never part of what any model trains on."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from classifier.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "bench" / "data" / "kalsel_eval.yaml"


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def test_the_set_is_well_formed_and_labelled_with_known_codes() -> None:
    rows = yaml.safe_load(EVAL.read_text(encoding="utf-8"))["items"]
    taxonomy = load_taxonomy()
    with (ROOT / "aduan" / "data" / "regions.csv").open(encoding="utf-8") as handle:
        regions = {row["code"] for row in csv.DictReader(handle)}
    assert len(rows) >= 300
    assert len({_key(r[4]) for r in rows}) == len(rows)  # no repeats
    for style, topic, function, region, text, note in rows:
        assert style in {"tweet", "news", "form"}, text
        assert topic in taxonomy.topics, text
        assert function in taxonomy.functions, text
        assert region in regions, text
        assert len(text) >= 30 and isinstance(note, str), text
    assert {r[1] for r in rows} == set(taxonomy.topics)  # every topic is there
    assert {r[0] for r in rows} == {"tweet", "news", "form"}


def test_no_evaluation_text_is_in_the_training_material() -> None:
    """Seed examples, relevance negatives, slang and function words are what the shipped
    models train on; none may contain an evaluation post (or its first 40 characters)."""
    rows = yaml.safe_load(EVAL.read_text(encoding="utf-8"))["items"]
    material = " ".join(
        _key(path.read_text(encoding="utf-8"))
        for path in (ROOT / "classifier" / "data").glob("*.yaml")
    )
    leaked = [r[4] for r in rows if _key(r[4])[:40] in material]
    assert leaked == []
