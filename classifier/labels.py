"""Mapping a training set's agency names onto aduan's agency classes, functions and topics.

The shipped map (``data/surabaya_agencies.yaml``) covers the Surabaya complaint data; a
deployment trains on its own SP4N-LAPOR! history with a map of its own (same format).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

__all__ = ["DEFAULT_AGENCY_MAP", "AgencyMap", "load_agency_map"]

DEFAULT_AGENCY_MAP = Path(__file__).resolve().parent / "data" / "surabaya_agencies.yaml"


@dataclass(frozen=True, slots=True)
class AgencyMap:
    agencies: dict[str, tuple[str, str]]  # name -> (function, topic)
    office_class: str
    office_prefixes: tuple[str, ...]
    office_function: str
    office_topic: str

    def agency_class(self, name: str) -> str:
        """Local offices (kelurahan, kecamatan) are one class; other agencies keep their name."""
        name = name.strip()
        return self.office_class if name.startswith(self.office_prefixes) else name

    def function(self, name: str) -> str | None:
        name = name.strip()
        if name.startswith("fungsi:"):  # a label from an admin decision
            return name.removeprefix("fungsi:")
        if name == self.office_class or name.startswith(self.office_prefixes):
            return self.office_function
        entry = self.agencies.get(name)
        return entry[0] if entry else None

    def topic(self, name: str) -> str | None:
        name = name.strip()
        if name == self.office_class or name.startswith(self.office_prefixes):
            return self.office_topic
        entry = self.agencies.get(name)
        return entry[1] if entry else None


@lru_cache(maxsize=4)
def load_agency_map(path: Path = DEFAULT_AGENCY_MAP) -> AgencyMap:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    offices = data.get("offices") or {}
    return AgencyMap(
        agencies={name: (v["function"], v["topic"]) for name, v in data["agencies"].items()},
        office_class=offices.get("class", "Kelurahan/Kecamatan"),
        office_prefixes=tuple(offices.get("prefixes", [])),
        office_function=offices.get("function", "governance"),
        office_topic=offices.get("topic", "other"),
    )
