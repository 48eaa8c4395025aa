"""The controls state of the stored notices, as of a date, and lookups in it."""

from __future__ import annotations

from datetime import date
from typing import Any

from monitor.controls.document import ControlsState, controls_json
from monitor.controls.lookup import answer_json, lookup, parse_query
from monitor.controls.state import controls_state
from monitor.errors import UsageError
from monitor.store import Store
from monitor.store.queries import measure_records


def stored_controls(store: Store, as_of: date) -> ControlsState:
    """`controls_state` of every notice in `store` (a `StoreError` when it cannot be read)."""
    with store.connect() as conn:
        return controls_state(measure_records(conn), as_of)


def controls_document(
    store: Store,
    as_of: date,
    *,
    hs: str | None = None,
    code: str | None = None,
    element: str | None = None,
) -> dict[str, Any]:
    """The state on `as_of`, or with any of hs / code / element the answer to that lookup
    (a `UsageError` naming a query value that is not understood)."""
    try:
        query = parse_query(hs, code, element)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not query:
        return controls_json(stored_controls(store, as_of))
    with store.connect() as conn:
        records = measure_records(conn)
    return answer_json(lookup(records, as_of, query))
