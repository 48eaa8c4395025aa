"""`/`: recent events, newest first, paged, filtered by the same parameters as the URL shows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.deliver.channels.wording import read_alert
from monitor.errors import StoreError, UsageError
from monitor.serve.event_query import (
    ELEMENTS,
    EVENT_KINDS,
    NOTICE_KINDS,
    EventQuery,
    parse_event_query,
)
from monitor.serve.pages.render import notice_path, page, problem, query_url
from monitor.store import Store
from monitor.store.notice_pages import event_page, event_sources

PAGE_SIZE = 50
MAX_REASONS = 10


def _section(parent: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, Mapping) else {}


def brief_reasons(matched: list[str], limit: int = MAX_REASONS) -> list[str]:
    """The relevance reasons without sub-items of a code already named, at most `limit`."""
    named = {r for r in matched if r.startswith("control code ") and "." not in r}
    kept = [r for r in matched if r.split(".", 1)[0] not in named or r in named]
    if len(kept) > limit:
        kept = [*kept[:limit], f"and {len(kept) - limit} more"]
    return kept


def event_view(item: Mapping[str, Any]) -> dict[str, Any]:
    """What one row of `/` shows of a stored feed item."""
    alert = read_alert(item)
    meta = _section(item, "_regwatch")
    notice, rare_earth = _section(meta, "notice"), _section(meta, "rare_earth")
    title_en = notice.get("title_en") if isinstance(notice.get("title_en"), str) else None
    reasons = brief_reasons([r for r in rare_earth.get("matched") or () if isinstance(r, str)])
    return {
        "id": alert.event_id,
        "event": alert.event,
        "date": alert.detected[:10],
        "detected": alert.detected,
        "detected_at": item.get("date_published") or "",
        "doc_key": alert.doc_key,
        "href": notice_path(alert.doc_key) if alert.doc_key else None,
        "label": alert.label,
        "title": title_en or alert.subtitle or alert.title,
        "title_zh": alert.subtitle if title_en else None,
        "title_lang": "en" if title_en else "zh",
        "happened": alert.happened,
        "relevant": alert.relevant,
        "reasons": reasons,
        "source": alert.source,
        "affects": alert.affects,
    }


def events_route(store: Store, subscriber_names: tuple[str, ...]) -> Callable[..., Any]:
    async def index(request: Request) -> Response:
        try:
            query = parse_event_query(request.query_params)
        except UsageError as exc:
            return problem(request, 400, "That filter cannot be used", str(exc))
        try:
            found, sources = await run_in_threadpool(_read, store, query)
        except StoreError:
            return problem(request, 503, "The store is unavailable", "Try again in a minute.")
        twin_params = query.params(before=query.before)
        context = {
            "title": "Recent changes",
            "twin": query_url("/feed.json", twin_params),
            "query": query,
            "rows": [event_view(row.item) for row in found.rows],
            "next_url": query_url("/", query.params(before=found.next_before))
            if found.next_before is not None
            else None,
            "first_url": query_url("/", query.params()) if query.before is not None else None,
            "event_kinds": EVENT_KINDS,
            "notice_kinds": NOTICE_KINDS,
            "elements": ELEMENTS,
            "sources": sorted({*sources, *([query.source] if query.source else [])}),
            "subscribers": subscriber_names,
        }
        return page(request, "events.html", context)

    return index


def _read(store: Store, query: EventQuery) -> tuple[Any, list[str]]:
    found = event_page(
        store, query.where(), limit=PAGE_SIZE, before_seq=query.before, keep=query.keep()
    )
    return found, event_sources(store)
