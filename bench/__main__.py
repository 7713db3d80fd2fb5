"""Run every benchmark: python -m bench [name ...]."""

from __future__ import annotations

import sys

from bench import pipeline

BENCHMARKS = {"pipeline": pipeline.main}

if __name__ == "__main__":
    names = sys.argv[1:] or list(BENCHMARKS)
    for name in names:
        BENCHMARKS[name]([])
