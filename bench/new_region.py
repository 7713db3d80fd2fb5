"""A new region learns fast: from the shipped bootstrap model to a useful one with admin
decisions, through the same retrain path as production (training mix + promotion gate).

Simulation: the Surabaya 2022 complaints are a region the bootstrap model never saw;
admins decide its posts in batches of ``--step`` (the answers are the rows' labels),
either least-confident-first (the queue's "paling tidak yakin" order) or in random
order; after each batch the model is retrained with ``classifier.mix.training_mix``
(seed examples + decisions, weighted) and ``train_and_register`` (fixed holdout, gate,
final fit on everything). Scored on the 2023-01..03 months (never decided): topic
accuracy, and function accuracy on rows whose agency has a function (the kelurahan/
kecamatan catch-all is routing policy, not content). Reference: the same mix with every
2022 row as a decision, and the bootstrap model before any decision.

    python -m bench.new_region [--step 100] [--rounds 10] [--weight 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.classifier_quality import DATA, time_split
from classifier.lifecycle import train_and_register
from classifier.mix import as_functions, seed_set, training_mix
from classifier.registry import ModelRegistry
from classifier.train import ModelBundle, TrainingSet, load_training_csv, train_bundle


def score(bundle: ModelBundle, test: TrainingSet) -> dict[str, float]:
    topic = float((bundle.topic.predict(test.texts) == np.asarray(test.topics)).mean())
    rows = [i for i, a in enumerate(test.agencies) if a]
    function = 0.0
    if bundle.agency is not None and rows:
        predicted = bundle.agency.predict([test.texts[i] for i in rows])
        function = float((predicted == np.asarray([test.agencies[i] for i in rows])).mean())
    return {"topic": round(topic, 4), "function": round(function, 4)}


def simulate(
    pool: TrainingSet, test: TrainingSet, *, strategy: str, step: int, rounds: int,
    weight: float, seed: int = 0,
) -> list[dict[str, Any]]:  # fmt: skip
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        registry = ModelRegistry(Path(tmp))
        seeds = seed_set()
        bootstrap = train_bundle(seeds)
        registry.set_active(
            registry.save(
                bootstrap,
                kind="bootstrap",
                data_digest=seeds.digest(),
                n_rows=len(seeds),
                extra={"newest_row": ""},
            )
        )
        curve = [{"decisions": 0, **score(bootstrap, test), "promoted": True}]
        current = bootstrap
        decided: list[int] = []
        decided_at: dict[int, str] = {}
        rest = list(range(len(pool)))
        for round_no in range(rounds):
            if strategy == "uncertainty":
                proba = current.topic.predict_proba([pool.texts[i] for i in rest])
                pick = [rest[i] for i in np.argsort(proba.max(axis=1), kind="stable")[:step]]
            else:
                pick = rng.sample(rest, step)
            decided += pick
            # Each decision carries the time it was taken (batch by batch), as in
            # triage_decisions: the gate's "newest rows" are the newest decisions.
            day = f"2026-12-{1 + round_no:02d}"
            decided_at.update({i: f"{day}T{k // 60:02d}:{k % 60:02d}" for k, i in enumerate(pick)})
            chosen = set(pick)
            rest = [i for i in rest if i not in chosen]
            decisions = pool.subset(decided)
            decisions.dates = [decided_at[i] for i in decided]
            mix = training_mix(decisions, decision_weight=weight)
            outcome = train_and_register(registry, mix)
            promoted = bool(outcome.promotion is None or outcome.promotion.promoted)
            if promoted:
                current = registry.load(outcome.version)
            curve.append({"decisions": len(decided), **score(current, test), "promoted": promoted})
    return curve


def run(step: int, rounds: int, weight: float) -> dict[str, Any]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    data = load_training_csv(DATA)
    pool, test = time_split(data)
    pool, test = as_functions(pool), as_functions(test)
    started = time.perf_counter()
    everything = train_bundle(training_mix(pool, decision_weight=1.0))
    reference = score(everything, test)
    result: dict[str, Any] = {
        "test_rows": len(test),
        "all_data": reference,
        "all_data_rows": len(pool),
        "weight": weight,
    }
    for strategy in ("uncertainty", "random"):
        result[strategy] = simulate(
            pool, test, strategy=strategy, step=step, rounds=rounds, weight=weight
        )
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--weight", type=float, default=3.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.step, args.rounds, args.weight)
    if args.json:
        print(json.dumps(result, indent=2))
        return result
    ref = result["all_data"]
    print(
        f"all {result['all_data_rows']} Surabaya 2022 rows + seeds: topic {ref['topic']:.3f}, "
        f"function {ref['function']:.3f} (test: {result['test_rows']} rows of 2023-01..03)"
    )
    print(
        "decisions  topic (least confident)  function  topic (random)  function  "
        "share of all-data topic (lc / random)"
    )
    for a, b in zip(result["uncertainty"], result["random"], strict=True):
        print(
            f"{a['decisions']:9d}  {a['topic']:23.3f}  {a['function']:8.3f}  "
            f"{b['topic']:14.3f}  {b['function']:8.3f}  "
            f"{a['topic'] / ref['topic']:.2f} / {b['topic'] / ref['topic']:.2f}"
            + ("" if a["promoted"] and b["promoted"] else "  (a candidate refused by the gate)")
        )
    print(f"{result['seconds']} s")
    return result


if __name__ == "__main__":
    main()
