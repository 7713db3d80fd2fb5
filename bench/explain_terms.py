"""Reason terms per suggestion: ``explain`` with the vocabulary array built on every call
(the old way) against built once per vectorizer, timed in the same run.

Run: python -m bench.explain_terms [--texts 2000]
"""

from __future__ import annotations

import argparse
import time

from bench.classifier_quality import DATA
from classifier import model as m
from classifier.train import load_training_csv, train_bundle


def run(n_texts: int) -> dict[str, float]:
    data = load_training_csv(DATA)
    bundle = train_bundle(data)
    texts = data.texts[:n_texts]
    start = time.perf_counter()
    for text in texts:
        m._NAMES.clear()  # the old behaviour: the vocabulary array rebuilt for every text
        m.explain(bundle.topic, text, "infrastructure")
    uncached = time.perf_counter() - start
    start = time.perf_counter()
    for text in texts:
        m.explain(bundle.topic, text, "infrastructure")
    cached = time.perf_counter() - start
    return {
        "vocabulary": len(m.word_block(bundle.topic.named_steps["words"])[0].vocabulary_),
        "uncached_per_s": len(texts) / uncached,
        "cached_per_s": len(texts) / cached,
        "ratio": uncached / cached,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=2000)
    r = run(parser.parse_args().texts)
    print(
        f"vocabulary {r['vocabulary']:.0f} terms: rebuilt per call {r['uncached_per_s']:.0f} "
        f"texts/s, built once {r['cached_per_s']:.0f} texts/s ({r['ratio']:.1f}x)"
    )


if __name__ == "__main__":
    main()
