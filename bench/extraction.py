"""Article extraction: our generic rules (collectors.article without trafilatura), plain
trafilatura, and what ships (sites.yaml rules, JSON-LD, trafilatura for sites without a
body rule, our rules as the fallback), on the saved pages of
../shared/fixtures/html and a hand-checked reference (bench/data/extraction_reference.yaml).

Per article page: the headline (a site name around it is tolerated), the date as the page
shows it, the byline where the page names one, the body starting at the lead, ending at
the last sentence (at most 80 characters after it), and none of the page's noise (menus,
related links, comments). Front pages: how much text each calls an article. Speed: all
pages, extracted 5 times.

    python -m bench.extraction
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from collectors.article import extract_article

HTML = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "html"
REFERENCE = Path(__file__).with_name("data") / "extraction_reference.yaml"
WIB = ZoneInfo("Asia/Jakarta")

Extracted = dict[str, Any]  # title, date (a date or None), author, text


def ours(raw: bytes, url: str, *, use_trafilatura: bool = True) -> Extracted:
    article = extract_article(raw, url=url, use_trafilatura=use_trafilatura)
    published = article.published_at.astimezone(WIB).date() if article.published_at else None
    return {
        "title": article.title,
        "date": published,
        "author": article.author,
        "text": article.text,
    }


def trafilatura_(raw: bytes, url: str) -> Extracted:
    import trafilatura

    doc = trafilatura.bare_extraction(raw, url=url, with_metadata=True)
    if doc is None:
        return {"title": None, "date": None, "author": None, "text": ""}
    found = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    day = found.get("date")
    return {
        "title": found.get("title"),
        "date": date.fromisoformat(day[:10]) if day else None,
        "author": found.get("author"),
        "text": found.get("text") or "",
    }


def _norm(text: str | None) -> str:
    """Whitespace collapsed, no space before punctuation, casefolded: layout differences
    between extractors are not errors."""
    text = re.sub(r"\s+", " ", text or "")
    return re.sub(r" ([,.;:!?])", r"\1", text).strip().casefold()


def score(found: Extracted, ref: dict[str, Any]) -> dict[str, bool | None]:
    title, text = _norm(found["title"]), _norm(found["text"])
    lead, last = _norm(ref["lead"]), _norm(ref["last"])
    ref_title = _norm(ref["title"])
    after = text.rfind(last)
    return {
        "title": ref_title in title and len(title) - len(ref_title) <= 30,
        "date": found["date"] == ref["date"],
        "author": (_norm(ref["author"]) in _norm(found["author"])) if ref["author"] else None,
        "lead": lead in text[: len(lead) + 300],
        "last": after >= 0 and len(text) - (after + len(last)) <= 80,
        "clean": not any(_norm(n) in text for n in ref["noise"]),
    }


def main() -> dict[str, Any]:
    reference = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))["pages"]
    extractors: dict[str, Callable[[bytes, str], Extracted]] = {
        "generic rules": lambda raw, url: ours(raw, url, use_trafilatura=False),
        "trafilatura": trafilatura_,
        "shipped": ours,
    }
    pages = sorted(HTML.glob("*.html"))
    results: dict[str, Any] = {}
    for name, extract in extractors.items():
        totals: dict[str, list[bool]] = {}
        misses: list[str] = []
        for page in pages:
            ref = reference.get(page.name)
            if ref is None:
                continue
            found = extract(page.read_bytes(), ref["url"])
            for check, ok in score(found, ref).items():
                if ok is None:
                    continue
                totals.setdefault(check, []).append(ok)
                if not ok:
                    misses.append(f"{page.stem}:{check}")
        front = [
            len(extract(p.read_bytes(), "https://example.id/")["text"])
            for p in pages
            if p.name not in reference
        ]
        raws = [p.read_bytes() for p in pages]
        started = time.perf_counter()
        for _ in range(5):
            for raw in raws:
                extract(raw, "https://example.id/read/x")
        rate = 5 * len(raws) / (time.perf_counter() - started)
        body = sum(sum(totals[c]) for c in ("lead", "last", "clean"))
        results[name] = {"checks": totals, "rate": rate, "front": front, "misses": misses}
        print(
            f"{name:13} "
            + "  ".join(f"{c} {sum(v)}/{len(v)}" for c, v in totals.items())
            + f"  body {body}/{3 * len(totals['lead'])}  {rate:5.1f} pages/s"
            + f"  front pages: {front} characters"
        )
        print(f"{'':13} missed: {', '.join(misses) or '-'}")
    return results


if __name__ == "__main__":
    main()
