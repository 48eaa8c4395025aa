"""HTTP: /feed.json, /controls.json, /healthz, /metrics and the feed item schema.

`build_app` makes the Starlette app; `monitor.serve.runner` runs it with uvicorn. Store reads
run in the thread pool so a slow database never stalls the event loop.

The feed is what screening tools poll, so its hot path avoids work: a rendered body and
its ETag are cached per (base URL, query) and reused while the store's feed version
(newest seq, event count) is unchanged, so a revalidation never renders; the version is
read fresh for every request, but one read serves all the requests waiting for it
(`_VersionProbe`). Numbers: ``python -m benchmarks feed``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor import metrics
from monitor.clock import Clock, beijing_date
from monitor.config import Settings
from monitor.controls.document import controls_json
from monitor.controls.queries import ControlsReader, stored_controls
from monitor.deliver.health import source_health_rows
from monitor.detect.feed_item import rfc3339
from monitor.errors import StoreError, UsageError
from monitor.models import OutboxStatus
from monitor.serve.entities import entities_endpoint
from monitor.serve.feed import DEFAULT_LIMIT, FeedQuery, render_feed
from monitor.serve.feed_filters import feed_filters
from monitor.serve.notice import notice_document
from monitor.serve.pages import page_routes
from monitor.serve.schema import FEED_ITEM_SCHEMA, schema_bytes
from monitor.store import Store
from monitor.store.feed import feed_version
from monitor.store.health import source_health
from monitor.store.outbox import outbox_counts

log = logging.getLogger(__name__)

FEED_MEDIA_TYPE = "application/feed+json"
JSON_MEDIA_TYPE = "application/json"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE, _FALSE = frozenset({"1", "true", "yes"}), frozenset({"0", "false", "no", ""})
_DONE_STATUSES = frozenset({OutboxStatus.SENT, OutboxStatus.DEAD})


def _dumps(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _etag_matches(header: str | None, etag: str) -> bool:
    """Weak comparison, as RFC 9110 asks of If-None-Match."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(_dumps({"error": code, "message": message}), status, headers, JSON_MEDIA_TYPE)


def _json(
    request: Request, body: bytes, etag: str, media_type: str, cache_control: str
) -> Response:
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, 200, headers, media_type)


@dataclass(frozen=True)
class _Rendered:
    version: tuple[int, int]
    body: bytes
    etag: str


class _FeedCache:
    """Rendered feed bodies by (base URL, query); an entry is good for one feed version."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, FeedQuery], _Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, FeedQuery], version: tuple[int, int]) -> _Rendered | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.version != version:
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple[str, FeedQuery], entry: _Rendered) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


class _VersionProbe:
    """The store's feed version, read in the thread pool, shared by concurrent requests.

    Every caller gets an answer read after it asked (never a cached one), but callers
    that arrive while no probe has started yet share the next probe: under load one
    query serves a whole batch of requests instead of one query (and one thread hop) each.
    """

    def __init__(self, read: Callable[[], tuple[int, int]]) -> None:
        self._read = read
        self._waiting: asyncio.Task[tuple[int, int]] | None = None  # not started: joinable
        self._running: asyncio.Task[tuple[int, int]] | None = None

    async def version(self) -> tuple[int, int]:
        if self._waiting is None:
            task = asyncio.get_running_loop().create_task(self._probe(self._running))
            task.add_done_callback(_retrieve)
            self._waiting = task
        return await asyncio.shield(self._waiting)

    async def _probe(self, previous: asyncio.Task[tuple[int, int]] | None) -> tuple[int, int]:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])  # a probe that started before our callers asked
        self._running, self._waiting = self._waiting, None
        return await run_in_threadpool(self._read)


def _retrieve(task: asyncio.Task[Any]) -> None:
    # Every waiter may have gone (client disconnected): mark the exception as seen.
    if not task.cancelled():
        task.exception()


def _feed_query(request: Request) -> FeedQuery:
    params = request.query_params

    def integer(name: str) -> int | None:
        value = params.get(name)
        if value is None:
            return None
        if not value.isdigit() or len(value) > 18:
            raise UsageError(f"{name} must be a positive integer, got {value!r}")
        return int(value)

    all_value = params.get("all", "0").lower()
    if all_value not in _TRUE | _FALSE:
        raise UsageError(f"all must be 1 or 0, got {params.get('all')!r}")
    limit = integer("limit")
    return FeedQuery(
        subscriber=params.get("subscriber"),
        since=params.get("since"),
        all_events=all_value in _TRUE,
        limit=DEFAULT_LIMIT if limit is None else limit,
        before_seq=integer("before"),
        filters=feed_filters(params),
    )


def _authorized(settings: Settings, name: str, authorization: str | None) -> bool:
    """Bearer token check that takes the same path whether or not `name` exists."""
    scheme, _, given = (authorization or "").partition(" ")
    subscriber = settings.subscriber(name)
    expected = subscriber.feed_token() if subscriber is not None else None
    ok = hmac.compare_digest(
        given.strip().encode(), (expected or "\0no token configured\0").encode()
    )
    return ok and expected is not None and scheme.lower() == "bearer"


def build_app(
    store: Store,
    settings: Settings,
    clock: Clock,
    *,
    feed_cache_size: int = 256,
    base_url: str | None = None,
) -> Starlette:
    """The regwatch HTTP app over `store`; `clock` gives the default date of /controls.json.

    Links in the feed (feed_url, next_url) start with `base_url`, by default
    ``[server] public_url`` or the listen address — never the request's Host header, which
    any client sets as it likes (and caches would keep)."""
    own_url = base_url or settings.server.base_url()
    cache = _FeedCache(feed_cache_size)
    schema_body = schema_bytes(FEED_ITEM_SCHEMA)

    probe = _VersionProbe(lambda: feed_version(store))
    lookups_reader = ControlsReader(store, _dumps)
    notices_probe = _VersionProbe(lookups_reader.version)

    def render(key: tuple[str, FeedQuery], version: tuple[int, int]) -> _Rendered:
        body = _dumps(render_feed(store, key[1], base_url=key[0]))
        entry = _Rendered(version, body, _etag(body))
        cache.put(key, entry)
        return entry

    async def feed(request: Request) -> Response:
        try:
            query = _feed_query(request)
        except UsageError as exc:
            return _error(400, "bad_request", str(exc))
        cache_control = "no-cache"
        headers: dict[str, str] = {}
        if query.subscriber is not None:
            if not _authorized(settings, query.subscriber, request.headers.get("authorization")):
                return _error(
                    401,
                    "unauthorized",
                    "this feed needs the subscriber's bearer token",
                    {"WWW-Authenticate": 'Bearer realm="regwatch"'},
                )
            cache_control, headers = "private, no-cache", {"Vary": "Authorization"}
        key = (own_url, query)
        try:
            version = await probe.version()
            entry = cache.get(key, version)
            if entry is None:
                entry = await run_in_threadpool(render, key, version)
        except UsageError as exc:
            return _error(400, "bad_request", str(exc))
        except StoreError as exc:
            log.warning("feed: store unavailable: %s", exc)
            return _error(503, "unavailable", "the store is unavailable")
        response = _json(request, entry.body, entry.etag, FEED_MEDIA_TYPE, cache_control)
        response.headers.update(headers)
        return response

    async def controls(request: Request) -> Response:
        value = request.query_params.get("as_of")
        if value is None:
            as_of = beijing_date(clock.now())
        elif not _DATE.match(value):
            return _error(400, "bad_request", f"as_of must be YYYY-MM-DD, got {value!r}")
        else:
            try:
                as_of = date.fromisoformat(value)
            except ValueError:
                return _error(400, "bad_request", f"as_of is not a date: {value!r}")
        lookups = {k: request.query_params.get(k) for k in ("hs", "code", "element")}
        try:
            if any(v is not None for v in lookups.values()):
                version = await notices_probe.version()
                cached = lookups_reader.cached(version, as_of, lookups)
                body = (
                    cached
                    if cached is not None
                    else await run_in_threadpool(lookups_reader.body, version, as_of, lookups)
                )
            else:
                body = await run_in_threadpool(
                    lambda: _dumps(controls_json(stored_controls(store, as_of)))
                )
        except UsageError as exc:
            return _error(400, "bad_request", str(exc))
        except StoreError as exc:
            log.warning("controls: store unavailable: %s", exc)
            return _error(503, "unavailable", "the store is unavailable")
        return _json(request, body, _etag(body), JSON_MEDIA_TYPE, "no-cache")

    async def notice(request: Request) -> Response:
        doc_key = request.path_params["doc_key"]
        try:
            document = await run_in_threadpool(notice_document, store, doc_key)
        except StoreError as exc:
            log.warning("notice: store unavailable: %s", exc)
            return _error(503, "unavailable", "the store is unavailable")
        if document is None:
            return _error(404, "not_found", f"no notice {doc_key!r}")
        body = _dumps(document)
        return _json(request, body, _etag(body), JSON_MEDIA_TYPE, "no-cache")

    async def healthz(request: Request) -> Response:
        try:
            document = await run_in_threadpool(_health, store, settings, clock)
        except StoreError as exc:
            log.warning("healthz: store unavailable: %s", exc)
            return Response(
                _dumps({"status": "unavailable", "error": "store unreachable"}),
                503,
                {"Cache-Control": "no-store"},
                JSON_MEDIA_TYPE,
            )
        return Response(_dumps(document), 200, {"Cache-Control": "no-store"}, JSON_MEDIA_TYPE)

    async def metrics_endpoint(request: Request) -> Response:
        await run_in_threadpool(_refresh_gauges, store)
        return Response(generate_latest(metrics.REGISTRY), 200, None, CONTENT_TYPE_LATEST)

    async def schema(request: Request) -> Response:
        return _json(
            request,
            schema_body,
            _etag(schema_body),
            "application/schema+json",
            "public, max-age=3600",
        )

    async def index(request: Request) -> Response:
        links = ["/feed.json", "/controls.json", "/healthz", "/metrics", "/schema/feed-item.json"]
        links.append("/sources.json")
        return Response(_dumps({"name": "regwatch", "links": links}), 200, None, JSON_MEDIA_TYPE)

    return Starlette(
        routes=[
            Route("/feed.json", feed),
            Route("/controls.json", controls),
            Route("/entities.json", entities_endpoint(store, clock)),
            Route("/notices/{doc_key:path}.json", notice),
            Route("/healthz", healthz),
            Route("/metrics", metrics_endpoint),
            Route("/schema/feed-item.json", schema),
            *page_routes(store, settings, clock, json_index=index),  # "/" and the other pages
        ]
    )


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; the store only ever writes UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _time(value: datetime | None) -> str | None:
    return rfc3339(_utc(value)) if value is not None else None


def _health(store: Store, settings: Settings, clock: Clock) -> dict[str, Any]:
    if not store.ping():
        raise StoreError("store unreachable")
    rows = source_health_rows(store, now=clock.now(), operator=settings.operator)
    depth = outbox_counts(store)
    return {
        "status": "ok" if all(row["healthy"] for row in rows) else "degraded",
        "sources": [
            {
                "id": row["id"],
                "state": row["state"],
                "last_success_at": _time(row["last_success_at"]),
                "last_attempt_at": _time(row["last_attempt_at"]),
                "last_error": row["last_error"],
                "last_error_reason": row["last_error_reason"],
                "consecutive_failures": row["consecutive_failures"],
            }
            for row in rows
        ],
        "outbox": {
            "pending": sum(n for status, n in depth.items() if status not in _DONE_STATUSES),
            "dead": depth[OutboxStatus.DEAD],
        },
    }


_gauge_labels: dict[str, set[str]] = {"outbox": set(), "sources": set()}
_gauge_lock = threading.Lock()


def _refresh_gauges(store: Store) -> None:
    """Set the store-backed gauges; on a store error keep the last values (and log)."""
    try:
        depth = outbox_counts(store)
        source_rows = source_health(store)
    except StoreError as exc:
        log.warning("metrics: cannot read the store: %s", exc)
        return
    with _gauge_lock:
        for status in _gauge_labels["outbox"] | {OutboxStatus.PENDING, OutboxStatus.DEAD}:
            metrics.OUTBOX_DEPTH.labels(status).set(depth.get(status, 0))
        _gauge_labels["outbox"].update(status for status, count in depth.items() if count)
        for gone in _gauge_labels["sources"] - {row.id for row in source_rows}:
            for gauge in (metrics.SOURCE_CONSECUTIVE_FAILURES, metrics.SOURCE_LAST_SUCCESS):
                with suppress(KeyError):
                    gauge.remove(gone)
        _gauge_labels["sources"] = {row.id for row in source_rows}
        for row in source_rows:
            metrics.SOURCE_CONSECUTIVE_FAILURES.labels(row.id).set(row.consecutive_failures)
            if row.last_success_at is not None:
                metrics.SOURCE_LAST_SUCCESS.labels(row.id).set(row.last_success_at.timestamp())
