"""What the admins see of the learning loop: the active model, the versions the retrain
made (promoted or refused by the gate, and why), the decisions taken since, and how often
each model's suggestion was what the admin decided: its accuracy on this region's own
queue, the figure that should rise after each retrain."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from classifier.decisions import labels_newer_than
from classifier.lifecycle import active_seen_until
from classifier.registry import ModelRegistry
from models.agency import AgencyFunction
from models.enums import TriageState
from models.item import ItemSuggestion, TriageDecision
from pipeline.learning import MIN_DECISIONS

__all__ = ["Agreement", "ModelStatus", "VersionRow", "model_status"]

#: Kinds of model version, as an admin reads them.
KIND_LABELS = {
    "bootstrap": "awal, dari contoh tim",
    "trained": "latih dari riwayat",
    "retrain": "latih ulang",
}


@dataclass(frozen=True, slots=True)
class VersionRow:
    version: str
    kind: str
    created_at: datetime | None
    training_rows: int
    active: bool
    #: The gate's word: why it was promoted or kept out ("" for the bootstrap model).
    gate_reason: str
    #: Topic and urusan accuracy of the candidate on the rows the gate compared on.
    topic_accuracy: float | None
    function_accuracy: float | None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True, slots=True)
class Agreement:
    """Confirmed (or merged) items whose suggestion came from ``version``: how many, and
    on how many the admin kept the suggested topic, SKPD and urusan (the urusan counted
    where the suggestion named one and the SKPD decided has one)."""

    version: str
    decisions: int
    topic_same: int
    skpd_decided: int
    skpd_same: int
    function_decided: int
    function_same: int

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def topic_rate(self) -> float | None:
        return self.share(self.topic_same, self.decisions)

    @property
    def skpd_rate(self) -> float | None:
        return self.share(self.skpd_same, self.skpd_decided)

    @property
    def function_rate(self) -> float | None:
        return self.share(self.function_same, self.function_decided)


@dataclass(slots=True)
class ModelStatus:
    active: VersionRow | None
    versions: list[VersionRow]
    decisions_total: int
    decisions_since_active: int
    #: Labels decided after the newest row the active model saw: what a retrain would add.
    new_labels: int
    agreement: list[Agreement] = field(default_factory=list)
    has_history: bool = False
    min_decisions: int = MIN_DECISIONS

    @property
    def retrain_ready(self) -> bool:
        """Whether a retrain now has enough new to learn and to be judged on (the flow's
        own rule, ``pipeline.learning.too_few``)."""
        return self.new_labels >= self.min_decisions


def _created(meta: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(meta.get("created_at")))
    except ValueError:
        return None


def _version_row(meta: dict[str, Any], active: str | None) -> VersionRow:
    gate = (meta.get("metrics") or {}).get("gate") or {}
    return VersionRow(
        version=str(meta["version"]),
        kind=str(meta.get("kind", "")),
        created_at=_created(meta),
        training_rows=int(meta.get("training_rows") or 0),
        active=meta["version"] == active,
        gate_reason=str(meta.get("gate_reason") or ""),
        topic_accuracy=(gate.get("topic") or {}).get("accuracy"),
        function_accuracy=(gate.get("function") or {}).get("accuracy"),
    )


def _agreement(session: Session) -> list[Agreement]:
    """Counted by the database, per model version (20,000 decisions in Python took 80 ms;
    the page must stay fast on a deployment's whole history). An agency's urusan is its
    first function code, as the decisions' labels take it (``agency_functions``)."""
    function = (
        select(
            AgencyFunction.agency_id.label("agency_id"),
            func.min(AgencyFunction.function).label("code"),
        )
        .group_by(AgencyFunction.agency_id)
        .subquery()
    )
    both = and_(function.c.code.is_not(None), ItemSuggestion.function.is_not(None))
    rows = session.execute(
        select(
            ItemSuggestion.model_version,
            func.count(),
            _sum(TriageDecision.topic == ItemSuggestion.topic),
            func.count(TriageDecision.agency_id),
            _sum(TriageDecision.agency_id == ItemSuggestion.agency_id),
            _sum(both),
            _sum(and_(both, function.c.code == ItemSuggestion.function)),
        )
        .join(ItemSuggestion, ItemSuggestion.id == TriageDecision.suggestion_id)
        .outerjoin(function, function.c.agency_id == TriageDecision.agency_id)
        .where(
            TriageDecision.state.in_((TriageState.CONFIRMED, TriageState.MERGED)),
            TriageDecision.topic.is_not(None),
        )
        .group_by(ItemSuggestion.model_version)
    ).all()
    return [Agreement(str(version), *(int(n or 0) for n in counts)) for version, *counts in rows]


def _sum(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def model_status(session: Session, registry: ModelRegistry, *, limit: int = 10) -> ModelStatus:
    """The registry's newest ``limit`` versions (newest first) and the decisions."""
    active_version = registry.active_version()
    metas = sorted(registry.versions(), key=lambda m: str(m.get("created_at", "")), reverse=True)
    versions = [_version_row(m, active_version) for m in metas[:limit]]
    active = next(
        (_version_row(m, active_version) for m in metas if m["version"] == active_version), None
    )
    total = session.scalar(select(func.count(func.distinct(TriageDecision.item_id)))) or 0
    since = 0
    if active is not None and active.created_at is not None:
        since = (
            session.scalar(
                select(func.count()).where(TriageDecision.decided_at > active.created_at)
            )
            or 0
        )
    order = {row.version: i for i, row in enumerate(versions)}
    agreement = sorted(
        _agreement(session), key=lambda a: (order.get(a.version, len(order)), a.version)
    )
    return ModelStatus(
        active=active,
        versions=versions,
        decisions_total=int(total),
        decisions_since_active=int(since),
        new_labels=labels_newer_than(session, active_seen_until(registry)),
        agreement=agreement,
        has_history=registry.history_path.is_file(),
    )
