"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import models.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
]
APPEND_ONLY_POSTGRESQL = [
    "CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$",
    "CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events "
    "FOR EACH ROW EXECUTE FUNCTION events_append_only()",
]


def _append_only_events() -> None:
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": APPEND_ONLY_SQLITE, "postgresql": APPEND_ONLY_POSTGRESQL}
    for statement in statements.get(dialect, []):
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("short_name", sa.String(length=80), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "province",
                "regency",
                "city",
                "district",
                name="regionlevel",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column(
            "aliases", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["regions.id"], name=op.f("fk_regions_parent_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("code", name=op.f("uq_regions_code")),
    )
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_regions_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "x",
                "rss",
                "article",
                "manual",
                "web_form",
                name="sourcekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "config", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "cursor", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("last_attempt_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sources_kind"), ["kind"], unique=False)

    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "short_names", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "aliases", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "handles", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "level",
            sa.Enum("province", "regency_city", name="agencylevel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_agencies_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("code", name=op.f("uq_agencies_code")),
    )
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agencies_region_id"), ["region_id"], unique=False)

    op.create_table(
        "source_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("started_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "ok",
                "not_modified",
                "partial",
                "failed",
                "skipped",
                name="sourcerunstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_runs_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_runs")),
    )
    with op.batch_alter_table("source_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_runs_source_id"), ["source_id"], unique=False)

    op.create_table(
        "agency_functions",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("function", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_agency_functions_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agency_id", "function", name=op.f("pk_agency_functions")),
    )
    with op.batch_alter_table("agency_functions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agency_functions_function"), ["function"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "operator",
                "agency_officer",
                "viewer",
                name="userrole",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_users_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_number", sa.String(length=32), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "verified",
                "forwarded",
                "in_progress",
                "done",
                "rejected",
                "closed",
                name="complaintstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("forwarded_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_follow_up_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lapor_tracking_id", sa.String(length=64), nullable=True),
        sa.Column("is_anonymous", sa.Boolean(), nullable=False),
        sa.Column("is_confidential", sa.Boolean(), nullable=False),
        sa.Column("reporter_contact", sa.String(length=200), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_complaints_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_complaints_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_complaints_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_complaints_tracking_number")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_region_id"), ["region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_topic"), ["topic"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column(
            "before", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("after", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_events_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_entity", ["entity_type", "entity_id", "occurred_at"], unique=False
        )

    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_follow_ups_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_follow_ups_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_follow_ups_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_ups_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=512), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("canonical_url", sa.String(length=2048), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fetched_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("raw", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column(
            "triage_state",
            sa.Enum(
                "pending",
                "confirmed",
                "merged",
                "rejected",
                "deferred",
                name="triagestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("triaged_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("triaged_by_id", sa.Integer(), nullable=True),
        sa.Column("triage_note", sa.Text(), nullable=True),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("claim_expires_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["claimed_by_id"], ["users.id"], name=op.f("fk_items_claimed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_items_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_items_source_id_sources")
        ),
        sa.ForeignKeyConstraint(
            ["triaged_by_id"], ["users.id"], name=op.f("fk_items_triaged_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint(
            "source_id", "external_id", name=op.f("uq_items_source_id_external_id")
        ),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_items_canonical_url"), ["canonical_url"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_complaint_id"), ["complaint_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_content_hash"), ["content_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_source_id"), ["source_id"], unique=False)
        batch_op.create_index(
            "ix_items_triage_state_published_at", ["triage_state", "published_at"], unique=False
        )

    op.create_table(
        "item_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=True),
        sa.Column("topic_confidence", sa.Float(), nullable=False),
        sa.Column("function", sa.String(length=40), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("agency_confidence", sa.Float(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("region_confidence", sa.Float(), nullable=False),
        sa.Column("relevance", sa.Float(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("model_version", sa.String(length=80), nullable=False),
        sa.Column(
            "details", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_item_suggestions_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_item_suggestions_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_item_suggestions_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_suggestions")),
    )
    with op.batch_alter_table("item_suggestions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_item_suggestions_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            "ix_item_suggestions_item_current", ["item_id", "superseded_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_item_suggestions_region_id"), ["region_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_item_suggestions_topic"), ["topic"], unique=False)

    op.create_table(
        "triage_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "confirmed",
                "merged",
                "rejected",
                "deferred",
                name="triagestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "reject_reason",
            sa.Enum(
                "not_complaint",
                "spam",
                "not_our_authority",
                "duplicate",
                name="rejectreason",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("topic", sa.String(length=40), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("suggestion_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_triage_decisions_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_triage_decisions_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_triage_decisions_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_triage_decisions_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["item_suggestions.id"],
            name=op.f("fk_triage_decisions_suggestion_id_item_suggestions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_triage_decisions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_decisions")),
    )
    with op.batch_alter_table("triage_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_triage_decisions_decided_at"), ["decided_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_triage_decisions_item_id"), ["item_id"], unique=False)
    _append_only_events()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_no_change ON events")
        op.execute("DROP FUNCTION IF EXISTS events_append_only()")
    with op.batch_alter_table("triage_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_triage_decisions_item_id"))
        batch_op.drop_index(batch_op.f("ix_triage_decisions_decided_at"))

    op.drop_table("triage_decisions")
    with op.batch_alter_table("item_suggestions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_suggestions_topic"))
        batch_op.drop_index(batch_op.f("ix_item_suggestions_region_id"))
        batch_op.drop_index("ix_item_suggestions_item_current")
        batch_op.drop_index(batch_op.f("ix_item_suggestions_agency_id"))

    op.drop_table("item_suggestions")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_triage_state_published_at")
        batch_op.drop_index(batch_op.f("ix_items_source_id"))
        batch_op.drop_index(batch_op.f("ix_items_content_hash"))
        batch_op.drop_index(batch_op.f("ix_items_complaint_id"))
        batch_op.drop_index(batch_op.f("ix_items_cluster_id"))
        batch_op.drop_index(batch_op.f("ix_items_canonical_url"))

    op.drop_table("items")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_ups_complaint_id"))

    op.drop_table("follow_ups")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_entity")

    op.drop_table("events")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_topic"))
        batch_op.drop_index(batch_op.f("ix_complaints_status"))
        batch_op.drop_index(batch_op.f("ix_complaints_region_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_due_at"))
        batch_op.drop_index(batch_op.f("ix_complaints_created_at"))
        batch_op.drop_index(batch_op.f("ix_complaints_agency_id"))

    op.drop_table("complaints")
    op.drop_table("users")
    with op.batch_alter_table("agency_functions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_functions_function"))

    op.drop_table("agency_functions")
    with op.batch_alter_table("source_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_runs_source_id"))

    op.drop_table("source_runs")
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agencies_region_id"))

    op.drop_table("agencies")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sources_kind"))

    op.drop_table("sources")
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regions_parent_id"))

    op.drop_table("regions")
