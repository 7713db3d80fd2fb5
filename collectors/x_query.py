"""X search queries built from the registry: hashtags, agency handles, and place names
combined with public-service problem words. Each query stays under X's length limit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["HASHTAGS", "PROBLEM_TERMS", "build_queries"]

MAX_QUERY_LENGTH = 512
HASHTAGS = ("#LaporPaman", '"lapor paman"', "#SP4NLAPOR", "#LaporKalsel")
PROBLEM_TERMS = (
    '"jalan rusak"',
    "berlubang",
    '"lampu jalan"',
    "PJU",
    "banjir",
    "sampah",
    "macet",
    "parkir",
    "KTP",
    "dukcapil",
    '"akta kelahiran"',
    "puskesmas",
    "PDAM",
    "sekolah",
    "pungli",
    "bansos",
    "PKL",
)


def _quote(term: str) -> str:
    term = term.strip()
    if term.startswith(("@", "#", '"')) or " " not in term:
        return term
    return f'"{term}"'


def _or_groups(terms: Sequence[str], *, room: int) -> list[str]:
    """Pack terms into ``(a OR b OR ...)`` groups no longer than ``room`` characters."""
    groups: list[str] = []
    current: list[str] = []
    for term in terms:
        candidate = "(" + " OR ".join([*current, term]) + ")"
        if current and len(candidate) > room:
            groups.append("(" + " OR ".join(current) + ")")
            current = [term]
        else:
            current.append(term)
    if current:
        groups.append("(" + " OR ".join(current) + ")")
    return groups


def build_queries(places: Iterable[str], handles: Iterable[str]) -> list[str]:
    """Queries for recent search: hashtags and handles alone; places with problem words."""
    suffix = " lang:id"
    handle_terms = sorted({_quote(h if h.startswith("@") else f"@{h}") for h in handles if h})
    queries = _or_groups([*HASHTAGS, *handle_terms], room=MAX_QUERY_LENGTH - len(suffix))
    queries = [q + suffix for q in queries]
    problems = "(" + " OR ".join(PROBLEM_TERMS) + ")"
    room = MAX_QUERY_LENGTH - len(suffix) - len(problems) - 1
    place_terms = sorted({_quote(p) for p in places if p})
    for group in _or_groups(place_terms, room=room):
        queries.append(f"{group} {problems}{suffix}")
    return queries
