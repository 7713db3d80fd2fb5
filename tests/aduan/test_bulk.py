"""Many-row writes (aduan.db.bulk_insert / bulk_update_by_id) store exactly what the ORM
would, on SQLite and on PostgreSQL, where plain rows go through COPY."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from aduan.db import bulk_insert, bulk_update_by_id
from models import Item, ItemBucket, ItemFingerprint, ItemSuggestion, Source, SourceKind


@pytest.fixture
def items(engine: Engine):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        source = Source(kind=SourceKind.RSS, name="s", config={})
        session.add(source)
        session.flush()
        rows = [
            Item(source_id=source.id, external_id=f"e{n}", text=f"teks {n}", content_hash=f"h{n}")
            for n in range(3)
        ]
        session.add_all(rows)
        session.flush()
        yield session, [r.id for r in rows]


def _statements(session: Session) -> list[str]:
    seen: list[str] = []
    event.listen(
        session.get_bind(),
        "before_cursor_execute",
        lambda conn, cursor, statement, *args: seen.append(statement),
    )
    return seen


def test_plain_rows_and_their_defaults_arrive_as_written(items) -> None:  # type: ignore[no-untyped-def]
    session, ids = items
    wita = timezone(timedelta(hours=8))
    when = datetime(2026, 12, 4, 9, 30, tzinfo=wita)
    statements = _statements(session)
    bulk_insert(
        session,
        ItemFingerprint,
        [
            {"item_id": i, "signature": bytes([n, 0, 255]), "created_at": when}
            for n, i in enumerate(ids)
        ],
    )
    bulk_insert(
        session, ItemBucket, [{"bucket": -(2**62) + n, "item_id": i} for n, i in enumerate(ids)]
    )
    session.commit()
    # COPY goes through the driver's own cursor: no INSERT passes SQLAlchemy on PostgreSQL.
    inserted = any(s.startswith("INSERT INTO item_buckets") for s in statements)
    assert inserted == (session.get_bind().dialect.name == "sqlite")
    rows = session.execute(
        select(
            ItemFingerprint.item_id, ItemFingerprint.signature, ItemFingerprint.created_at
        ).order_by(ItemFingerprint.item_id)
    ).all()
    assert [(r[0], bytes(r[1])) for r in rows] == [
        (i, bytes([n, 0, 255])) for n, i in enumerate(ids)
    ]
    assert all(r[2] == when and r[2].tzinfo is not None for r in rows)  # stored as UTC
    assert all(r[2].astimezone(UTC).hour == 1 for r in rows)
    buckets = session.execute(
        select(ItemBucket.bucket, ItemBucket.item_id).order_by(ItemBucket.item_id)
    ).all()
    assert [tuple(b) for b in buckets] == [(-(2**62) + n, i) for n, i in enumerate(ids)]


def test_rows_with_structured_values_or_missing_defaults_take_the_plain_insert(items) -> None:  # type: ignore[no-untyped-def]
    session, ids = items
    statements = _statements(session)
    bulk_insert(
        session,
        ItemSuggestion,
        [
            {
                "item_id": i,
                "topic": "infrastruktur",
                "model_version": "v1",
                "details": {"alasan": ["jalan", "rusak"], "n": n},
                "created_at": datetime(2026, 12, 4, tzinfo=UTC),
            }
            for n, i in enumerate(ids)
        ],
    )
    session.commit()
    assert any(s.startswith("INSERT INTO item_suggestions") for s in statements)
    stored = session.scalars(select(ItemSuggestion).order_by(ItemSuggestion.item_id)).all()
    assert [s.details["n"] for s in stored] == [0, 1, 2]
    assert all(s.needs_review is True and s.confidence == 0.0 for s in stored)  # defaults


def test_many_rows_updated_by_id(items) -> None:  # type: ignore[no-untyped-def]
    session, ids = items
    bulk_update_by_id(
        session, Item, [{"id": i, "cluster_id": ids[0], "place_key": ""} for i in ids]
    )
    session.commit()
    assert session.execute(select(Item.cluster_id, Item.place_key)).all() == [(ids[0], "")] * 3
