"""Progress of long work (ingest, import, training, re-classification): a progress bar
when a person watches a terminal, a log line every ``every`` seconds otherwise (a
scheduled run's log), and one summary line with the time taken.

    with Progress("mengambil halaman artikel", total=len(urls), log=logger.info) as bar:
        for chunk in chunks:
            ...
            bar.advance(len(chunk))
    # -> "mengambil halaman artikel: 6.563 dari 6.563 dalam 41,2 detik (159/detik)"
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

__all__ = ["Progress", "format_count", "format_seconds"]

log = logging.getLogger("aduan.progress")


def format_count(n: float) -> str:
    """12345 -> "12.345" (Indonesian thousands separator)."""
    return f"{n:,.0f}".replace(",", ".")


def format_seconds(seconds: float) -> str:
    """Seconds in words an admin reads at a glance: "41,2 detik", "3 menit 05 detik"."""
    if seconds < 60:
        return f"{seconds:.1f}".replace(".", ",") + " detik"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} menit {rest:02d} detik"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} jam {minutes:02d} menit"


#: One rich display per process, shared by the bars that run at once (the ingest flow
#: fetches pages in one thread while it tags in another; rich allows one live display).
_display_lock = threading.Lock()
_display: dict[str, Any] = {"bar": None, "users": 0}


def _shared_display(stream: TextIO) -> Any:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress

    with _display_lock:
        if _display["bar"] is None:
            bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(file=stream),
                transient=True,
            )
            bar.start()
            _display["bar"] = bar
        _display["users"] += 1
        return _display["bar"]


def _release_display(bar: Any) -> None:
    with _display_lock:
        _display["users"] -= 1
        if _display["users"] <= 0 and _display["bar"] is bar:
            bar.stop()
            _display["bar"], _display["users"] = None, 0


class Progress:
    """How far a long job is. ``total`` None: count only (no percentage or time left)."""

    def __init__(
        self,
        label: str,
        total: int | None,
        *,
        log: Callable[[str], object] | None = None,
        every: float = 10.0,
        stream: TextIO | None = None,
        terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.every = every
        self._log = log or globals()["log"].info
        self._clock = clock
        self._started = clock()
        self._last_line = self._started
        stream = stream or sys.stderr
        if terminal is None:
            terminal = stream.isatty() and os.environ.get("TERM") != "dumb"
        self._bar: Any = None
        if terminal:
            self._bar = _shared_display(stream)
            self._task = self._bar.add_task(label, total=total)

    @property
    def elapsed(self) -> float:
        return self._clock() - self._started

    def expect(self, n: int) -> None:
        """``n`` more to do than the total said (work that arrives while it runs)."""
        self.total = (self.total or 0) + n
        if self._bar is not None:
            self._bar.update(self._task, total=self.total)

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)
            return
        now = self._clock()
        if now - self._last_line >= self.every:
            self._last_line = now
            self._log(self._line(now - self._started, final=False))

    def _line(self, elapsed: float, *, final: bool) -> str:
        rate = self.done / elapsed if elapsed > 0 else 0.0
        done = format_count(self.done)
        if self.total is not None:
            done += f" dari {format_count(self.total)}"
        if final:
            return (
                f"{self.label}: {done} dalam {format_seconds(elapsed)} ({format_count(rate)}/detik)"
            )
        line = f"{self.label}: {done}"
        if self.total:
            line += f" ({self.done / self.total:.0%})"
        line += f", {format_count(rate)}/detik"
        if self.total and rate > 0:
            line += f", sisa ±{format_seconds((self.total - self.done) / rate)}"
        return line

    def close(self) -> str:
        """Stop the bar; log and return the summary line."""
        if self._bar is not None:
            self._bar.remove_task(self._task)
            _release_display(self._bar)
            self._bar = None
        summary = self._line(self.elapsed, final=True)
        self._log(summary)
        return summary

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
