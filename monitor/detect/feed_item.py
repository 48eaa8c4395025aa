"""Events → JSON Feed 1.1 items, exactly as CONTRACT.md ("JSON Feed") shows them (pure).

The pipeline calls `item_for_event` once, when an event is detected, and the store keeps
the item frozen in ``events.item``, so a feed never changes its mind about what an event
said.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from monitor.clock import utc
from monitor.codec import (
    affect_to_json,
    diff_to_json,
    effective_to_json,
    entity_row_to_json,
    iso_date,
    items_diff_to_json,
    items_to_json,
    verdict_to_json,
)
from monitor.detect.title_en import title_en
from monitor.models import (
    Affect,
    AffectAction,
    Event,
    EventKind,
    Notice,
    NoticeFacts,
    TextDiff,
)

ITEM_SCHEMA = 1
RARE_EARTH_TAG = "rare-earth"

_ACTION_VERBS = {
    AffectAction.SUSPEND: "Suspends",
    AffectAction.REPEAL: "Repeals",
    AffectAction.AMEND: "Amends",
    AffectAction.EXTEND: "Extends",
}


# ---------------------------------------------------------------------------------------
# One item per event (pure)


def item_for_event(event: Event) -> dict[str, Any]:
    """The JSON Feed item for `event`, exactly in the shape CONTRACT.md promises."""
    notice = event.notice
    measure = event.kind in (EventKind.MEASURE_EFFECTIVE, EventKind.MEASURE_SUSPENSION_ENDED)
    if measure and event.due_date is None:
        raise ValueError(f"{event.kind} event {event.id} has no due_date")
    detected_at = rfc3339(event.detected_at)
    regwatch: dict[str, Any] = {
        "schema": ITEM_SCHEMA,
        "event": event.kind.value,
        "source": event.source_id,
        "detected_at": detected_at,
        "notice": notice_json(notice),
        "rare_earth": {**verdict_to_json(notice.verdict), "relevant": event.relevant},
        "affects": [affect_to_json(a) for a in notice.facts.affects],
    }
    if event.kind is EventKind.NOTICE_REVISED:
        regwatch["diff"] = diff_to_json(event.diff or TextDiff(added=(), removed=(), patch=""))
        if event.items_diff:
            regwatch["items_diff"] = items_diff_to_json(event.items_diff)
    if measure:
        regwatch["due_date"] = iso_date(event.due_date)
        regwatch["cause"] = event.cause_doc_key
    return {
        "id": event.id,
        "url": notice.url,
        "title": display_title(notice),
        "content_text": summary_text(event),
        "date_published": detected_at,
        "tags": _tags(event),
        "_regwatch": regwatch,
    }


def rfc3339(moment: datetime) -> str:
    """UTC, whole seconds, ``Z`` suffix; a naive time is taken to be UTC already."""
    return utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


def display_title(notice: Notice) -> str:
    """Document number + title, without doubling a number the title already starts with."""
    number = doc_number_of(notice)
    title = notice.title.strip()
    if not number:
        return title or notice.url
    if _squeeze(title).startswith(_squeeze(number)):
        return title
    return f"{number} {title}".strip()


def doc_number_of(notice: Notice) -> str | None:
    return notice.doc_number or notice.facts.doc_number


def summary_text(event: Event) -> str:
    """A short human summary: what happened, to which notice, and why it matters."""
    notice = event.notice
    ident = _ident(notice)
    if event.kind is EventKind.NOTICE_REPORTED:
        parts = [
            f"Notice {notice.doc_key} reported ({_bare_title(notice)}), "
            "not yet seen at an official source."
        ]
    elif event.kind is EventKind.NOTICE_NEW:
        published = notice.published or notice.facts.published
        issuers = "、".join(notice.facts.issuers)
        head = f"New notice {ident}: {_bare_title(notice)}"
        if published:
            head += f", published {published.isoformat()}"
        if issuers:
            head += f" by {issuers}"
        parts = [head + ".", *_affects_sentences(notice.facts.affects)]
        if notice.facts.effective:
            parts.append("Effective " + _effective_phrase(notice) + ".")
    elif event.kind is EventKind.NOTICE_REVISED:
        diff = event.diff or TextDiff(added=(), removed=(), patch="")
        head = (
            f"Text of {ident} revised: {_count(len(diff.added), 'passage')} added, "
            f"{len(diff.removed)} removed."
        )
        parts = [head + (" Major rewrite." if diff.major_rewrite else "")]
        if event.items_diff:
            changes = event.items_diff
            parts.append(
                f"Items: {len(changes.added)} added, {len(changes.removed)} removed, "
                f"{len(changes.changed)} changed."
            )
    elif event.kind is EventKind.NOTICE_WITHDRAWN:
        parts = [f"{ident} is no longer listed by source {event.source_id} (withdrawn)."]
    elif event.kind is EventKind.MEASURE_EFFECTIVE:
        due = iso_date(event.due_date)
        scopes = [e.scope for e in notice.facts.effective if e.from_ == event.due_date]
        scope = f" ({'; '.join(scopes)})" if scopes else ""
        parts = [f"Measure {ident} takes effect on {due}{scope}: {_bare_title(notice)}."]
    else:
        cause = f" by {event.cause_doc_key}" if event.cause_doc_key else ""
        parts = [
            f"Suspension{cause} of {ident} has lapsed and no later notice extended it: the "
            f"measure applies again from {iso_date(event.due_date)}."
        ]
    parts.append(_relevance_sentence(event))
    if event.summary and event.summary not in parts:
        parts.append(event.summary)
    return " ".join(p for p in parts if p)


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _bare_title(notice: Notice) -> str:
    """The title without a leading document number (summaries name the number already)."""
    title, number = notice.title.strip(), _squeeze(doc_number_of(notice) or "")
    if not number or not _squeeze(title).startswith(number):
        return title
    matched = 0
    for index, char in enumerate(title):
        if matched == len(number):
            return title[index:].strip()  # not empty: the title is stripped
        if not char.isspace():
            matched += 1
    return title


def _ident(notice: Notice) -> str:
    number = doc_number_of(notice)
    return f"{number} ({notice.doc_key})" if number else notice.doc_key


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _effective_phrase(notice: Notice) -> str:
    return "; ".join(f"{e.from_.isoformat()} ({e.scope})" for e in notice.facts.effective)


def _affects_sentences(affects: Iterable[Affect]) -> list[str]:
    groups: dict[tuple[AffectAction, str | None], list[str]] = {}
    for affect in affects:
        groups.setdefault((affect.action, iso_date(affect.until)), []).append(
            affect.doc_key + (f" {affect.scope}" if affect.scope else "")
        )
    return [
        f"{_ACTION_VERBS[action]} {', '.join(keys)}" + (f" until {until}" if until else "") + "."
        for (action, until), keys in groups.items()
    ]


def _relevance_sentence(event: Event) -> str:
    if not event.relevant:
        return "Not rare-earth relevant."
    verdict = event.notice.verdict
    found = [
        f"{label} {', '.join(values)}"
        for label, values in (
            ("elements", verdict.elements),
            ("control codes", verdict.control_codes),
            ("HS codes", verdict.hs_codes),
        )
        if values
    ]
    found = found or list(verdict.matched[:3])
    return "Rare-earth relevant" + (": " + "; ".join(found) if found else "") + "."


def _tags(event: Event) -> list[str]:
    tags = [RARE_EARTH_TAG, *event.notice.verdict.control_codes] if event.relevant else []
    return [*dict.fromkeys([*tags, event.kind.value])]


def notice_json(notice: Notice) -> dict[str, Any]:
    """The feed's `_regwatch.notice` object (also the body of /notices/<doc_key>.json)."""
    facts = notice.facts
    items = {"items": items_to_json(notice.items)} if notice.items else {}
    return {
        "doc_key": notice.doc_key,
        "doc_number": doc_number_of(notice),
        "title": notice.title.strip(),
        "issuers": list(facts.issuers),
        "published": iso_date(notice.published or facts.published),
        "kind": facts.kind.value,
        "url": notice.url,
        "urls": list(dict.fromkeys([notice.url, *notice.urls])),
        "effective": effective_to_json(facts.effective),
        **items,
        # Designation notices only (CONTRACT.md 0.2, Entities): the parties they name.
        **({"entities": _entities_json(facts)} if facts.entities else {}),
        "title_en": title_en(notice),
        "status": notice.status.value,
        "mentions": list(facts.mentions),
        "reports": facts.reports,
    }


def _entities_json(facts: NoticeFacts) -> list[dict[str, Any]]:
    keys = ("name", "name_en", "country", "list", "action")
    return [{k: entity_row_to_json(e)[k] for k in keys} for e in facts.entities]
