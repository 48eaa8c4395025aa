"""`/sources` and its twin `/sources.json`: each source's health and the outbox depth."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.clock import Clock, utc
from monitor.config import Settings
from monitor.deliver.health import source_health_rows
from monitor.errors import StoreError
from monitor.models import OutboxStatus
from monitor.serve.pages.render import page, problem
from monitor.store import Store
from monitor.store.outbox import outbox_counts


def _time(moment: datetime | None) -> str | None:
    return utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z") if moment else None


def sources_document(store: Store, settings: Settings, now: datetime) -> dict[str, Any]:
    """Every source's health (ok, failing or stale) and the outbox by status."""
    rows = source_health_rows(store, now=now, operator=settings.operator)
    depth = outbox_counts(store)
    return {
        "checked_at": _time(now),
        "sources": [
            {
                "id": row["id"],
                "kind": row["kind"],
                "name": row["name"],
                "state": row["state"] if row["last_attempt_at"] else "new",
                "healthy": row["healthy"],
                "last_success_at": _time(row["last_success_at"]),
                "last_attempt_at": _time(row["last_attempt_at"]),
                "last_error": row["last_error"],
                "last_error_reason": row["last_error_reason"],
                "consecutive_failures": row["consecutive_failures"],
            }
            for row in sorted(rows, key=lambda r: str(r["id"]))
        ],
        "outbox": {
            "pending": depth[OutboxStatus.PENDING],
            "sent": depth[OutboxStatus.SENT],
            "dead": depth[OutboxStatus.DEAD],
        },
    }


def sources_routes(
    store: Store, settings: Settings, clock: Clock
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    async def as_json(request: Request) -> Response:
        try:
            document = await run_in_threadpool(sources_document, store, settings, clock.now())
        except StoreError:
            body = {"error": "unavailable", "message": "the store is unavailable"}
            return Response(
                json.dumps(body), 503, {"Cache-Control": "no-store"}, "application/json"
            )
        body_bytes = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        return Response(body_bytes, 200, {"Cache-Control": "no-cache"}, "application/json")

    async def as_page(request: Request) -> Response:
        try:
            document = await run_in_threadpool(sources_document, store, settings, clock.now())
        except StoreError:
            return problem(request, 503, "The store is unavailable", "Try again in a minute.")
        context = {"title": "Sources", "twin": "/sources.json", "doc": document}
        return page(request, "sources.html", context)

    return as_page, as_json
