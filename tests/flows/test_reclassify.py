"""Re-classification on Prefect's Dask task runner: chunks, not one task per item, on a
local cluster of two worker processes; a second run writes nothing new."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from aduan.reference import load_agencies, load_regions
from models import Item, ItemSuggestion, Source, SourceKind

pytestmark = pytest.mark.flow


def test_backfill_in_chunks_on_a_local_dask_cluster(
    prefect_harness: None, sqlite_engine: Engine
) -> None:
    from flows.reclassify import reclassify

    texts = (
        "jalan rusak parah di Jl. A. Yani km 14 Banjarmasin",
        "KTP elektronik belum jadi, disdukcapil Banjarbaru lambat",
        "lampu lalu lintas mati di simpang empat Martapura",
    )
    with Session(sqlite_engine) as s, s.begin():
        load_regions(s)
        load_agencies(s)
        source = Source(kind=SourceKind.MANUAL, name="m", config={})
        s.add(source)
        s.flush()
        s.add_all(
            Item(source_id=source.id, external_id=str(n), content_hash=str(n),
                 text=f"{texts[n % 3]} ({n})")
            for n in range(1_050)
        )  # fmt: skip
    result = reclassify(only_missing=True, workers=2, chunk_size=200)
    assert result == {"items": 1_050, "chunks": 6, "written": 1_050}
    with Session(sqlite_engine) as s:
        current = s.scalar(
            select(func.count()).select_from(ItemSuggestion).where(ItemSuggestion.is_current())
        )
        assert current == 1_050
        topics = {
            ext: topic
            for ext, topic in s.execute(
                select(Item.external_id, ItemSuggestion.topic).join(
                    ItemSuggestion, ItemSuggestion.is_current(Item.id)
                )
            )
        }
    assert topics["1"] == "population_admin"
    again = reclassify(workers=1, chunk_size=500)
    assert again == {"items": 1_050, "chunks": 3, "written": 0}
