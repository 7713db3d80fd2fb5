"""Every report figure against a constructed dataset whose answers are counted by hand,
on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from models.enums import ComplaintStatus, TriageState
from reports.build import build_report
from reports.facts import ReportScope
from reports.performance import performance, wilson_lower
from reports.periods import PeriodError, parse_period
from reports.topics import window_for
from tests.reports.conftest import WITA, World, wita


def test_an_empty_database_gives_an_empty_report(world: World) -> None:
    world.ready()
    report = build_report(
        world.session, parse_period("2026-11", WITA), now=wita("2026-12-15 09:00")
    )
    assert report.topics == [] and report.agencies == [] and report.regions == []
    assert report.recurring == [] and report.spikes == []
    assert report.follow_agency == [] and report.follow_province == []
    assert report.items == 0 and report.reporters == 0
    assert [t[1:] for t in report.trend] == [(0, 0)] * 12
    assert report.headline()["% ditindaklanjuti"] is None


def test_periods_parse_and_compare_like_the_calendar() -> None:
    week = parse_period("2026-W48", WITA)
    assert (str(week.first), str(week.last)) == ("2026-11-23", "2026-11-29")
    assert parse_period("2026-11-03..2026-11-17", WITA).days == 15
    with pytest.raises(PeriodError, match="YYYY-MM"):
        parse_period("November", WITA)
    with pytest.raises(PeriodError, match="tanggal akhir"):
        parse_period("2026-11-17..2026-11-03", WITA)
    december = parse_period("2026-12", WITA)
    prev, last = december.comparable_previous(wita("2026-12-10 12:00"))
    assert (str(prev.first), str(last)) == ("2026-11-01", "2026-11-10")  # same 10 days
    prev, last = parse_period("2026-11", WITA).comparable_previous(wita("2026-12-10 12:00"))
    assert (str(prev.first), str(last)) == ("2026-10-01", "2026-10-31")  # a finished month
    start, end = parse_period("2026-11", WITA).utc_bounds()
    assert (start.isoformat(), end.isoformat()) == (
        "2026-10-31T16:00:00+00:00",
        "2026-11-30T16:00:00+00:00",
    )


def test_a_month_boundary_is_crossed_in_wita_not_utc(world: World) -> None:
    # 30 Nov 23:30 WITA is still 30 Nov in UTC too; 1 Dec 01:00 WITA is 30 Nov 17:00 UTC.
    world.item("2026-11-30 23:30")
    late = world.item("2026-12-01 01:00")
    assert late.published_at is not None and late.published_at.day == 30  # UTC
    c = world.complaint("2026-12-01 00:30", forwarded="2026-12-01 01:00")
    assert c.forwarded_at is not None and c.forwarded_at.day == 30  # UTC
    world.ready("2026-12")
    now = wita("2026-12-31 12:00")
    nov = build_report(world.session, parse_period("2026-11", WITA), now=now)
    dec = build_report(world.session, parse_period("2026-12", WITA), now=now)
    assert (nov.items, dec.items) == (1, 1)
    assert (nov.complaints, dec.complaints) == (0, 1)
    assert nov.follow_province == [] and dec.follow_province[0].n == 1


def test_topics_count_items_reporters_shares_and_the_comparable_previous_days(
    world: World,
) -> None:
    # December is running on the 10th: compared with 1-10 November only.
    for day, author in (("03", "a"), ("04", "a"), ("05", "b")):
        world.item(f"2026-12-{day} 10:00", author=author)
    world.item("2026-12-06 10:00", topic="transport", agency=world.dishub, author="c")
    world.item("2026-11-05 10:00")  # previous, within the first 10 days
    world.item("2026-11-20 10:00")  # previous, after day 10: not compared
    world.item("2026-12-07 10:00", relevance=0.2)  # does not read like a complaint
    world.item("2026-12-07 11:00", state=TriageState.REJECTED)  # an admin said no
    world.item("2026-12-08 10:00", relevance=0.1, state=TriageState.CONFIRMED)  # admin: yes
    world.complaint("2026-12-08 10:00", topic="transport", agency=world.dishub)
    world.complaint("2026-11-02 10:00", topic="transport", agency=world.dishub)
    world.complaint("2026-11-25 10:00", topic="transport", agency=world.dishub)  # not compared
    world.ready("2026-12")
    now = wita("2026-12-10 12:00")
    win = window_for(parse_period("2026-12", WITA), now)
    assert win.running and win.compared_days == 10
    report = build_report(world.session, parse_period("2026-12", WITA), now=now)
    rows = {r.key: r for r in report.topics}
    infra, transport = rows["infrastructure"], rows["transport"]
    assert (infra.items, infra.reporters, infra.items_prev) == (4, 3, 1)  # a, b, warga1
    assert (transport.items, transport.reporters, transport.items_prev) == (1, 1, 0)
    assert (transport.complaints, transport.complaints_prev) == (1, 1)
    assert infra.share == pytest.approx(0.8) and transport.share == pytest.approx(0.2)
    assert infra.name == "Infrastruktur dan fasilitas umum" or infra.name
    assert report.reporters == 4
    agencies = {r.key: r for r in report.agencies}
    assert agencies[world.pupr.id].items == 4 and agencies[world.dishub.id].complaints == 1
    only_dishub = build_report(
        world.session,
        parse_period("2026-12", WITA),
        now=now,
        scope=ReportScope(agency_id=world.dishub.id),
    )
    assert [r.key for r in only_dishub.topics] == ["transport"]


def test_follow_up_figures_rerouted_reopened_and_working_days(world: World) -> None:
    # Fri 6 Nov forwarded, Mon 9 Nov followed up: 1 working day, on time.
    world.complaint("2026-11-06 08:00", forwarded="2026-11-06 09:00", followed="2026-11-09 10:00")
    # Forwarded Mon 2 Nov, followed up Fri 6 Nov: 4 working days, late (due Thu 5 Nov).
    world.complaint("2026-11-02 08:00", forwarded="2026-11-02 09:00", done="2026-11-06 10:00")
    # Same day, done: 0 working days.
    world.complaint("2026-11-10 08:00", forwarded="2026-11-10 09:00", done="2026-11-10 15:00")
    # No follow-up, deadline passed: overdue now.
    world.complaint("2026-11-11 08:00", forwarded="2026-11-11 09:00")
    # Re-routed: PUPR says "bukan wewenang" after marking it in progress; Dishub follows up.
    moved = world.complaint(
        "2026-11-12 08:00", forwarded="2026-11-12 09:00", followed="2026-11-12 10:00"
    )
    moved.change_status(
        world.session, ComplaintStatus.VERIFIED, actor="t", now=wita("2026-11-13 08:00")
    )
    moved.agency_id = world.dishub.id
    moved.change_status(
        world.session,
        ComplaintStatus.FORWARDED,
        actor="t",
        now=wita("2026-11-16 09:00"),
        deadlines=__import__("tests.reports.conftest", fromlist=["DEADLINES"]).DEADLINES,
    )
    moved.change_status(
        world.session, ComplaintStatus.IN_PROGRESS, actor="t", now=wita("2026-11-18 09:00")
    )
    # Re-opened: done, then back in progress.
    again = world.complaint(
        "2026-11-13 08:00", forwarded="2026-11-13 09:00", done="2026-11-13 11:00"
    )
    again.change_status(
        world.session, ComplaintStatus.IN_PROGRESS, actor="t", now=wita("2026-11-20 08:00")
    )
    world.session.flush()
    world.ready()
    now = wita("2026-12-15 09:00")
    start, end = parse_period("2026-11", WITA).utc_bounds()
    rows = {
        p.key: p
        for p in performance(world.session, "skpd", start, end, now=now, offset_minutes=480)
    }
    pupr, dishub = rows[world.pupr.id], rows[world.dishub.id]
    assert (pupr.n, pupr.in_progress, pupr.done, pupr.followed) == (5, 2, 2, 4)
    assert pupr.rate(pupr.followed) == pytest.approx(0.8)
    assert (pupr.due_passed, pupr.on_time, pupr.overdue, pupr.late_done) == (5, 3, 1, 1)
    assert (pupr.median_days, pupr.p90_days) == (0, 4)  # sorted: 0, 0, 1, 4
    assert (dishub.n, dishub.in_progress, dishub.on_time, dishub.median_days) == (1, 1, 1, 2)
    assert pupr.rank is None and dishub.rank is None  # n < 10: belum diperingkat
    province = performance(world.session, "provinsi", start, end, now=now, offset_minutes=480)
    assert province[0].n == 6 and province[0].since == wita("2026-11-02 09:00")


def test_ranking_needs_ten_and_uses_the_wilson_lower_bound(world: World) -> None:
    def batch(agency, n: int, on_time: int, day: int) -> None:
        for i in range(n):
            follow = f"2026-11-{day:02d} 10:00" if i < on_time else f"2026-11-{day + 7:02d} 10:00"
            world.complaint(
                f"2026-11-{day:02d} 08:00",
                agency=agency,
                forwarded=f"2026-11-{day:02d} 09:00",
                followed=follow,
            )

    batch(world.pupr, 10, 10, 2)  # 10/10
    batch(world.dishub, 20, 20, 3)  # 20/20: more evidence, higher lower bound
    batch(world.disdik, 9, 9, 4)  # 9: not ranked
    world.ready()
    start, end = parse_period("2026-11", WITA).utc_bounds()
    rows = performance(
        world.session, "skpd", start, end, now=wita("2026-12-15 09:00"), offset_minutes=480
    )
    assert [(p.key, p.rank) for p in rows] == [
        (world.pupr.id, 1),  # worst first: 10/10 is less certain than 20/20
        (world.dishub.id, 2),
        (world.disdik.id, None),
    ]
    assert wilson_lower(10, 10) == pytest.approx(0.7225, abs=1e-3)
    assert wilson_lower(20, 20) == pytest.approx(0.8389, abs=1e-3)
    assert wilson_lower(0, 0) is None
