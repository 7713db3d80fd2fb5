"""The bootstrap model: trained from data the team wrote (seed examples and taxonomy
keywords), so a fresh installation classifies offline from the first run."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import yaml

from classifier.registry import ModelRegistry
from classifier.taxonomy import load_taxonomy
from classifier.train import ModelBundle, TrainingSet, train_bundle

__all__ = ["SEED_FILE", "bootstrap_training_set", "ensure_active_model", "train_bootstrap_bundle"]

log = logging.getLogger(__name__)

SEED_FILE = Path(__file__).resolve().parent / "data" / "seed_examples.yaml"


@lru_cache(maxsize=1)
def bootstrap_training_set() -> TrainingSet:
    """Seed examples, plus each taxonomy keyword as a short text of its topic.

    Agency labels are functions here: the bootstrap model predicts the urusan, and the
    registry of Kalsel SKPD does the rest.
    """
    data = TrainingSet()
    seeds = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))["examples"]
    for topic, function, text in seeds:
        data.texts.append(text)
        data.topics.append(topic)
        data.agencies.append(function)
    taxonomy = load_taxonomy()
    for code, topic in taxonomy.topics.items():
        for keyword in topic.keywords:
            data.texts.append(keyword)
            data.topics.append(code)
            data.agencies.append(topic.function)
    return data


def train_bootstrap_bundle(data: TrainingSet | None = None) -> ModelBundle:
    """The model a new deployment starts with: the team's seed examples and taxonomy
    keywords; its agency head predicts functions, so each label is its own function."""
    data = data if data is not None else bootstrap_training_set()
    bundle = train_bundle(data, agency_map=None)
    bundle.agency_functions = {f: f for f in set(filter(None, data.agencies))}
    return bundle


def ensure_active_model(registry: ModelRegistry) -> str:
    """The active version; trains and activates the bootstrap model if there is none."""
    active = registry.active_version()
    if active is not None:
        return active
    data = bootstrap_training_set()
    bundle = train_bootstrap_bundle(data)
    version = registry.save(
        bundle,
        kind="bootstrap",
        data_digest=data.digest(),
        n_rows=len(data),
        version=f"bootstrap-{data.digest()[:10]}",
    )
    registry.set_active(version)
    log.info("bootstrap model %s trained and activated", version)
    return version
