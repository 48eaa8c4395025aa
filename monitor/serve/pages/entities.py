"""`/entities`: the search form over listed parties, and a plain word until data exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from monitor.serve.pages.render import page, query_url

LISTS = (
    ("control_list", "Control List (管控名单)"),
    ("watch_list", "Watch List (关注名单)"),
    ("unreliable_entity", "Unreliable Entity List (不可靠实体清单)"),
    ("countermeasure", "Countermeasures (反制措施)"),
)


def entities_route() -> Callable[..., Any]:
    async def show(request: Request) -> Response:
        params = request.query_params
        wanted = {
            "name": params.get("name", "").strip() or None,
            "list": params.get("list", "").strip() or None,
            "as_of": params.get("as_of", "").strip() or None,
        }
        context = {
            "title": "Entities",
            "twin": query_url("/entities.json", wanted),
            "wanted": wanted,
            "lists": LISTS,
        }
        return page(request, "entities.html", context)

    return show
