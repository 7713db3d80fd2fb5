"""Upgrading a database that already holds a queue fills the new columns and tables."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from aduan.db import create_db_engine
from aduan.migrate import upgrade_database

WHEN = datetime(2026, 11, 1, tzinfo=UTC)


def test_upgrade_from_0002_backfills_confidence_and_cluster_summary(db_url: str) -> None:
    engine = create_db_engine(db_url)
    upgrade_database(engine, "0002")
    when = WHEN if engine.dialect.name == "postgresql" else WHEN.replace(tzinfo=None)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO sources (id, kind, name, config, enabled, cursor, "
                "consecutive_failures, created_at) "
                "VALUES (1, 'rss', 's', '{}', true, '{}', 0, :when)"
            ),
            {"when": when},
        )
        for i, state in ((1, "pending"), (2, "pending"), (3, "deferred"), (4, "rejected")):
            c.execute(
                text(
                    "INSERT INTO items (id, source_id, external_id, text, raw, content_hash, "
                    "cluster_id, triage_state, fetched_at) "
                    "VALUES (:id, 1, :ext, 't', '{}', :hash, 1, :state, :when)"
                ),
                {"id": i, "ext": f"e{i}", "hash": f"h{i}", "state": state, "when": when},
            )
        c.execute(
            text(
                "INSERT INTO item_suggestions (item_id, topic_confidence, agency_confidence, "
                "region_confidence, relevance, needs_review, model_version, details, created_at) "
                "VALUES (1, 0.8, 0.3, 0, 0, true, 'v', '{}', :when)"
            ),
            {"when": when},
        )
    upgrade_database(engine)
    with engine.connect() as c:
        assert c.execute(text("SELECT confidence FROM item_suggestions")).scalar_one() == 0.3
        rows = c.execute(
            text("SELECT cluster_id, state, open_count, head_id FROM queue_clusters ORDER BY state")
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "deferred", 1, 3), (1, "pending", 2, 1)]
