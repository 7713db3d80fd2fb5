"""Switching collection sources on and off: the same use-case, and the same event, from the
CLI and the web admin page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import SourceKind
from models.source import Source
from triage.actions import Actor, TriageError

__all__ = ["find_source", "set_source_enabled"]


def find_source(session: Session, name: str) -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise TriageError(f"sumber '{name}' tidak ada (lihat: aduan sources list)")
    return source


def set_source_enabled(
    session: Session,
    source: Source,
    enabled: bool,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
    x_token: bool = True,
) -> None:
    """Enable (clearing the failure count) or disable a source, with an event.

    An X source cannot be enabled without an API token (``x_token``: whether
    ``ADUAN_X_BEARER_TOKEN`` is set): the next run would only disable it again.
    """
    if enabled and source.kind is SourceKind.X and not x_token:
        raise TriageError(
            f"sumber X '{source.name}' tidak dapat diaktifkan: token API X belum diatur "
            "(ADUAN_X_BEARER_TOKEN)"
        )
    before = {"enabled": source.enabled, "disabled_reason": source.disabled_reason}
    if enabled:
        source.enable()
    else:
        source.disable(reason or f"dinonaktifkan oleh {actor.name}")
    actor.log(
        session,
        "source",
        source.id,
        "enable" if enabled else "disable",
        now=now,
        before=before,
        after={"enabled": source.enabled},
    )
