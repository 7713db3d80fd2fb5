"""Suggestions from the trained model bundle: topic and function with probabilities,
relevance, routing to a Kalsel SKPD, top-3 for the UI, and the terms behind them."""

from __future__ import annotations

from collections.abc import Sequence

from classifier.baseline import Suggestion, _mention_dict
from classifier.labels import load_agency_map
from classifier.local_office import local_office
from classifier.mentions import Gazetteer
from classifier.model import explain_many, heads_on, normalize_batch, predict_top
from classifier.routing import Router
from classifier.taxonomy import Taxonomy
from classifier.train import ModelBundle, function_proba

__all__ = ["RELEVANCE_THRESHOLD", "REVIEW_THRESHOLD", "ModelTagger"]

#: Below this confidence (topic or function) an item is marked "needs review".
REVIEW_THRESHOLD = 0.5
#: Below this probability of being a complaint an item is marked "needs review".
RELEVANCE_THRESHOLD = 0.5


class ModelTagger:
    def __init__(
        self,
        bundle: ModelBundle,
        *,
        version: str,
        taxonomy: Taxonomy,
        gazetteer: Gazetteer,
        router: Router,
    ) -> None:
        self.bundle = bundle
        self.version = version
        self.taxonomy = taxonomy
        self.gazetteer = gazetteer
        self.router = router
        self.office_class = load_agency_map().office_class

    def suggest(self, title: str | None, text: str) -> Suggestion:
        return self.suggest_many([(title, text)])[0]

    def suggest_many(
        self,
        posts: Sequence[tuple[str | None, str]],
        region_hints: Sequence[str | None] | None = None,
    ) -> list[Suggestion]:
        """Suggestions for (title, text) posts; ``region_hints`` (one per post, e.g. an X
        author's profile location) place a post that names no kabupaten/kota itself."""
        bodies = [f"{title}\n{text}" if title else text for title, text in posts]
        hints = list(region_hints) if region_hints is not None else [None] * len(posts)
        plain = normalize_batch(bodies)  # once for the three models and the reasons
        bundle = self.bundle
        # With a function head the agency head is not needed to tag (only to evaluate).
        (topic_model, agency_model, relevance_model, function_model), inputs, matrix = heads_on(
            (
                bundle.topic,
                bundle.agency if bundle.function is None else None,
                bundle.relevance,
                bundle.function,
            ),
            plain,
        )
        topics = predict_top(topic_model, inputs, k=3)
        scored = function_proba(
            bundle, agency_model, function_model, inputs, office_class=self.office_class
        )
        relevance = relevance_model.predict_proba(inputs)
        complaint_col = list(bundle.relevance.classes_).index("complaint")
        terms = explain_many(
            bundle.topic, bodies, [t.label for t in topics], normalized=plain, matrix=matrix
        )
        results = []
        for n, (body, topic, rel, topic_terms, hint) in enumerate(
            zip(bodies, topics, relevance, terms, hints, strict=True)
        ):
            # The local-office catch-all is no urusan (function_proba); the written
            # policy decides about those offices (below).
            ranked = (
                sorted(zip(scored[0], scored[1][n].tolist(), strict=True), key=lambda kv: -kv[1])
                if scored is not None
                else [(self.taxonomy.topics[topic.label].function, topic.confidence)]
            )
            function, function_conf = ranked[0]
            mentions = self.gazetteer.find(body)
            region = self.router.detect_region(
                mentions, hint=hint, hint_mentions=self.gazetteer.find(hint) if hint else []
            )
            route = self.router.route(function, region, mentions)
            agency_conf = (
                route.confidence
                if route.basis in ("named", "named_in_region")
                else min(function_conf, route.confidence)
                if route.basis == "province"
                else function_conf
            )
            relevance_p = float(rel[complaint_col])
            local = local_office(body)
            details: dict[str, object] = {
                "top3_topics": [{"topic": t, "p": p} for t, p in topic.top],
                "top3_functions": [{"function": f, "p": round(p, 4)} for f, p in ranked[:3]],
                "topic_terms": topic_terms,
                "agency_reason": route.reason,
                "region_reason": region.reason,
                "mentions": [_mention_dict(m) for m in mentions],
            }
            flags = []
            if local is not None:  # its own review flag: routing there is an admin's call
                office: dict[str, str | int | None] = dict(local.as_dict())
                area = self.router.local_area(mentions)
                if area:
                    office["area"] = area
                district = self.router.district_office(mentions)
                if district is not None:  # where to send it if the admin agrees
                    office["agency_id"] = district.id
                    office["agency"] = district.name
                details["local_office"] = office
                flags.append("kantor_lokal")
            # No kabupaten/kota named and no SKPD either: the SKPD above is the provincial
            # one of the urusan, a guess an admin checks (a kabupaten's office is likelier).
            # (A region from the author's profile is a hint: still flagged, also when it
            # picked which "Dishub" the post means.)
            unplaced = (region.region_id is None or region.hinted) and route.basis != "named"
            if unplaced:
                flags.append("wilayah")
            if flags:
                details["review_flags"] = flags
            results.append(
                Suggestion(
                    topic=topic.label,
                    topic_confidence=topic.confidence,
                    function=function,
                    agency_id=route.agency_id,
                    agency_confidence=round(float(agency_conf), 4),
                    region_id=region.region_id,
                    region_confidence=region.confidence,
                    relevance=round(relevance_p, 4),
                    needs_review=(
                        topic.confidence < REVIEW_THRESHOLD
                        or agency_conf < REVIEW_THRESHOLD
                        or relevance_p < RELEVANCE_THRESHOLD
                        or route.agency_id is None
                        or local is not None
                        or unplaced
                    ),
                    model_version=self.version,
                    details=details,
                )
            )
        return results
