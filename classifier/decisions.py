"""Admins' triage decisions as training labels (the learning loop).

Confirmed and merged items give a topic and an agency; the agency becomes the label
``fungsi:<function>`` so Kalsel decisions teach the same functions the base data does.
Items rejected as "not a complaint" or "spam" are negatives for the relevance model.
The newest decision per item wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.train import TrainingSet
from models.agency import Agency
from models.enums import RejectReason, TriageState
from models.item import Item, TriageDecision

__all__ = ["FUNCTION_LABEL_PREFIX", "DecisionLabels", "decision_labels"]

FUNCTION_LABEL_PREFIX = "fungsi:"


@dataclass(slots=True)
class DecisionLabels:
    labelled: TrainingSet
    negatives: list[str]


def decision_labels(session: Session) -> DecisionLabels:
    rows = session.execute(
        select(TriageDecision, Item.title, Item.text)
        .join(Item, Item.id == TriageDecision.item_id)
        .order_by(TriageDecision.item_id, TriageDecision.decided_at, TriageDecision.id)
    ).all()
    latest: dict[int, tuple[TriageDecision, str]] = {}
    for decision, title, text in rows:
        latest[decision.item_id] = (decision, f"{title}\n{text}" if title else text)
    functions = {
        a.id: (a.function_codes[0] if a.function_codes else None)
        for a in session.scalars(select(Agency))
    }
    labelled = TrainingSet()
    negatives: list[str] = []
    for decision, body in latest.values():
        if decision.state in (TriageState.CONFIRMED, TriageState.MERGED) and decision.topic:
            function = functions.get(decision.agency_id) if decision.agency_id else None
            labelled.texts.append(body)
            labelled.topics.append(decision.topic)
            labelled.agencies.append(f"{FUNCTION_LABEL_PREFIX}{function}" if function else None)
            labelled.dates.append(decision.decided_at.isoformat())
        elif decision.state is TriageState.REJECTED and decision.reject_reason in (
            RejectReason.NOT_COMPLAINT,
            RejectReason.SPAM,
        ):
            negatives.append(body)
    return DecisionLabels(labelled=labelled, negatives=negatives)
