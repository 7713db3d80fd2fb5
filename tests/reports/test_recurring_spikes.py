"""Recurring issues (each threshold missed by one), kambuh, spikes against steady series."""

from __future__ import annotations

from datetime import date, timedelta

from classifier.places import find_place
from reports.recurring import recurring
from reports.spikes import spikes
from tests.reports.conftest import World, wita

END = wita("2026-12-01 00:00")  # the report covers up to 30 November (WITA)
ROAD = "jalan a yani km 14"


def test_place_keys_are_shared_by_two_spellings_of_one_place() -> None:
    a, b = find_place("Jl. A. Yani Km 14 rusak parah"), find_place("jalan a yani km.14 berlubang")
    assert a is not None and b is not None and a.key == b.key == ROAD
    assert find_place("jalan rusak di desa kami") is None
    assert find_place("antre lama di Puskesmas Amuntai, tolong").key == "puskesmas amuntai"  # type: ignore[union-attr]


def test_a_recurring_issue_qualifies_and_each_threshold_missed_by_one_does_not(
    world: World,
) -> None:
    # Qualifies: 3 reports (clusters), 2 reporters, 2 weeks.
    world.item("2026-11-02 10:00", place=ROAD, author="a")
    world.item("2026-11-02 11:00", place=ROAD, author="a", cluster=900)
    world.item("2026-11-02 12:00", place=ROAD, author="z", source=world.news, cluster=900)
    world.item("2026-11-20 10:00", place=ROAD, author="b")
    # Two reports only: three items, but two of them are one cluster.
    p = "jembatan desa sungai tabuk"
    world.item("2026-11-03 10:00", place=p, author="a", region=world.banjar)
    world.item("2026-11-17 10:00", place=p, author="b", region=world.banjar, cluster=901)
    world.item("2026-11-17 11:00", place=p, author="c", region=world.banjar, cluster=901)
    # One reporter only.
    p = "puskesmas amuntai"
    for day in ("03", "10", "17"):
        world.item(f"2026-11-{day} 10:00", place=p, author="a", topic="health")
    # One week only (Mon 16 - Sun 22 November).
    p = "pasar baru"
    for day, who in (("16", "a"), ("18", "b"), ("22", "c")):
        world.item(f"2026-11-{day} 10:00", place=p, author=who, topic="public_order")
    # Outside the 60 days: the first of three reports is 61 days before the end.
    p = "jalan veteran"
    world.item("2026-09-30 23:00", place=p, author="a")
    world.item("2026-11-10 10:00", place=p, author="b")
    world.item("2026-11-25 10:00", place=p, author="c")
    # Another topic at the same road is another group; an item not relevant does not count.
    world.item("2026-11-26 10:00", place=ROAD, author="c", relevance=0.1)
    found = recurring(world.session, END, offset_minutes=480)
    assert [(g.place_key, g.reports, g.items, g.reporters, g.weeks) for g in found] == [
        (ROAD, 3, 4, 3, 2)
    ]
    g = found[0]
    assert g.region == world.bjm.name and g.sources == 2 and g.status is None
    assert g.source_names == ["berita", "x"]
    assert (g.first, g.last) == (wita("2026-11-02 10:00"), wita("2026-11-20 10:00"))


def test_kambuh_when_reported_again_after_its_complaint_was_done(world: World) -> None:
    done = world.complaint(
        "2026-11-02 12:00", forwarded="2026-11-02 13:00", done="2026-11-05 10:00"
    )
    world.item("2026-11-02 10:00", place=ROAD, author="a", complaint=done)
    world.item("2026-11-03 10:00", place=ROAD, author="b", complaint=done)
    world.item("2026-11-12 10:00", place=ROAD, author="c")  # after selesai
    # Same shape, but the new report came before the complaint was done: not kambuh.
    p = "jalan veteran"
    ok = world.complaint("2026-11-02 12:00", forwarded="2026-11-02 13:00", done="2026-11-20 10:00")
    world.item("2026-11-02 10:00", place=p, author="a", complaint=ok)
    world.item("2026-11-03 10:00", place=p, author="b", complaint=ok)
    world.item("2026-11-12 10:00", place=p, author="c")
    found = {g.place_key: g for g in recurring(world.session, END, offset_minutes=480)}
    assert found[ROAD].kambuh and found[ROAD].complaint_id == done.id
    assert found[ROAD].status is not None and found[ROAD].status.value == "done"
    assert not found[p].kambuh and found[p].complaint_id == ok.id


def test_a_spike_is_flagged_and_a_steady_series_is_not(world: World) -> None:
    last = date(2026, 11, 30)

    def at(days_back: int) -> str:
        return f"{last - timedelta(days=days_back)} 10:00"

    # Banjarmasin infrastructure: one a week for 8 weeks, then 8 in the last 7 days.
    for week in range(1, 9):
        world.item(at(7 * week + 2))
    for i in range(8):
        world.item(at(i % 7), author=f"w{i}")
    # Banjar transport: 3 a week, every week, the last one too.
    for week in range(0, 9):
        for i in range(3):
            world.item(at(7 * week + i), topic="transport", region=world.banjar)
    # Banjarmasin health: nothing before, then 2 (under the minimum of 3): not a spike.
    world.item(at(1), topic="health")
    world.item(at(2), topic="health")
    rows = spikes(world.session, last, END, offset_minutes=480, include_steady=True)
    by = {(s.topic, s.region_id): s for s in rows}
    spike = by[("infrastructure", world.bjm.id)]
    assert spike.flagged and spike.observed == 8 and spike.expected == 1.0
    assert spike.weekly == [1] * 8 and sum(spike.daily) == 8
    assert spike.p_value < 0.001
    steady = by[("transport", world.banjar.id)]
    assert not steady.flagged and steady.observed == 3 and steady.expected == 3.0
    assert not by[("health", world.bjm.id)].flagged
    assert [s.topic for s in spikes(world.session, last, END, offset_minutes=480)] == [
        "infrastructure"
    ]
