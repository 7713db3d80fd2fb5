"""Run every benchmark: python -m bench [name ...]."""

from __future__ import annotations

import sys

from bench import (
    active_learning,
    classifier_quality,
    extraction,
    ingest,
    mentions,
    pipeline,
    reports,
    web,
)

BENCHMARKS = {
    "pipeline": pipeline.main,
    "classifier_quality": classifier_quality.main,
    "active_learning": active_learning.main,
    "web": web.main,
    "reports": reports.main,
    "ingest": ingest.main,
    "mentions": lambda argv: mentions.main(),
    "extraction": lambda argv: extraction.main(),
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(BENCHMARKS)
    for name in names:
        BENCHMARKS[name]([])
