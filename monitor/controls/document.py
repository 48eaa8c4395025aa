"""The controls state as frozen values, and its one JSON form (CONTRACT.md § Controls state).

`monitor.controls.state` computes a `ControlsState`; `controls_json` is the only place that
turns it into the document served at /controls.json, printed by ``regwatch controls`` and
saved by the demo. Key order is part of the output: it is the order below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from monitor.codec import effective_to_json, iso_date, item_to_json
from monitor.models import Effective, Item, MeasureStatus, NoticeKind


class ListedIn(StrEnum):
    """Where a control code's list entry comes from."""

    NOTICE = "notice"  # a stored notice printed it
    CODE_TABLE = "code table"  # only the bundled code table attributes it to a measure


@dataclass(frozen=True)
class Suspension:
    """A running chain of holds: who suspended, until when (None: open), who extended."""

    by: str
    until: date | None
    extended_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Announcement:
    """A date named by commentary only: shown beside the legal status, never governing it."""

    until: date
    by: str


@dataclass(frozen=True)
class ParagraphState:
    """One paragraph (第X款) of a measure that a notice acts on by itself."""

    scope: str
    status: MeasureStatus
    suspension: Suspension | None = None
    repealed_by: str | None = None


@dataclass(frozen=True)
class MeasureState:
    doc_key: str
    doc_number: str | None
    title: str
    url: str
    rare_earth: bool
    status: MeasureStatus
    effective: tuple[Effective, ...]  # sorted by first day
    suspension: Suspension | None
    control_codes: tuple[str, ...]
    elements: tuple[str, ...]
    kind: NoticeKind
    published: date | None
    repealed_by: str | None = None
    announced: Announcement | None = None
    paragraphs: tuple[ParagraphState, ...] = ()


@dataclass(frozen=True)
class CodeState:
    """A five-character control-list entry, with the status of the measure that owns it."""

    code: str
    description: str
    elements: tuple[str, ...]
    hs_codes: tuple[str, ...]
    doc_key: str  # the owning measure
    status: MeasureStatus
    sub_items: tuple[str, ...]  # printed forms such as 1C902.a
    verified: bool
    listed_in: ListedIn
    printed_in: tuple[str, ...]  # doc_keys of the notices that printed it


@dataclass(frozen=True)
class ItemState:
    """A controlled item with the measure that lists it and that measure's status."""

    item: Item
    doc_key: str
    status: MeasureStatus


@dataclass(frozen=True)
class ControlsState:
    as_of: date
    measures: tuple[MeasureState, ...]
    controls: tuple[CodeState, ...]
    items: tuple[ItemState, ...] = ()  # items of the measures in force on `as_of`


def controls_json(state: ControlsState) -> dict[str, Any]:
    """The CONTRACT.md document of `state` (plain JSON values, keys in contract order)."""
    return {
        "as_of": state.as_of.isoformat(),
        "measures": [_measure_json(m) for m in state.measures],
        "controls": [_code_json(c) for c in state.controls],
        "items": [item_state_json(i) for i in state.items],
    }


def item_state_json(item: ItemState) -> dict[str, Any]:
    return {**item_to_json(item.item), "doc_key": item.doc_key, "status": item.status.value}


def measure_json(measure: MeasureState) -> dict[str, Any]:
    """One measure's JSON, as in the state document (answers to lookups add `matched`)."""
    return _measure_json(measure)


def code_json(code: CodeState) -> dict[str, Any]:
    return _code_json(code)


def _suspension_json(suspension: Suspension | None) -> dict[str, Any]:
    if suspension is None:
        return {"suspended_by": None, "suspended_until": None, "extended_by": []}
    return {
        "suspended_by": suspension.by,
        "suspended_until": iso_date(suspension.until),
        "extended_by": list(suspension.extended_by),
    }


def _measure_json(measure: MeasureState) -> dict[str, Any]:
    announced = measure.announced
    return {
        "doc_key": measure.doc_key,
        "doc_number": measure.doc_number,
        "title": measure.title,
        "url": measure.url,
        "rare_earth": measure.rare_earth,
        "status": measure.status.value,
        "effective": effective_to_json(measure.effective),
        **_suspension_json(measure.suspension),
        "control_codes": list(measure.control_codes),
        "elements": list(measure.elements),
        "kind": measure.kind.value,
        "published": iso_date(measure.published),
        "repealed_by": measure.repealed_by,
        "announced_until": iso_date(announced.until) if announced else None,
        "announced_by": announced.by if announced else None,
        "paragraphs": [_paragraph_json(p) for p in measure.paragraphs],
    }


def _paragraph_json(paragraph: ParagraphState) -> dict[str, Any]:
    return {
        "scope": paragraph.scope,
        "status": paragraph.status.value,
        **_suspension_json(paragraph.suspension),
        "repealed_by": paragraph.repealed_by,
    }


def _code_json(code: CodeState) -> dict[str, Any]:
    return {
        "code": code.code,
        "description": code.description,
        "elements": list(code.elements),
        "hs_codes": list(code.hs_codes),
        "doc_key": code.doc_key,
        "status": code.status.value,
        "sub_items": list(code.sub_items),
        "verified": code.verified,
        "listed_in": code.listed_in.value,
        "printed_in": list(code.printed_in),
    }
