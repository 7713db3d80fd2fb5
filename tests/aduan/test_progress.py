"""Progress of long work: periodic log lines without a terminal, a bar with one, and a
summary with the time taken either way."""

from __future__ import annotations

import io

from aduan.progress import Progress, format_count, format_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_without_a_terminal_a_line_every_interval_and_a_summary() -> None:
    clock, lines = Clock(), []
    bar = Progress("halaman artikel", 1000, log=lines.append, every=10, terminal=False, clock=clock)
    for _ in range(10):
        clock.now += 3  # 3 s per 100 items
        bar.advance(100)
    assert lines == [
        "halaman artikel: 400 dari 1.000 (40%), 33/detik, sisa ±18,0 detik",
        "halaman artikel: 800 dari 1.000 (80%), 33/detik, sisa ±6,0 detik",
    ]
    assert bar.close() == "halaman artikel: 1.000 dari 1.000 dalam 30,0 detik (33/detik)"
    assert lines[-1] == bar.close()


def test_unknown_total_counts_only() -> None:
    clock, lines = Clock(), []
    with Progress("menyimpan baris", None, log=lines.append, terminal=False, clock=clock) as bar:
        clock.now += 75
        bar.advance(12_345)
    assert lines == [
        "menyimpan baris: 12.345, 165/detik",  # 75 s since the start: a line is due
        "menyimpan baris: 12.345 dalam 1 menit 15 detik (165/detik)",
    ]


def test_work_that_arrives_while_it_runs_grows_the_total() -> None:
    """The pages of an ingest are chosen round by round: the total grows as they come."""
    clock, lines = Clock(), []
    bar = Progress("halaman artikel", 0, log=lines.append, every=10, terminal=False, clock=clock)
    bar.expect(100)
    clock.now += 10
    bar.advance(50)
    bar.expect(100)
    clock.now += 10
    bar.advance(50)
    assert lines == [
        "halaman artikel: 50 dari 100 (50%), 5/detik, sisa ±10,0 detik",
        "halaman artikel: 100 dari 200 (50%), 5/detik, sisa ±20,0 detik",
    ]


def test_on_a_terminal_a_bar_then_the_summary() -> None:
    stream, lines = io.StringIO(), []
    with Progress("pelabelan", 3, log=lines.append, stream=stream, terminal=True) as bar:
        for _ in range(3):
            bar.advance()
    assert len(lines) == 1 and lines[0].startswith("pelabelan: 3 dari 3 dalam ")


def test_formats() -> None:
    assert format_count(1234567) == "1.234.567"
    assert format_seconds(4.25) == "4,2 detik"
    assert format_seconds(3725) == "1 jam 02 menit"


def test_two_bars_at_once_share_one_display() -> None:
    """The ingest flow fetches pages in one thread while it tags in another: rich allows
    one live display per process, so the bars share it and it stops after the last."""
    import threading

    from aduan import progress

    stream, lines = io.StringIO(), []
    first = Progress("halaman artikel", 10, log=lines.append, stream=stream, terminal=True)
    worker = threading.Thread(
        target=lambda: (
            Progress("pelabelan", 5, log=lines.append, stream=stream, terminal=True)
            .__enter__()
            .close()
        )
    )
    worker.start()
    worker.join()
    first.advance(10)
    assert progress._display["bar"] is not None  # the first bar still shows
    first.close()
    assert progress._display["bar"] is None
    assert [line.split(":")[0] for line in lines] == ["pelabelan", "halaman artikel"]
