"""GET /entities.json: the lists of parties on a date (CONTRACT.md 0.2 § Entities).

Query: `as_of` (YYYY-MM-DD, default today in Beijing), `list` (control_list, watch_list,
unreliable_entity, countermeasure), `name` (fuzzy, any script; hits carry a `score`) and
`format` (json, the default; ftm for FollowTheMoney JSON lines; csv).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.clock import Clock, beijing_date
from monitor.controls.entity_queries import (
    FORMATS,
    MEDIA_TYPES,
    parse_list,
    render,
    stored_entities,
)
from monitor.errors import StoreError, UsageError
from monitor.store import Store

log = logging.getLogger(__name__)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_NAME = 200  # characters; a longer query is a mistake, not a name


def entities_endpoint(store: Store, clock: Clock) -> Callable[[Request], Awaitable[Response]]:
    async def entities(request: Request) -> Response:
        params = request.query_params
        try:
            as_of = _as_of(params.get("as_of"), clock)
            list_ = parse_list(params.get("list"))
            name = params.get("name")
            if name is not None and len(name) > MAX_NAME:
                raise UsageError(f"name is longer than {MAX_NAME} characters")
            fmt = params.get("format", "json")
            if fmt not in FORMATS:
                raise UsageError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
        except UsageError as exc:
            return _error(400, "bad_request", str(exc))
        try:
            text = await run_in_threadpool(
                lambda: render(stored_entities(store, as_of, list_=list_, name=name), fmt)
            )
        except StoreError as exc:
            log.warning("entities: store unavailable: %s", exc)
            return _error(503, "unavailable", "the store is unavailable")
        body = text.encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match", "").strip() in (etag, f"W/{etag}"):
            return Response(status_code=304, headers=headers)
        return Response(body, 200, headers, MEDIA_TYPES[fmt])

    return entities


def _as_of(value: str | None, clock: Clock) -> date:
    if value is None:
        return beijing_date(clock.now())
    if not _DATE.match(value):
        raise UsageError(f"as_of must be YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"as_of is not a date: {value!r}") from None


def _error(status: int, code: str, message: str) -> Response:
    body = json.dumps({"error": code, "message": message}, ensure_ascii=False).encode()
    return Response(body, status, None, "application/json")
