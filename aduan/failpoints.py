"""Named points where a test can kill the process for real (SIGKILL), to show that a
run killed there loses and duplicates nothing once it is run again.

``ADUAN_FAILPOINT=<name>`` in the environment of a process arms one point; unset (always,
outside such tests) a failpoint is one dictionary lookup. Read from the environment
directly, not from the settings: it is not configuration, and it must work inside tasks
whatever settings object they were given.
"""

from __future__ import annotations

import os
import signal

__all__ = ["FAILPOINTS", "failpoint"]

#: Where `aduan ingest` can be killed: after the first source is stored (others still to
#: fetch), after every source is stored and before the article pages and tagging, inside
#: the first clustering transaction, and inside the first tagging transaction (while the
#: article pages are being fetched in another thread and their worker process).
FAILPOINTS = (
    "ingest:after-first-source",
    "ingest:after-store",
    "ingest:in-clustering",
    "ingest:in-tagging",
)


def failpoint(name: str) -> None:
    if os.environ.get("ADUAN_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
