"""`/entities`: the listed parties on a date, searched by name and list (twin `/entities.json`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.clock import Clock
from monitor.controls.entity_queries import parse_list, stored_entities
from monitor.controls.listings import entities_json
from monitor.errors import StoreError, UsageError
from monitor.serve.pages.controls import parse_as_of
from monitor.serve.pages.render import page, problem, query_url
from monitor.store import Store

LISTS = (
    ("control_list", "Control List (管控名单)"),
    ("watch_list", "Watch List (关注名单)"),
    ("unreliable_entity", "Unreliable Entity List (不可靠实体清单)"),
    ("countermeasure", "Countermeasures (反制措施)"),
)
LIST_LABELS = dict(LISTS)
MAX_NAME = 200  # characters, as on /entities.json


def entities_route(store: Store, clock: Clock) -> Callable[..., Any]:
    async def show(request: Request) -> Response:
        params = request.query_params
        wanted = {
            "name": params.get("name", "").strip() or None,
            "list": params.get("list", "").strip() or None,
            "as_of": params.get("as_of", "").strip() or None,
        }
        try:
            as_of = parse_as_of(wanted["as_of"], clock)
            list_ = parse_list(wanted["list"])
            if wanted["name"] is not None and len(wanted["name"]) > MAX_NAME:
                raise UsageError(f"name is longer than {MAX_NAME} characters")
        except UsageError as exc:
            return problem(request, 400, "That search cannot be used", str(exc))
        try:
            state = await run_in_threadpool(
                lambda: stored_entities(store, as_of, list_=list_, name=wanted["name"])
            )
        except StoreError:
            return problem(request, 503, "The store is unavailable", "Try again in a minute.")
        context = {
            "title": "Entities",
            "twin": query_url("/entities.json", wanted),
            "wanted": wanted,
            "lists": LISTS,
            "list_labels": LIST_LABELS,
            "as_of": as_of.isoformat(),
            "entities": entities_json(state)["entities"],
        }
        return page(request, "entities.html", context)

    return show
