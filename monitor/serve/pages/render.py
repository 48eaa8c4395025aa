"""Jinja2 templates of the pages, and the HTML response every page handler returns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from monitor.clock import BEIJING, utc

HTML_HEADERS = {
    "Cache-Control": "no-cache",
    # Read-only pages with no script of their own: nothing may run, frame or post elsewhere.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

NAV = (
    ("/", "Changes"),
    ("/controls", "Controls"),
    ("/entities", "Entities"),
    ("/sources", "Sources"),
)


def notice_path(doc_key: str) -> str:
    """The page of a notice; doc keys may be URLs, so every reserved character is escaped."""
    return "/notices/" + quote(doc_key, safe="")


def beijing(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return utc(moment).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def web_link(url: str) -> str | None:
    """`url` when a browser may follow it from our page (http or https), else None."""
    return url if url.lower().startswith(("https://", "http://")) else None


def base_codes(codes: Iterable[str]) -> list[str]:
    """`1C902, 1C902.a, 1C902.b` → `1C902`: the entries, without their sub-items."""
    return list(dict.fromkeys(code.split(".", 1)[0] for code in codes))


def query_url(path: str, params: Mapping[str, str | None]) -> str:
    kept = [(k, v) for k, v in params.items() if v not in (None, "")]
    return path + ("?" + urlencode(kept) if kept else "")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.serve.pages", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(nav=NAV, notice_path=notice_path, web_link=web_link)
    env.filters.update(beijing=beijing, base_codes=base_codes)
    return env


TEMPLATES = _environment()


def page(
    request: Request, template: str, context: Mapping[str, Any], *, status: int = 200
) -> HTMLResponse:
    body = TEMPLATES.get_template(template).render(path=request.url.path, **context)
    return HTMLResponse(body, status, HTML_HEADERS)


def problem(request: Request, status: int, heading: str, message: str) -> HTMLResponse:
    """An error page: what went wrong, in words, with the right status."""
    context = {"title": heading, "heading": heading, "message": message, "twin": None}
    return page(request, "problem.html", context, status=status)
