"""Template filters. Untrusted text is escaped here piece by piece, never marked safe whole."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from aduan.settings import Settings
from classifier.taxonomy import load_taxonomy
from models.enums import ComplaintStatus, SourceKind, TriageState
from models.event import ACTION_LABELS, ENTITY_LABELS
from models.workdays import Deadlines, load_holidays

__all__ = ["highlight", "register_filters", "text_with_breaks"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
#: Icons shipped with the app (web/static/icons), not emoji: a machine without an emoji
#: font showed empty boxes.
SOURCE_ICONS = {
    "x": "x",
    "rss": "news",
    "article": "news",
    "manual": "manual",
    "web_form": "web_form",
}


def text_with_breaks(value: str | None) -> Markup:
    """Escaped text with its line breaks kept."""
    return Markup("<br>").join(escape(part) for part in (value or "").split("\n"))


def highlight(value: str | None, mentions: list[dict[str, Any]] | None, offset: int = 0) -> Markup:
    """``value`` escaped, with the agency and place mentions wrapped in ``<mark>``.

    ``mentions`` carry spans in the text the classifier read; ``offset`` is where
    ``value`` starts in it. A span that no longer matches the text is left plain.
    """
    value = value or ""
    spans = []
    for m in mentions or []:
        try:
            start, end, kind = int(m["start"]) - offset, int(m["end"]) - offset, str(m["kind"])
        except (KeyError, TypeError, ValueError):
            continue
        if (
            0 <= start < end <= len(value)
            and value[start:end].casefold() == str(m.get("text", "")).casefold()
        ):
            spans.append((start, end, "agency" if kind == "agency" else "region"))
    spans.sort()
    out: list[Markup] = []
    pos = 0
    for start, end, kind in spans:
        if start < pos:
            continue
        out.append(text_with_breaks(value[pos:start]))
        label = "instansi" if kind == "agency" else "wilayah"
        out.append(
            Markup('<mark class="m-{}" title="{}">{}</mark>').format(
                kind, label, text_with_breaks(value[start:end])
            )
        )
        pos = end
    out.append(text_with_breaks(value[pos:]))
    return Markup("").join(out)


def register_filters(env: Environment, settings: Settings) -> None:
    tz = settings.tz
    taxonomy = load_taxonomy()
    topic_labels = {code: t.label for code, t in taxonomy.topics.items()}

    def local_time(value: datetime | None, with_time: bool = True) -> str:
        if value is None:
            return "-"
        local = value.astimezone(tz)
        day = f"{local.day} {_MONTHS[local.month - 1]} {local.year}"
        return f"{day} {local:%H:%M} WITA" if with_time else day

    def percent(value: float | None) -> str:
        return "-" if value is None else f"{value * 100:.0f}%"

    deadlines = Deadlines(settings.follow_up_days, tz, load_holidays(settings.holidays_file))

    def days_left(complaint: Any, now: datetime) -> str:
        """ "2 hari kerja lagi", "hari ini", "terlambat 3 hari kerja" for a complaint the
        SKPD still owes a follow-up; "-" otherwise."""
        if complaint.status is not ComplaintStatus.FORWARDED or complaint.due_at is None:
            return "-"
        left = deadlines.working_days_left(complaint.due_at, now)
        if complaint.is_overdue(now):
            return f"terlambat {max(1, -left)} hari kerja"
        return "hari ini" if left <= 0 else f"{left} hari kerja lagi"

    env.filters["sisa"] = days_left
    env.filters["waktu"] = local_time
    env.filters["persen"] = percent
    env.filters["baris"] = text_with_breaks
    env.filters["sorot"] = highlight
    env.filters["topik"] = lambda code: topic_labels.get(code or "", code or "-")
    env.filters["ikon"] = source_icon
    env.filters["url_aman"] = safe_url
    env.filters["label"] = state_label
    env.filters["aksi"] = lambda action: ACTION_LABELS.get(str(action), str(action))
    env.filters["entitas"] = lambda kind: ENTITY_LABELS.get(str(kind), str(kind))
    env.globals["topic_labels"] = topic_labels


_STATE_LABELS = {
    **{s.value: s.label for s in ComplaintStatus},
    **{s.value: s.label for s in TriageState},
}


def state_label(value: object) -> str:
    """The Indonesian label of a stored status or triage state value."""
    return _STATE_LABELS.get(str(value), str(value))


def source_icon(kind: str) -> Markup:
    """An <img> of the source kind's icon, with its Indonesian name as text alternative."""
    name = SOURCE_ICONS.get(str(kind), "manual")
    try:
        label = SourceKind(str(kind)).label
    except ValueError:
        label = str(kind)
    return Markup(
        '<img class="icon" src="/static/icons/{}.svg" alt="{}" title="{}" width="16" height="16">'
    ).format(name, label, label)


def safe_url(value: str | None) -> str | None:
    """Only http(s) links from collected items (no ``javascript:`` or ``data:``)."""
    if value and value.lower().startswith(("http://", "https://")):
        return value
    return None
