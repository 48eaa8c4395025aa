"""The controls state of the stored notices, as of a date."""

from __future__ import annotations

from datetime import date

from monitor.controls.document import ControlsState
from monitor.controls.state import controls_state
from monitor.store import Store
from monitor.store.queries import measure_records


def stored_controls(store: Store, as_of: date) -> ControlsState:
    """`controls_state` of every notice in `store` (a `StoreError` when it cannot be read)."""
    with store.connect() as conn:
        return controls_state(measure_records(conn), as_of)
