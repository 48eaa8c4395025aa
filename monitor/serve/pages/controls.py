"""`/controls?as_of=D`: the state on a date as a table, the SVG timeline, the lookup form."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.clock import Clock, beijing_date
from monitor.controls.document import CodeState, ControlsState, MeasureState
from monitor.controls.state import controls_state
from monitor.errors import StoreError, UsageError
from monitor.serve.event_query import ELEMENTS
from monitor.serve.matching import code_matches, element_symbol, hs_matches
from monitor.serve.pages.render import page, problem, query_url
from monitor.serve.pages.timeline import START, STATUS_LABELS, measure_timeline, render_svg
from monitor.store import Store
from monitor.store.queries import measure_records

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODE = re.compile(r"^\d[A-Z]\d{3}(\.[A-Z0-9]+)*$", re.I)
_HS = re.compile(r"^\d{4,10}$")


@dataclass(frozen=True)
class Lookup:
    hs: str | None = None
    code: str | None = None
    element: str | None = None

    def __bool__(self) -> bool:
        return bool(self.hs or self.code or self.element)


@dataclass(frozen=True)
class Match:
    measure: MeasureState
    reasons: tuple[str, ...]


def parse_lookup(params: Any) -> Lookup:
    hs = "".join(params.get("hs", "").split()).replace(".", "") or None
    if hs is not None and not _HS.match(hs):
        raise UsageError("hs must be an HS code of 4 to 10 digits such as 2805301900")
    code = params.get("code", "").strip() or None
    if code is not None and not _CODE.match(code):
        raise UsageError("code must be a control-list code such as 1C902 or 1C902.a")
    element = params.get("element", "").strip() or None
    if element is not None:
        element = element_symbol(element)
        if element not in ELEMENTS:
            raise UsageError("element must be a rare-earth element symbol such as Dy")
    return Lookup(hs=hs, code=code, element=element)


def parse_as_of(value: str | None, clock: Clock) -> date:
    if value is None or not value.strip():
        return beijing_date(clock.now())
    if not _DATE.match(value.strip()):
        raise UsageError(f"as_of must be a date YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"as_of is not a date: {value!r}") from None


def lookup(state: ControlsState, wanted: Lookup) -> list[Match]:
    """The measures of `state` that concern all of what `wanted` names, with the reasons."""
    codes_of: dict[str, list[CodeState]] = {}
    for entry in state.controls:
        codes_of.setdefault(entry.doc_key, []).append(entry)
    found = []
    for measure in state.measures:
        entries = codes_of.get(measure.doc_key, [])
        reasons: list[str] = []
        if wanted.element:
            if wanted.element not in measure.elements and not any(
                wanted.element in e.elements for e in entries
            ):
                continue
            reasons.append(f"element {wanted.element}")
        if wanted.code:
            printed = [
                c
                for c in (
                    *measure.control_codes,
                    *(s for e in entries for s in (e.code, *e.sub_items)),
                )
                if code_matches(wanted.code, c)
            ]
            if not printed:
                continue
            reasons.append("code " + ", ".join(dict.fromkeys(printed)))
        if wanted.hs:
            covering = [
                f"{e.code} HS {h}" for e in entries for h in e.hs_codes if hs_matches(wanted.hs, h)
            ]
            if not covering:
                continue
            reasons.append("; ".join(covering))
        found.append(Match(measure, tuple(reasons)))
    return found


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
            state, timeline = await run_in_threadpool(_read, store, as_of)
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
            "matches": lookup(state, wanted) if wanted else [],
            "elements": ELEMENTS,
            "status_labels": {s.value: label for s, label in STATUS_LABELS.items()},
        }
        return page(request, "controls.html", context)

    return show


def _read(store: Store, as_of: date) -> tuple[ControlsState, Any]:
    with store.connect() as conn:
        records = measure_records(conn)
    return controls_state(records, as_of), measure_timeline(records, as_of)
