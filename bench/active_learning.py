"""Learning from admins' decisions: macro-F1 as decisions accumulate, when admins work
the queue least-confident-first (active learning) versus in random order.

Decisions are simulated with held-back labelled rows: the 2022 Surabaya complaints are
the queue, their labels the admins' answers; 2023-01..03 is the test set.

    python -m bench.active_learning [--start 300] [--step 300] [--rounds 8]
"""

from __future__ import annotations

import argparse
import random

import numpy as np
from sklearn.metrics import f1_score

from bench.classifier_quality import DATA, time_split
from classifier.model import build_pipeline
from classifier.train import load_training_csv


def simulate(start: int, step: int, rounds: int, seed: int = 0) -> dict[str, list[float]]:
    pool, test = time_split(load_training_csv(DATA))
    rng = random.Random(seed)
    first = rng.sample(range(len(pool)), start)
    curves: dict[str, list[float]] = {}
    for strategy in ("uncertainty", "random"):
        labelled = list(first)
        rest = sorted(set(range(len(pool))) - set(labelled))
        order_rng = random.Random(seed + 1)
        scores = []
        for _ in range(rounds + 1):
            model = build_pipeline(min_df=1).fit(
                [pool.texts[i] for i in labelled], [pool.topics[i] for i in labelled]
            )
            predicted = model.predict(test.texts)
            scores.append(round(float(f1_score(test.topics, predicted, average="macro")), 4))
            if strategy == "uncertainty":
                proba = model.predict_proba([pool.texts[i] for i in rest])
                pick = [rest[i] for i in np.argsort(proba.max(axis=1))[:step]]
            else:
                pick = order_rng.sample(rest, step)
            labelled += pick
            chosen = set(pick)
            rest = [i for i in rest if i not in chosen]
        curves[strategy] = scores
    curves["decisions"] = [start + step * r for r in range(rounds + 1)]
    return curves


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=int, default=300)
    parser.add_argument("--step", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args(argv)
    curves = simulate(args.start, args.step, args.rounds)
    print("decisions  macro-F1 (least confident first)  macro-F1 (random order)")
    for n, a, b in zip(curves["decisions"], curves["uncertainty"], curves["random"], strict=True):
        print(f"{n:9d}  {a:32.3f}  {b:23.3f}")


if __name__ == "__main__":
    main()
