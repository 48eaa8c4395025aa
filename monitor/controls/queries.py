"""The controls state of the stored notices, as of a date, and lookups in it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

from monitor.controls.document import ControlsState, controls_json
from monitor.controls.lookup import answer_json, lookup, parse_query
from monitor.controls.state import controls_state
from monitor.errors import UsageError
from monitor.store import Store
from monitor.store.queries import measure_records, notices_version


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


class ControlsReader:
    """Lookups for a long-running server: each answer is rendered once per store version
    (`version()`, a cheap aggregate the server shares between concurrent requests), date and
    query, so a repeated lookup reads no items."""

    def __init__(
        self, store: Store, render: Callable[[dict[str, Any]], bytes], *, size: int = 256
    ) -> None:
        self.store = store
        self.render = render
        self.size = size
        self._answers: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def version(self) -> tuple[int, int]:
        with self.store.connect() as conn:
            return notices_version(conn)

    def cached(
        self, version: tuple[int, int], as_of: date, lookups: dict[str, str | None]
    ) -> bytes | None:
        """The rendered answer for this store version, if one was rendered (no store access)."""
        key = (version, as_of, *sorted(lookups.items()))
        with self._lock:
            body = self._answers.get(key)
            if body is not None:
                self._answers.move_to_end(key)
            return body

    def body(self, version: tuple[int, int], as_of: date, lookups: dict[str, str | None]) -> bytes:
        """Read, answer and render (a `UsageError` for a query value not understood)."""
        body = self.cached(version, as_of, lookups)
        if body is not None:
            return body
        body = self.render(controls_document(self.store, as_of, **lookups))
        with self._lock:
            self._answers[(version, as_of, *sorted(lookups.items()))] = body
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return body
