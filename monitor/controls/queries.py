"""The controls state of the stored notices, as of a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from monitor.controls.state import controls_state
from monitor.store import Store
from monitor.store.queries import measure_records


def controls_document(store: Store, as_of: date) -> dict[str, Any]:
    with store.connect() as conn:
        return controls_state(measure_records(conn), as_of)
