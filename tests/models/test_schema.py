"""The data model on SQLite and PostgreSQL: migrations, constraints, rules, audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

import models
from aduan.migrate import alembic_config, current_revision
from models import (
    Agency,
    AgencyLevel,
    AppendOnlyError,
    Complaint,
    ComplaintStatus,
    Event,
    InvalidTransition,
    Item,
    Source,
    SourceKind,
    TriageState,
)
from models.workdays import Deadlines, load_holidays

WITA = ZoneInfo("Asia/Makassar")


def _source(session: Session, name: str = "feed") -> Source:
    source = Source(kind=SourceKind.RSS, name=name, config={"url": "http://127.0.0.1/x"})
    session.add(source)
    session.flush()
    return source


def _item(source: Source, external_id: str, **kw: object) -> Item:
    return Item(source_id=source.id, external_id=external_id, text="teks", content_hash="h", **kw)


def test_migrations_create_every_table_of_the_model(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(models.Base.metadata.tables) <= tables
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(engine) == head


#: Indexes on an expression: SQLite's reflection cannot read them back, so autogenerate
#: cannot compare them; the next test checks that they exist.
EXPRESSION_INDEXES = {"ix_items_reported_at", "ix_complaints_list_order"}


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index"
)
def test_migrations_match_the_models_exactly(engine: Engine) -> None:
    """Nothing left for autogenerate: every model change has its migration."""

    def compared(obj: object, name: str | None, type_: str, *_: object) -> bool:
        return not (type_ == "index" and name in EXPRESSION_INDEXES)

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": compared})
        diff = compare_metadata(context, models.Base.metadata)
    assert diff == []


def test_expression_indexes_exist(engine: Engine) -> None:
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            names = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index'")))
        else:
            names = set(conn.scalars(text("SELECT indexname FROM pg_indexes")))
    assert names >= EXPRESSION_INDEXES


def test_datetimes_come_back_timezone_aware_utc(session: Session) -> None:
    source = _source(session)
    published = datetime(2026, 11, 23, 8, 15, tzinfo=WITA)
    session.add(_item(source, "a", published_at=published))
    session.commit()
    session.expire_all()
    stored = session.scalars(select(Item)).one()
    assert stored.published_at == published
    assert stored.published_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(session: Session) -> None:
    source = _source(session)
    session.add(_item(source, "a", published_at=datetime(2026, 1, 1)))  # noqa: DTZ001
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_external_id_is_unique_per_source(session: Session) -> None:
    one, two = _source(session, "one"), _source(session, "two")
    session.add_all([_item(one, "x"), _item(two, "x")])
    session.flush()  # the same id in two sources is fine
    session.add(_item(one, "x"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_json_columns_round_trip(session: Session) -> None:
    source = _source(session)
    source.cursor = {"etag": '"abc"', "since_id": "1599"}
    session.commit()
    session.expire_all()
    assert session.get(Source, source.id).cursor == {"etag": '"abc"', "since_id": "1599"}


def test_awaiting_triage_lists_only_pending_items_newest_first(session: Session) -> None:
    source = _source(session)
    base = datetime(2026, 11, 20, tzinfo=UTC)
    session.add_all(
        [
            _item(source, "old", published_at=base),
            _item(source, "new", published_at=base + timedelta(days=1)),
            _item(source, "undated"),
            _item(source, "done", published_at=base, triage_state=TriageState.REJECTED),
        ]
    )
    session.flush()
    ids = [i.external_id for i in session.scalars(Item.awaiting_triage())]
    assert ids == ["new", "old", "undated"]


def test_triage_state_changes_only_along_the_table(session: Session) -> None:
    item = _item(_source(session), "a")
    item.move_to(TriageState.DEFERRED)
    item.move_to(TriageState.CONFIRMED)
    with pytest.raises(InvalidTransition, match="tidak boleh"):
        item.move_to(TriageState.REJECTED)


def test_complaint_lifecycle_sets_times_due_date_and_logs_events(session: Session) -> None:
    complaint = Complaint(title="Jalan rusak", description="Lubang besar")
    session.add(complaint)
    session.flush()
    complaint.assign_tracking_number()
    assert complaint.tracking_number.startswith("ADU-")
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=WITA)
    complaint.change_status(session, ComplaintStatus.VERIFIED, actor="admin", now=friday)
    deadlines = Deadlines(follow_up_days=3, tz=WITA, holidays=load_holidays())
    complaint.change_status(
        session, ComplaintStatus.FORWARDED, actor="admin", now=friday, deadlines=deadlines
    )
    # Friday + 3 working days = Wednesday, end of day WITA.
    assert complaint.due_at == datetime(2026, 11, 25, 23, 59, 59, tzinfo=WITA)
    later = friday + timedelta(days=1)
    complaint.change_status(session, ComplaintStatus.DONE, actor="skpd", now=later)
    assert complaint.finished_at == later and complaint.first_follow_up_at == later
    with pytest.raises(InvalidTransition):
        complaint.change_status(session, ComplaintStatus.NEW, actor="admin")
    session.commit()
    events = session.scalars(select(Event).order_by(Event.id)).all()
    assert [(e.before["status"], e.after["status"]) for e in events] == [
        ("new", "verified"),
        ("verified", "forwarded"),
        ("forwarded", "done"),
    ]


def test_overdue_lists_forwarded_complaints_past_due(session: Session) -> None:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    late = Complaint(
        title="a",
        description="a",
        status=ComplaintStatus.FORWARDED,
        due_at=now - timedelta(hours=1),
    )
    on_time = Complaint(
        title="b",
        description="b",
        status=ComplaintStatus.FORWARDED,
        due_at=now + timedelta(hours=1),
    )
    answered = Complaint(
        title="c",
        description="c",
        status=ComplaintStatus.IN_PROGRESS,
        due_at=now - timedelta(days=2),
    )
    session.add_all([late, on_time, answered])
    session.flush()
    assert session.scalars(Complaint.overdue(now)).all() == [late]


def test_event_log_is_append_only_in_the_orm(session: Session) -> None:
    models.record_event(session, actor="x", entity_type="item", entity_id=1, action="t")
    session.commit()
    event = session.scalars(select(Event)).one()
    event.note = "changed"
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()
    session.delete(session.scalars(select(Event)).one())
    with pytest.raises(AppendOnlyError):
        session.flush()


def test_event_log_is_append_only_in_the_database(session: Session) -> None:
    models.record_event(session, actor="x", entity_type="item", entity_id=1, action="t")
    session.commit()
    for statement in ("UPDATE events SET note = 'x'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()


def test_agency_for_function_picks_the_agency_of_the_region(seeded: Engine) -> None:
    with Session(seeded) as session:
        bjm = session.scalar(select(models.Region).where(models.Region.code == "63.71"))
        agency = Agency.for_function(session, function="transport", region_id=bjm.id)
        assert agency.name == "Dinas Perhubungan Kota Banjarmasin"
        assert agency.level is AgencyLevel.REGENCY_CITY
        assert Agency.for_function(session, function="nope", region_id=bjm.id) is None
