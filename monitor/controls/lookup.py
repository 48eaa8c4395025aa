""" "Is HS 8505111000 controlled today, by what?": the hs / code / element queries (pure).

An answer has the controls-state shape limited to what matched (CONTRACT.md § Items):
measures in any status, each with its status on the date and `matched` (why), the items that
matched with their measure's doc_key and status, and the list entries of those measures.

HS codes match when either is a prefix of the other (an 8-digit line printed in a notice
covers its 10-digit sub-lines and the reverse); two different 10-digit codes never do. A
control code covers its sub-items (1C902 covers 1C902.a) and a sub-item query is covered by
an item printed for the whole entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from monitor.controls.codes import CodeTable
from monitor.controls.document import (
    CodeState,
    ItemState,
    MeasureState,
    code_json,
    item_state_json,
    measure_json,
)
from monitor.controls.state import controls_state, measure_items
from monitor.extract.folding import fold_text
from monitor.extract.vocab import BY_ENGLISH, BY_HANS, BY_SYMBOL
from monitor.models import Item, MeasureRecord

_HS = re.compile(r"^\d{4,10}$")
_CODE = re.compile(r"^(\d[A-Z]\d{3})((?:\.[a-z0-9]+)*)$")


@dataclass(frozen=True)
class Query:
    hs: str | None = None
    code: str | None = None
    element: str | None = None

    def __bool__(self) -> bool:
        return bool(self.hs or self.code or self.element)


@dataclass(frozen=True)
class MatchedMeasure:
    measure: MeasureState
    matched: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    as_of: date
    query: Query
    measures: tuple[MatchedMeasure, ...]
    controls: tuple[CodeState, ...]
    items: tuple[ItemState, ...]


def parse_query(
    hs: str | None = None, code: str | None = None, element: str | None = None
) -> Query:
    """Normalise the query values; a ValueError names the one that is not understood."""
    hs_value = code_value = element_value = None
    if hs is not None:
        hs_value = re.sub(r"[\s.]", "", fold_text(hs))
        if not _HS.match(hs_value):
            raise ValueError(f"hs: {hs!r} is not an HS code (4 to 10 digits)")
    if code is not None:
        folded = fold_text(code).strip()
        head, _, tail = folded.partition(".")
        code_value = head.upper() + (f".{tail.lower()}" if tail else "")
        if not _CODE.match(code_value):
            raise ValueError(f"code: {code!r} is not a control code like 1C902 or 1C902.a")
    if element is not None:
        element_value = _element(element)
        if element_value is None:
            raise ValueError(
                f"element: {element!r} is not a rare-earth element (Dy, 镝, dysprosium)"
            )
    return Query(hs=hs_value, code=code_value, element=element_value)


def _element(value: str) -> str | None:
    word = fold_text(value).strip()
    if word.capitalize() in BY_SYMBOL:  # symbols in any case: Dy, dy, DY
        return word.capitalize()
    if word in BY_HANS:
        return BY_HANS[word].symbol
    found = BY_ENGLISH.get(word.lower())
    return found.symbol if found is not None else None


def hs_covers(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def code_covers(query: str, printed: str) -> bool:
    return query == printed or printed.startswith(f"{query}.") or query.startswith(f"{printed}.")


def lookup(
    records: Sequence[MeasureRecord], as_of: date, query: Query, *, codes: CodeTable | None = None
) -> Answer:
    """The measures and items matching `query` on `as_of` (every status)."""
    state = controls_state(records, as_of, codes=codes)
    states = {m.doc_key: m for m in state.measures}
    by_key: dict[str, MeasureRecord] = {}
    for record in records:
        if record.doc_key in states:
            by_key.setdefault(record.doc_key, record)
    items_of: dict[str, list[ItemState]] = {}
    for item in measure_items(by_key.values(), states):
        items_of.setdefault(item.doc_key, []).append(item)
    entries_of: dict[str, list[CodeState]] = {}
    for entry in state.controls:
        entries_of.setdefault(entry.doc_key, []).append(entry)
    matched: list[MatchedMeasure] = []
    found_items: list[ItemState] = []
    for measure in state.measures:
        reasons: list[str] = []
        for held in items_of.get(measure.doc_key, []):
            why = _item_reasons(held.item, query)
            if why:
                reasons += why
                found_items.append(held)
        if not reasons:
            reasons = _measure_reasons(
                measure, by_key[measure.doc_key], entries_of.get(measure.doc_key, []), query
            )
        if reasons:
            matched.append(MatchedMeasure(measure, tuple(dict.fromkeys(reasons))))
    keys = {m.measure.doc_key for m in matched}
    controls = tuple(
        c
        for c in state.controls
        if c.doc_key in keys and (query.code is None or code_covers(query.code, c.code))
    )
    return Answer(as_of, query, tuple(matched), controls, tuple(found_items))


def _label(item: Item) -> str:
    return f"item {item.code}" if item.code else f"item {item.description[:20]}"


def _item_reasons(item: Item, query: Query) -> list[str]:
    reasons: list[str] = []
    if query.hs is not None:
        reasons += [f"{_label(item)} HS {h}" for h in item.hs_codes if hs_covers(query.hs, h)]
    if query.code is not None and item.code and code_covers(query.code, item.code):
        reasons.append(_label(item))
    if query.element is not None and query.element in item.elements:
        reasons.append(f"{_label(item)} element {query.element}")
    return reasons


def _measure_reasons(
    measure: MeasureState, record: MeasureRecord, entries: Sequence[CodeState], query: Query
) -> list[str]:
    """Why a measure without matching item rows matches: its text, else its list entries
    (control_codes.toml: the HS lines and elements of the codes it controls)."""
    reasons: list[str] = []
    if query.hs is not None:
        reasons += [
            f"HS {h} in the notice" for h in record.facts.hs_codes if hs_covers(query.hs, h)
        ]
        reasons += [
            f"{e.code} HS {h}" for e in entries for h in e.hs_codes if hs_covers(query.hs, h)
        ]
    if query.code is not None:
        printed = (*measure.control_codes, *(c for e in entries for c in (e.code, *e.sub_items)))
        reasons += [
            f"control code {c} in the notice"
            for c in dict.fromkeys(printed)
            if code_covers(query.code, c)
        ]
    if query.element is not None and (
        query.element in measure.elements or any(query.element in e.elements for e in entries)
    ):
        reasons.append(f"element {query.element}")
    return list(dict.fromkeys(reasons))


def answer_json(answer: Answer) -> dict[str, Any]:
    query = answer.query
    return {
        "as_of": answer.as_of.isoformat(),
        "query": {"hs": query.hs, "code": query.code, "element": query.element},
        "measures": [
            {**measure_json(m.measure), "matched": list(m.matched)} for m in answer.measures
        ],
        "controls": [code_json(c) for c in answer.controls],
        "items": [item_state_json(i) for i in answer.items],
    }
