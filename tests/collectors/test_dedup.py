"""Duplicate grouping: retweets, syndicated stories and copy-pasted complaints share a
cluster; unrelated items do not; candidates come from the bucket index, not all pairs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

import collectors.dedup as dedup
from collectors.dedup import cluster_items
from collectors.normalize import content_hash
from models import Item, ItemBucket, ItemFingerprint, Source, SourceKind, utcnow

STORY = (
    "Warga Kecamatan Gambut, Kabupaten Banjar, mengeluhkan jalan berlubang di Jalan A. Yani "
    "km 14 yang sudah dua bulan tidak diperbaiki. Dua pengendara motor terjatuh pekan ini. "
    "Tolong Dinas PUPR segera menambal, kalau malam gelap dan lubangnya dalam, kata warga."
)
OTHER_TOPICS = [
    "Sampah menumpuk di TPS Pasar Lama Banjarmasin selama empat hari dan baunya menyengat",
    "Blangko KTP habis di Disdukcapil Amuntai, warga bolak-balik tiga kali tanpa hasil",
    "Air PDAM keruh di Kuin Utara sejak Senin, warga terpaksa membeli air galon",
    "Festival pasar terapung Lok Baintan digelar akhir pekan dengan lomba jukung hias",
]


def _add(
    session: Session,
    source: Source,
    n: int,
    text: str,
    *,
    title: str | None = None,
    group_key: str | None = None,
) -> int:
    item = Item(
        source_id=source.id,
        external_id=f"e{n}",
        title=title,
        text=text,
        content_hash=content_hash(title, text),
        group_key=group_key,
    )
    session.add(item)
    session.flush()
    return item.id


@pytest.fixture
def db(engine: Engine):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        source = Source(kind=SourceKind.RSS, name="s", config={})
        session.add(source)
        session.flush()
        yield session, source


def _clusters(session: Session, ids: list[int]) -> list[int]:
    return [session.get(Item, i).cluster_id for i in ids]


def test_a_story_syndicated_by_several_sites_is_one_cluster(db) -> None:  # type: ignore[no-untyped-def]
    session, source = db
    ids = [
        _add(session, source, 1, STORY, title="Jalan berlubang di Gambut makan korban"),
        _add(
            session,
            source,
            2,
            "BANJAR, KABARBANUA - " + STORY + " Baca juga: berita lain.",
            title="Jalan Berlubang di Gambut Makan Korban",
        ),
        _add(
            session,
            source,
            3,
            STORY.replace("Dua pengendara", "Dua orang pengendara"),
            title="Warga Gambut keluhkan jalan berlubang",
        ),
    ]
    others = [_add(session, source, 10 + n, t) for n, t in enumerate(OTHER_TOPICS)]
    joined = cluster_items(session, ids + others, now=utcnow())
    clusters = _clusters(session, ids)
    assert clusters == [ids[0]] * 3 and joined == 2
    assert len(set(_clusters(session, others))) == len(others)
    assert ids[0] not in _clusters(session, others)


def test_retweets_join_their_original_by_group_key(db) -> None:  # type: ignore[no-untyped-def]
    session, source = db
    original = _add(session, source, 1, "Lampu merah di Banjarbaru mati", group_key="x:1")
    retweet = _add(
        session,
        source,
        2,
        "RT @a: Lampu merah di Banjarbaru mati total sejak pagi",
        group_key="x:1",
    )
    cluster_items(session, [original, retweet], now=utcnow())
    assert _clusters(session, [original, retweet]) == [original, original]


def test_clustering_twice_changes_nothing(db) -> None:  # type: ignore[no-untyped-def]
    session, source = db
    ids = [_add(session, source, 1, STORY), _add(session, source, 2, STORY + " Tolong.")]
    cluster_items(session, ids, now=utcnow())
    before = _clusters(session, ids)
    assert cluster_items(session, ids, now=utcnow()) == 0
    assert _clusters(session, ids) == before


def test_old_items_outside_the_window_are_not_matched(db) -> None:  # type: ignore[no-untyped-def]
    session, source = db
    old = _add(session, source, 1, STORY)
    cluster_items(session, [old], now=utcnow() - timedelta(days=60))
    new = _add(session, source, 2, STORY + " Warga menunggu.")
    cluster_items(session, [new], now=utcnow())
    assert _clusters(session, [old, new]) == [old, new]


def test_candidates_come_from_the_index_not_all_pairs(  # type: ignore[no-untyped-def]
    db, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, source = db
    noise = [
        _add(
            session,
            source,
            100 + n,
            f"Pengumuman nomor {n} tentang kegiatan {n * 7} di balai desa {n * 13} minggu ini",
        )
        for n in range(300)
    ]
    cluster_items(session, noise, now=utcnow())
    compared: list[int] = []
    real = dedup._most_similar

    def counting(signature, candidates, signatures):  # type: ignore[no-untyped-def]
        compared.extend(c for c in candidates if c in signatures)
        return real(signature, candidates, signatures)

    monkeypatch.setattr(dedup, "_most_similar", counting)
    first = _add(session, source, 1, STORY)
    second = _add(session, source, 2, STORY + " Mohon ditindaklanjuti.")
    cluster_items(session, [first, second], now=utcnow())
    assert _clusters(session, [first, second]) == [first, first]
    assert len(compared) < 10  # not 300


def test_fingerprints_are_stored_once_per_item(db) -> None:  # type: ignore[no-untyped-def]
    session, source = db
    item = _add(session, source, 1, STORY)
    cluster_items(session, [item], now=utcnow())
    assert session.get(ItemFingerprint, item) is not None
    buckets = session.scalars(select(ItemBucket.bucket).where(ItemBucket.item_id == item)).all()
    assert len(buckets) == dedup.BANDS


def test_most_similar_takes_the_best_at_or_above_the_threshold_oldest_on_a_tie() -> None:
    import numpy as np

    base = np.arange(64, dtype=np.uint32)
    half = base.copy()
    half[:32] += 1000  # 0.5 similar: below the threshold
    close = base.copy()
    close[:8] += 1000  # 0.875
    signatures = {30: half, 20: close, 10: close.copy(), 5: base}
    assert dedup._most_similar(base, [30, 20, 10], signatures) == 10  # tie: the older
    assert dedup._most_similar(base, [30, 20, 10, 5], signatures) == 5  # identical wins
    assert dedup._most_similar(base, [30, 99], signatures) is None  # 99: no signature
    assert dedup._most_similar(base, [], signatures) is None


def test_statistics_are_refreshed_for_the_candidate_query(db) -> None:  # type: ignore[no-untyped-def]
    """A backfill grows the bucket index faster than autovacuum analyses it: the flow asks
    PostgreSQL to re-read its size (stale, the planner scanned the whole table)."""
    from sqlalchemy import text

    session, source = db
    ids = [_add(session, source, n, f"{OTHER_TOPICS[n % 4]} nomor {n}") for n in range(40)]
    cluster_items(session, ids, now=utcnow())
    dedup.refresh_statistics(session)
    if session.get_bind().dialect.name == "postgresql":
        tuples = session.scalar(
            text("SELECT reltuples FROM pg_class WHERE relname = 'item_buckets'")
        )
        assert tuples == session.query(ItemBucket).count() > 0
