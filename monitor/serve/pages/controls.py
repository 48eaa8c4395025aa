"""`/controls?as_of=D`: the state on a date as a table, the SVG timeline, the lookup form."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.clock import Clock, beijing_date
from monitor.controls.document import ControlsState
from monitor.controls.lookup import Answer, Query, lookup, parse_query
from monitor.controls.state import controls_state
from monitor.errors import StoreError, UsageError
from monitor.serve.event_query import ELEMENTS
from monitor.serve.pages.render import page, problem, query_url
from monitor.serve.pages.timeline import START, STATUS_LABELS, measure_timeline, render_svg
from monitor.store import Store
from monitor.store.queries import measure_records

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODE = re.compile(r"^\d[A-Z]\d{3}(\.[A-Z0-9]+)*$", re.I)
_HS = re.compile(r"^\d{4,10}$")


def parse_lookup(params: Any) -> Query:
    """The hs / code / element of the lookup form, read as `/controls.json` reads them."""

    def value(name: str) -> str | None:
        text = str(params.get(name, "")).strip()
        return text or None

    try:
        return parse_query(value("hs"), value("code"), value("element"))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def parse_as_of(value: str | None, clock: Clock) -> date:
    if value is None or not value.strip():
        return beijing_date(clock.now())
    if not _DATE.match(value.strip()):
        raise UsageError(f"as_of must be a date YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"as_of is not a date: {value!r}") from None


def controls_route(store: Store, clock: Clock) -> Callable[..., Any]:
    async def show(request: Request) -> Response:
        params = request.query_params
        try:
            as_of = parse_as_of(params.get("as_of"), clock)
            wanted = parse_lookup(params)
        except UsageError as exc:
            return problem(request, 400, "That date or lookup cannot be used", str(exc))
        if as_of < START:
            return problem(
                request, 400, "That date is too early", f"The chart starts on {START.isoformat()}."
            )
        try:
            state, timeline, answer = await run_in_threadpool(_read, store, as_of, wanted)
        except StoreError:
            return problem(request, 503, "The store is unavailable", "Try again in a minute.")
        twin_params = {
            "as_of": params.get("as_of") or None,
            "hs": wanted.hs,
            "code": wanted.code,
            "element": wanted.element,
        }
        context = {
            "title": f"Controls on {as_of.isoformat()}",
            "twin": query_url("/controls.json", twin_params),
            "as_of": as_of,
            "state": state,
            "rare_earth": [m for m in state.measures if m.rare_earth],
            "others": [m for m in state.measures if not m.rare_earth],
            "svg": render_svg(timeline),
            "lookup": wanted,
            "matches": answer.measures if answer is not None else (),
            "elements": ELEMENTS,
            "status_labels": {s.value: label for s, label in STATUS_LABELS.items()},
        }
        return page(request, "controls.html", context)

    return show


def _read(store: Store, as_of: date, wanted: Query) -> tuple[ControlsState, Any, Answer | None]:
    with store.connect() as conn:
        records = measure_records(conn)
    answer = lookup(records, as_of, wanted) if wanted else None
    return controls_state(records, as_of), measure_timeline(records, as_of), answer
