"""Admins' triage decisions as training labels (the learning loop).

Confirmed and merged items give a topic and an agency; the agency becomes the label
``fungsi:<function>`` so Kalsel decisions teach the same functions the base data does.
Items rejected as "not a complaint" or "spam" are negatives for the relevance model.
The newest decision per item wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier.train import TrainingSet
from models.agency import AgencyFunction
from models.enums import RejectReason, TriageState
from models.item import Item, TriageDecision

__all__ = [
    "FUNCTION_LABEL_PREFIX",
    "DecisionLabels",
    "agency_functions",
    "decision_labels",
    "is_label",
    "labels_newer_than",
]

FUNCTION_LABEL_PREFIX = "fungsi:"


@dataclass(slots=True)
class DecisionLabels:
    labelled: TrainingSet
    negatives: list[str]


def agency_functions(session: Session) -> dict[int, str]:
    """Each agency's urusan as a label (its first function code), in one query."""
    out: dict[int, str] = {}
    rows = session.execute(
        select(AgencyFunction.agency_id, AgencyFunction.function).order_by(
            AgencyFunction.agency_id, AgencyFunction.function
        )
    )
    for agency_id, function in rows:
        out.setdefault(agency_id, function)
    return out


def is_label(state: TriageState, topic: str | None) -> bool:
    """Whether a decision teaches a topic (and an SKPD): a confirmation or a merge."""
    return state in (TriageState.CONFIRMED, TriageState.MERGED) and bool(topic)


def labels_newer_than(session: Session, since: str) -> int:
    """Items whose latest decision is a label (``is_label``) decided after ``since`` (an
    ISO time as training rows are dated; "" for all): what a retrain has that the model
    trained until ``since`` has not seen. Counted by the database (the latest decision of
    an item is its highest id: decisions are only appended)."""
    latest = select(func.max(TriageDecision.id)).group_by(TriageDecision.item_id)
    stmt = (
        select(func.count())
        .select_from(TriageDecision)
        .where(
            TriageDecision.id.in_(latest),
            TriageDecision.state.in_((TriageState.CONFIRMED, TriageState.MERGED)),
            TriageDecision.topic.is_not(None),
            TriageDecision.topic != "",
        )
    )
    if since:
        moment = datetime.fromisoformat(since)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        stmt = stmt.where(TriageDecision.decided_at > moment)
    return session.scalar(stmt) or 0


def decision_labels(session: Session) -> DecisionLabels:
    rows = session.execute(
        select(TriageDecision, Item.title, Item.text)
        .join(Item, Item.id == TriageDecision.item_id)
        .order_by(TriageDecision.item_id, TriageDecision.decided_at, TriageDecision.id)
    ).all()
    latest: dict[int, tuple[TriageDecision, str]] = {}
    for decision, title, text in rows:
        latest[decision.item_id] = (decision, f"{title}\n{text}" if title else text)
    functions = agency_functions(session)
    labelled = TrainingSet()
    negatives: list[str] = []
    for decision, body in latest.values():
        if is_label(decision.state, decision.topic):
            function = functions.get(decision.agency_id) if decision.agency_id else None
            labelled.texts.append(body)
            labelled.topics.append(decision.topic or "")
            labelled.agencies.append(f"{FUNCTION_LABEL_PREFIX}{function}" if function else None)
            labelled.dates.append(decision.decided_at.isoformat())
        elif decision.state is TriageState.REJECTED and decision.reject_reason in (
            RejectReason.NOT_COMPLAINT,
            RejectReason.SPAM,
        ):
            negatives.append(body)
    return DecisionLabels(labelled=labelled, negatives=negatives)
