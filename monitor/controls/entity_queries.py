"""The lists of parties of the stored notices, asked for by `regwatch entities` and
GET /entities.json: state on a date, filtered by list and name, in one of three formats."""

from __future__ import annotations

import json
from datetime import date

from monitor.controls.entity_formats import csv_text, ftm_text
from monitor.controls.entity_search import search
from monitor.controls.listings import EntitiesState, entities_json, entities_state
from monitor.errors import UsageError
from monitor.models import EntityList
from monitor.store import Store
from monitor.store.entities import entity_records

FORMATS = ("json", "ftm", "csv")
MEDIA_TYPES = {
    "json": "application/json",
    "ftm": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
}


def parse_list(value: str | None) -> EntityList | None:
    """A list name as the contract spells it, or a `UsageError` naming the choices."""
    if value is None:
        return None
    try:
        return EntityList(value)
    except ValueError:
        known = ", ".join(item.value for item in EntityList)
        raise UsageError(f"unknown list {value!r}; known: {known}") from None


def stored_entities(
    store: Store, as_of: date, *, list_: EntityList | None = None, name: str | None = None
) -> EntitiesState:
    """The state on `as_of` of every stored party (a `StoreError` when it cannot be read)."""
    with store.connect() as conn:
        records = entity_records(conn)
    state = entities_state(records, as_of)
    if list_ is None and name is None:
        return state
    return search(state, name=name, list_=list_)


def render(state: EntitiesState, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(entities_json(state), ensure_ascii=False, indent=2) + "\n"
    if fmt == "ftm":
        return ftm_text(state)
    if fmt == "csv":
        return csv_text(state)
    raise UsageError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
