"""The bootstrap tagger: taxonomy keywords + gazetteer + routing. No training needed.

It gives every new item a topic, region and agency with a confidence so the queue is
usable on day one; the trained classifier replaces it (same ``Suggestion`` shape).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from classifier.mentions import Gazetteer, Mention
from classifier.routing import Router
from classifier.taxonomy import Taxonomy

__all__ = [
    "BASELINE_VERSION",
    "COMPLAINT_CUE_PATTERN",
    "REVIEW_THRESHOLD",
    "KeywordTagger",
    "Suggestion",
]

BASELINE_VERSION = "baseline-keywords-1"
REVIEW_THRESHOLD = 0.6

#: Words that signal someone reports a problem or asks for action.
COMPLAINT_CUES = (
    "keluh",
    "mengeluh",
    "mengeluhkan",
    "keluhan",
    "rusak",
    "berlubang",
    "tolong",
    "mohon",
    "minta",
    "meminta",
    "belum",
    "tidak",
    "gak",
    "nggak",
    "habis",
    "mati",
    "padam",
    "macet",
    "menumpuk",
    "bau",
    "bocor",
    "keruh",
    "lapor",
    "mengadu",
    "aduan",
    "parah",
    "bahaya",
    "rawan",
    "kecewa",
    "pungutan",
    "pungli",
    "liar",
    "terlantar",
    "kosong",
    "menipis",
)
COMPLAINT_CUE_PATTERN = re.compile(
    r"(?<!\w)(?:" + "|".join(COMPLAINT_CUES) + r")(?!\w)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Suggestion:
    topic: str | None
    topic_confidence: float
    function: str | None
    agency_id: int | None
    agency_confidence: float
    region_id: int | None
    region_confidence: float
    relevance: float
    needs_review: bool
    model_version: str
    details: dict[str, Any] = field(default_factory=dict)


class KeywordTagger:
    def __init__(self, taxonomy: Taxonomy, gazetteer: Gazetteer, router: Router) -> None:
        self.taxonomy = taxonomy
        self.gazetteer = gazetteer
        self.router = router
        self._topic_res = {
            code: re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(k) for k in topic.keywords) + r")(?!\w)",
                re.IGNORECASE,
            )
            for code, topic in taxonomy.topics.items()
            if topic.keywords
        }

    def suggest_many(
        self,
        posts: Sequence[tuple[str | None, str]],
        region_hints: Sequence[str | None] | None = None,
    ) -> list[Suggestion]:
        hints = list(region_hints) if region_hints is not None else [None] * len(posts)
        return [
            self.suggest(title, text, hint)
            for (title, text), hint in zip(posts, hints, strict=True)
        ]

    def suggest(self, title: str | None, text: str, region_hint: str | None = None) -> Suggestion:
        body = f"{title}\n{text}" if title else text
        mentions = self.gazetteer.find(body)
        scores = {code: pattern.findall(body) for code, pattern in self._topic_res.items()}
        ranked = sorted(scores.items(), key=lambda kv: len(kv[1]), reverse=True)
        total = sum(len(hits) for _, hits in ranked)
        if total == 0:
            topic, topic_conf, terms = "other", 0.2, []
        else:
            topic, hits = ranked[0]
            topic_conf = round(min(0.95, (len(hits) / total) * (1 - 1 / (len(hits) + 1.5))), 3)
            terms = sorted({h.lower() for h in hits})
        function = self.taxonomy.topics[topic].function
        region = self.router.detect_region(
            mentions,
            hint=region_hint,
            hint_mentions=self.gazetteer.find(region_hint) if region_hint else [],
        )
        route = self.router.route(function, region, mentions)
        cues = len(COMPLAINT_CUE_PATTERN.findall(body))
        relevance = round(min(1.0, 0.15 + 0.2 * cues + (0.2 if total else 0.0)), 3)
        top3 = [
            {"topic": code, "score": round(len(hits) / total, 3)}
            for code, hits in ranked[:3]
            if total and hits
        ]
        confidence = min(topic_conf, route.confidence or 0.0)
        return Suggestion(
            topic=topic,
            topic_confidence=topic_conf,
            function=function,
            agency_id=route.agency_id,
            agency_confidence=route.confidence,
            region_id=region.region_id,
            region_confidence=region.confidence,
            relevance=relevance,
            needs_review=confidence < REVIEW_THRESHOLD or relevance < 0.5,
            model_version=BASELINE_VERSION,
            details={
                "top3_topics": top3,
                "topic_terms": terms[:10],
                "agency_reason": route.reason,
                "region_reason": region.reason,
                "mentions": [_mention_dict(m) for m in mentions],
            },
        )


def _mention_dict(m: Mention) -> dict[str, Any]:
    return {"kind": m.kind, "start": m.start, "end": m.end, "text": m.text, "refs": list(m.refs)}
