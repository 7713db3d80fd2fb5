"""The training mix of the learning loop: what the retrain flow trains on.

Always the team's written seed examples (the bootstrap set: the Kalsel vocabulary a new
deployment starts from), plus an optional history (e.g. an SP4N-LAPOR! export or the
Surabaya data, mapped to functions), plus every admin decision of this deployment,
weighted higher: the decisions are this region's own words and this Diskominfo's own
routing. Agency labels become functions (``fungsi:<urusan>``) throughout, so the three
sources teach one set of classes; the function's SKPD in a kabupaten/kota is chosen by
the Kalsel registry (classifier.routing), not learned from another city's agency names.
Rows of another city's kelurahan/kecamatan catch-all keep their topic but no function:
that class is an operator's routing choice there, not a content class.
"""

from __future__ import annotations

from classifier.bootstrap import bootstrap_training_set
from classifier.decisions import FUNCTION_LABEL_PREFIX
from classifier.labels import AgencyMap, load_agency_map
from classifier.train import TrainingSet

__all__ = ["DECISION_WEIGHT", "as_functions", "training_mix"]

#: How much one admin decision counts against one seed or history row (chosen with
#: bench/new_region.py; docs/benchmarks.md).
DECISION_WEIGHT = 3.0


def as_functions(data: TrainingSet, agency_map: AgencyMap | None = None) -> TrainingSet:
    """The same rows with agency labels replaced by ``fungsi:<function>`` (None where
    the agency is a local-office catch-all or unknown)."""
    agency_map = agency_map or load_agency_map()
    out = data.subset(range(len(data)))
    labels: list[str | None] = []
    for name in out.agencies:
        if not name:
            labels.append(None)
        elif name.startswith(FUNCTION_LABEL_PREFIX):
            labels.append(name)
        elif name == agency_map.office_class or name.startswith(agency_map.office_prefixes):
            labels.append(None)
        else:
            function = agency_map.function(name)
            labels.append(f"{FUNCTION_LABEL_PREFIX}{function}" if function else None)
    out.agencies = labels
    return out


def seed_set() -> TrainingSet:
    """The bootstrap examples with function labels in the decisions' form."""
    seeds = bootstrap_training_set()
    out = seeds.subset(range(len(seeds)))
    out.agencies = [f"{FUNCTION_LABEL_PREFIX}{f}" if f else None for f in out.agencies]
    return out


def training_mix(
    decisions: TrainingSet,
    *,
    history: TrainingSet | None = None,
    decision_weight: float = DECISION_WEIGHT,
    agency_map: AgencyMap | None = None,
) -> TrainingSet:
    mix = TrainingSet()
    mix.extend(seed_set(), weight=1.0)
    if history is not None and len(history):
        mix.extend(as_functions(history, agency_map), weight=1.0)
    mix.extend(decisions, weight=decision_weight)
    return mix
