"""The taxonomy (coarse topics and government functions) loaded from its data file."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

__all__ = ["Taxonomy", "Topic", "load_taxonomy"]

TAXONOMY_FILE = Path(__file__).resolve().parent / "data" / "taxonomy.yaml"


@dataclass(frozen=True, slots=True)
class Topic:
    code: str
    label: str
    function: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Taxonomy:
    topics: dict[str, Topic]
    functions: dict[str, str]  # code -> Indonesian label

    def topic_label(self, code: str | None) -> str:
        if code is None:
            return "-"
        topic = self.topics.get(code)
        return topic.label if topic else code


@lru_cache(maxsize=2)
def load_taxonomy(path: Path = TAXONOMY_FILE) -> Taxonomy:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    functions = {code: spec["label"] for code, spec in data["functions"].items()}
    topics = {}
    for code, spec in data["topics"].items():
        if spec["function"] not in functions:
            raise ValueError(f"topic {code}: unknown function {spec['function']!r}")
        topics[code] = Topic(
            code=code,
            label=spec["label"],
            function=spec["function"],
            keywords=tuple(k.lower() for k in spec.get("keywords", [])),
        )
    return Taxonomy(topics=topics, functions=functions)
