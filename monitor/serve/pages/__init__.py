"""The web pages: server-rendered HTML over the same store as the JSON endpoints.

`page_routes` gives the routes `monitor.serve.app` mounts: `/`, `/notices/<doc_key>`,
`/controls`, `/entities`, `/sources` (+ `/sources.json`) and `/static/`. Each page links its
JSON twin (CONTRACT.md, "The web view"); none needs JavaScript, and all are read-only.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from monitor.clock import Clock
from monitor.config import Settings
from monitor.serve.pages.auth import Handler, PageAccess
from monitor.serve.pages.controls import controls_route
from monitor.serve.pages.entities import entities_route
from monitor.serve.pages.events import events_route
from monitor.serve.pages.notice import notice_route
from monitor.serve.pages.sources import sources_routes
from monitor.store import Store

__all__ = ["page_routes"]


class NoticeKeyConvertor(Convertor[str]):
    """A doc key, slashes allowed (keys may be URLs), never ending in `.json`: that path is
    the notice's JSON twin, served by its own route wherever the routes are listed."""

    regex = r"(?!.*\.json$).+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("notice_key", NoticeKeyConvertor())


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def page_routes(
    store: Store, settings: Settings, clock: Clock, *, json_index: Handler
) -> list[BaseRoute]:
    """The pages' routes; `json_index` still answers `/` for clients that ask for JSON only."""
    access = PageAccess.from_settings(settings.server)
    events = access.guard(events_route(store, tuple(s.name for s in settings.subscribers)))
    sources_page, sources_json = sources_routes(store, settings, clock)

    async def index(request: Request) -> Response:
        if _wants_json(request):
            return await json_index(request)
        return await events(request)

    return [
        Route("/", index),
        Route("/controls", access.guard(controls_route(store, clock))),
        Route("/entities", access.guard(entities_route(store, clock))),
        Route("/sources", access.guard(sources_page)),
        Route("/sources.json", sources_json),
        Route("/notices/{doc_key:notice_key}", access.guard(notice_route(store))),
        Mount("/static", StaticFiles(packages=[("monitor.serve.pages", "static")]), name="static"),
    ]
