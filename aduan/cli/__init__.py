"""The ``aduan`` command line, one module per command group. Messages for admins are in
Bahasa Indonesia. Each command module only parses options, calls a use-case of the domain
packages and prints; nothing here writes rows itself."""

from __future__ import annotations

import sys

# Importing the command modules registers their commands on the root group.
from aduan.cli import accounts, classifier, collect, db, queue, report, serve, sources, web
from aduan.cli._common import cli

__all__ = ["cli", "main"]
_COMMANDS = (accounts, classifier, collect, db, queue, report, serve, sources, web)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
