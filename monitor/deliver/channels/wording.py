"""What one feed item says, in the words every channel uses (pure).

The outbox and the digest read each stored JSON Feed item (CONTRACT.md shape) once, with
`read_alert`, and hand channels the typed `Alert`; Slack, the console and the email digest
render only its fields, so "what happened" is phrased the same way everywhere. Items are
stored JSON: every key is read defensively, a missing or malformed one becomes empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from monitor.clock import BEIJING, utc

# Kind of change → heading, in the order a reader wants them.
GROUPS: Mapping[str, str] = {
    "suspended": "Suspensions",
    "repealed": "Repeals",
    "new": "New notices",
    "revised": "Revised notices",
    "takes_effect": "Measures taking effect",
    "suspension_ended": "Suspensions ended",
    "withdrawn": "Withdrawn notices",
    "other": "Other changes",
}

_ACTION_PAST = {
    "suspend": "suspended",
    "repeal": "repealed",
    "amend": "amended",
    "extend": "extended",
}
_KIND_LABEL = {
    "control": "control",
    "suspension": "suspension",
    "repeal": "repeal",
    "adjustment": "adjustment",
    "designation": "control/watch list designation",
    "unreliable_entity": "unreliable entity list",
    "license": "licensing",
    "commentary": "commentary",
    "other": "other",
}
_MAX_LISTED_TARGETS = 4


@dataclass(frozen=True)
class Alert:
    """The parts of one event a human reads, already worded."""

    event_id: str
    event: str
    group: str
    happened: str  # "new rare-earth notice", "suspends MOFCOM-2025-61 until 2026-11-10"
    label: str  # document number, else title
    doc_key: str
    title: str
    url: str
    summary: str
    kind: str
    published: str
    issuers: tuple[str, ...]
    elements: tuple[str, ...]
    control_codes: tuple[str, ...]
    hs_codes: tuple[str, ...]
    effective: tuple[str, ...]  # "2025-12-01 (第一款)"
    affects: tuple[str, ...]  # "MOFCOM-2025-61 suspended until 2026-11-10"
    added: tuple[str, ...]
    removed: tuple[str, ...]
    source: str
    detected: str  # Beijing time, "2025-10-09 10:12"
    detected_at: datetime | None  # the same moment in UTC; None when unreadable
    relevant: bool
    page_url: str = ""  # the notice's page on regwatch ([server] public_url), else empty
    title_en: str = ""  # the English headline (0.2), shown beside the Chinese title

    @property
    def english(self) -> str:
        """`title_en` when it adds something to what the title and label already say."""
        return "" if self.title_en in (self.title, self.label) else self.title_en

    @property
    def headline(self) -> str:
        return f"{self.label} — {self.happened}"

    @property
    def subtitle(self) -> str:
        """The title without the document number it starts with (the label shows it)."""
        return title_without_number(self)


def _section(item: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = item.get(key)
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return ()
    return tuple(str(v) for v in value if v not in (None, ""))


def _text(value: Any) -> str:
    return str(value).strip() if value not in (None, "") else ""


def _mappings(raw: Any) -> list[Mapping[str, Any]]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        return []
    return [entry for entry in raw if isinstance(entry, Mapping)]


def _affects(raw: Any) -> list[Mapping[str, Any]]:
    return [a for a in _mappings(raw) if a.get("doc_key")]


def describe_affect(affect: Mapping[str, Any]) -> str:
    action = str(affect.get("action") or "")
    text = f"{affect['doc_key']}"
    if affect.get("scope"):
        text += f" {affect['scope']}"
    text += f" {_ACTION_PAST.get(action, action)}".rstrip()
    if affect.get("until"):
        text += f" until {affect['until']}"
    return text


def _targets(affects: list[Mapping[str, Any]], action: str) -> str:
    chosen = [a for a in affects if a.get("action") == action]
    keys = [str(a["doc_key"]) + (f" {a['scope']}" if a.get("scope") else "") for a in chosen]
    shown = ", ".join(keys[:_MAX_LISTED_TARGETS])
    if len(keys) > _MAX_LISTED_TARGETS:
        shown += f" and {len(keys) - _MAX_LISTED_TARGETS} more"
    untils = sorted({str(a["until"]) for a in chosen if a.get("until")})
    if len(untils) == 1:
        shown += f" until {untils[0]}"
    return shown


def group_and_happened(item: Mapping[str, Any]) -> tuple[str, str]:
    """The kind of change (a `GROUPS` key) and a short phrase saying what happened."""
    meta = _section(item, "_regwatch")
    notice = _section(meta, "notice")
    event = str(meta.get("event") or "")
    relevant = bool(_section(meta, "rare_earth").get("relevant"))
    affects = _affects(meta.get("affects"))
    actions = {str(a.get("action")) for a in affects}
    if event == "notice.new":
        if "suspend" in actions:
            return "suspended", f"suspends {_targets(affects, 'suspend')}"
        if "repeal" in actions:
            return "repealed", f"repeals {_targets(affects, 'repeal')}"
        if "extend" in actions:
            return "new", f"extends {_targets(affects, 'extend')}"
        return "new", "new rare-earth notice" if relevant else "new notice"
    if event == "notice.reported":
        return "new", "reported, not yet seen at an official source"
    if event == "notice.revised":
        return "revised", "text revised"
    if event == "notice.withdrawn":
        return "withdrawn", "withdrawn from its source"
    if event == "measure.effective":
        due = _text(meta.get("due_date"))
        scopes = [
            str(e.get("scope"))
            for e in _mappings(notice.get("effective"))
            if e.get("from") == due and e.get("scope")
        ]
        scope = f" ({'; '.join(scopes)})" if scopes else ""
        return "takes_effect", (f"takes effect {due}" if due else "takes effect") + scope
    if event == "measure.suspension_ended":
        cause = _text(meta.get("cause"))
        due = _text(meta.get("due_date"))
        by = f" by {cause}" if cause else ""
        again = f"applies again from {due}" if due else "applies again"
        return "suspension_ended", f"suspension{by} ended; {again}"
    return "other", event or "changed"


def _moment(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def beijing_time(value: str) -> str:
    moment = _moment(value)
    if moment is None or moment.tzinfo is None:
        return value
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + " Beijing"


def read_alert(item: Mapping[str, Any], *, public_url: str | None = None) -> Alert:
    """The `Alert` of one stored feed item; any JSON object reads, however malformed.

    With `public_url` (``[server] public_url``) it links the notice's page there too."""
    meta = _section(item, "_regwatch")
    notice = _section(meta, "notice")
    rare_earth = _section(meta, "rare_earth")
    diff = _section(meta, "diff")
    group, happened = group_and_happened(item)
    doc_number = _text(notice.get("doc_number"))
    title = _text(notice.get("title")) or _text(item.get("title"))
    url = _text(item.get("url")) or _text(notice.get("url"))
    effective = tuple(
        f"{e.get('from')}" + (f" ({e['scope']})" if e.get("scope") else "")
        for e in _mappings(notice.get("effective"))
        if e.get("from")
    )
    detected = _text(meta.get("detected_at")) or _text(item.get("date_published"))
    moment = _moment(detected)
    return Alert(
        event_id=_text(item.get("id")),
        event=_text(meta.get("event")),
        group=group,
        happened=happened,
        label=doc_number or title or _text(notice.get("doc_key")) or url,
        doc_key=_text(notice.get("doc_key")),
        title=title,
        url=url,
        summary=_text(item.get("content_text")),
        kind=_KIND_LABEL.get(_text(notice.get("kind")), _text(notice.get("kind"))),
        published=_text(notice.get("published")),
        issuers=_strings(notice.get("issuers")),
        elements=_strings(rare_earth.get("elements")),
        control_codes=_strings(rare_earth.get("control_codes")),
        hs_codes=_strings(rare_earth.get("hs_codes")),
        effective=effective,
        affects=tuple(describe_affect(a) for a in _affects(meta.get("affects"))),
        added=_strings(diff.get("added")),
        removed=_strings(diff.get("removed")),
        source=_text(meta.get("source")),
        detected=beijing_time(detected),
        detected_at=utc(moment) if moment is not None else None,
        relevant=bool(rare_earth.get("relevant")),
        page_url=notice_page_url(public_url, _text(notice.get("doc_key"))),
        title_en=_text(notice.get("title_en")),
    )


def notice_page_url(public_url: str | None, doc_key: str) -> str:
    """``<public_url>/notices/<doc_key>``, the key escaped (it may be a URL); empty without."""
    if not public_url or not doc_key:
        return ""
    return f"{public_url.rstrip('/')}/notices/{quote(doc_key, safe='')}"


def title_without_number(alert: Alert) -> str:
    """The title with a leading document number removed (it is already the label)."""
    title = alert.title
    if alert.label and title.replace(" ", "").startswith(alert.label.replace(" ", "")):
        squeezed_len = len(alert.label.replace(" ", ""))
        seen = 0
        for index, char in enumerate(title):
            if char != " ":
                seen += 1
            if seen == squeezed_len:
                return title[index + 1 :].strip()
    return "" if title == alert.label else title
