"""Overdue reminders against a real SMTP server on 127.0.0.1 (aiosmtpd): who gets what,
in Indonesian with the link, never twice; without SMTP, listed instead of an error."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aduan.reference import load_agencies, load_regions
from aduan.settings import get_settings
from models import Agency, Complaint, ComplaintStatus, Event, ReminderSent, User, UserRole, utcnow
from models.workdays import Deadlines, load_holidays

pytestmark = pytest.mark.flow


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("ADUAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ADUAN_SMTP_PORT", str(port))
    monkeypatch.setenv("ADUAN_SMTP_STARTTLS", "false")
    monkeypatch.setenv("ADUAN_PUBLIC_URL", "https://aduan.test")
    get_settings.cache_clear()
    yield inbox
    controller.stop()
    get_settings.cache_clear()


def _world(engine: Engine) -> dict[str, int]:
    settings = get_settings()
    deadlines = Deadlines(3, settings.tz, load_holidays())
    now = utcnow()
    with Session(engine) as s, s.begin():
        load_regions(s)
        load_agencies(s)
        agency = {a.code: a for a in s.scalars(select(Agency))}
        s.add_all(
            [
                User(username="dishub", password_hash="x", role=UserRole.AGENCY_OFFICER,
                     agency_id=agency["6371-dishub"].id, email="dishub@bjm.test"),
                User(username="dishub2", password_hash="x", role=UserRole.AGENCY_OFFICER,
                     agency_id=agency["6371-dishub"].id, email="kabid@bjm.test"),
                User(username="pupr", password_hash="x", role=UserRole.AGENCY_OFFICER,
                     agency_id=agency["6371-pupr"].id),  # no address
                User(username="admin", password_hash="x", role=UserRole.ADMIN,
                     email="admin@kalselprov.test"),
                User(username="off", password_hash="x", role=UserRole.ADMIN, is_active=False,
                     email="old@kalselprov.test"),
            ]
        )  # fmt: skip

        def complaint(title: str, code: str, forwarded_ago: timedelta) -> Complaint:
            c = Complaint(title=title, description="d", agency_id=agency[code].id)
            s.add(c)
            s.flush()
            c.assign_tracking_number()
            c.change_status(s, ComplaintStatus.VERIFIED, actor="t", now=now - forwarded_ago)
            c.change_status(
                s, ComplaintStatus.FORWARDED, actor="t", now=now - forwarded_ago,
                deadlines=deadlines,
            )  # fmt: skip
            return c

        new = complaint("Lampu lalu lintas mati", "6371-dishub", timedelta(minutes=5))
        late = complaint("Parkir liar <b>di</b> trotoar", "6371-dishub", timedelta(days=12))
        soon = complaint("Halte rusak", "6371-dishub", timedelta(days=2))
        soon.due_at = now + timedelta(hours=3)
        pupr_late = complaint("Jalan berlubang", "6371-pupr", timedelta(days=12))
        return {"new": new.id, "late": late.id, "soon": soon.id, "pupr_late": pupr_late.id}


def test_reminders_go_to_the_right_people_once(sqlite_engine: Engine, smtp: Inbox) -> None:
    from flows.overdue import send_reminders

    ids = _world(sqlite_engine)
    result = send_reminders.fn()
    assert result["late"] == 2 and result["unreachable"] == [
        "Dinas Pekerjaan Umum dan Penataan Ruang Kota Banjarmasin"
    ]
    by_subject = {m["Subject"]: m for m in smtp.messages}
    assert len(smtp.messages) == 3 + 1 + 1  # 3 "forwarded" to Dishub, its digest, admins
    digest = next(m for s, m in by_subject.items() if "1 terlambat, 1 jatuh tempo" in s)
    assert digest["To"] == "dishub@bjm.test, kabid@bjm.test"
    body = digest.get_content()
    assert "sudah melewati tenggat" in body and "jatuh tempo dalam satu hari kerja" in body
    assert f"https://aduan.test/aduan/{ids['late']}" in body
    assert "Parkir liar <b>di</b> trotoar" in body  # plain text mail: shown as written
    admin = next(m for s, m in by_subject.items() if "2 aduan terlambat" in s)
    assert admin["To"] == "admin@kalselprov.test"
    assert f"/aduan/{ids['pupr_late']}" in admin.get_content()
    forwarded = [m for m in smtp.messages if "Aduan baru untuk" in m["Subject"]]
    assert {m["To"] for m in forwarded} == {"dishub@bjm.test, kabid@bjm.test"}
    assert all("ditindaklanjuti paling lambat" in m.get_content() for m in forwarded)
    with Session(sqlite_engine) as s:
        assert s.scalar(select(ReminderSent.id).where(ReminderSent.channel != "email")) is None
        events = s.scalars(select(Event).where(Event.action == "reminder")).all()
        assert {e.entity_id for e in events} == set(ids.values())
    # The next hourly run sends nothing new.
    again = send_reminders.fn()
    assert again["mails"] == [] and len(smtp.messages) == 5


def test_without_smtp_reminders_are_listed_not_failed(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.overdue import send_reminders

    monkeypatch.delenv("ADUAN_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    _world(sqlite_engine)
    result = send_reminders.fn()
    assert len(result["mails"]) == 5 and {r["cara"] for r in result["mails"]} == {"log"}
    assert send_reminders.fn()["mails"] == []


def test_a_failing_smtp_server_records_nothing_and_the_next_run_sends(
    sqlite_engine: Engine, smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.overdue import send_reminders

    _world(sqlite_engine)
    monkeypatch.setenv("ADUAN_SMTP_PORT", "1")  # nothing listens there
    get_settings.cache_clear()
    failed = send_reminders.fn()
    assert all(r["galat"].startswith("gagal dikirim") for r in failed["mails"])
    with Session(sqlite_engine) as s:
        assert s.scalar(select(ReminderSent.id)) is None
    monkeypatch.undo()
    monkeypatch.setenv("ADUAN_SMTP_HOST", "127.0.0.1")
    get_settings.cache_clear()


def test_overdue_flow_publishes_its_artifact(prefect_harness: None, sqlite_engine: Engine) -> None:
    import asyncio

    from prefect.client.orchestration import get_client

    from flows.overdue import overdue

    _world(sqlite_engine)
    result = overdue()
    assert len(result["mails"]) == 5

    async def artifact() -> Any:
        async with get_client() as client:
            found = await client.read_latest_artifacts()
            return next(a.data for a in found if a.key == "pengingat-tenggat")

    rows = asyncio.run(artifact())
    assert "Aduan baru untuk" in str(rows)
