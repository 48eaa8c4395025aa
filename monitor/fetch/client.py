"""Polite HTTP for every source: one shared httpx pool, safe to use from worker threads.

`Fetcher.get` returns a `Page` that passed every sanity check, or raises `FetchError` with
one of these stable `reason` labels:

    connect            could not connect / connection reset before an answer (after retries)
    timeout            connect or read timed out (after retries), or the request's or the
                       poll's total deadline passed (fetch/stream.py)
    http_status        an unexpected status: 4xx at once, 5xx after retries, odd 2xx/3xx
    challenge          412 / 521 anti-bot script pages, or a 200 page that is only a JS check
    empty_body         200 with an empty body, or 202/204 (a bot-check queue page)
    truncated          fewer bytes than Content-Length, or an HTML page (expect="html",
                       served as text/html) without its closing </html> tag
    too_large          more than max_bytes (announced or while streaming)
    redirect_off_site  a redirect leaving the source's own hosts, or too many redirects
    decode             the body fits no charset
    bad_envelope       (raised by adapters) a JSON answer without the expected envelope

Per-source overrides, read from `SourceDef.options` (documented in sources/*.toml):
`politeness` (s), `connect_timeout` (s), `read_timeout` (s), `deadline` (s, total per
request), `max_bytes` (decoded), `retries`, `hosts` (more hosts the source owns),
`user_agent`, `fetch` ("http", the default, or "browser": through a local headless
Chromium, fetch/browser.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from monitor.clock import Clock, SystemClock
from monitor.errors import FetchError
from monitor.fetch.browser import BrowserPages
from monitor.fetch.checks import (
    Expect,
    RetryableError,
    check_complete,
    content_length,
    decoded_text,
)
from monitor.fetch.options import FETCH_OPTIONS
from monitor.fetch.stream import DEFAULT_DEADLINE_S, check_deadline, read_body, request_deadline
from monitor.fetch.urls import from_wire, source_hosts, to_wire
from monitor.models import Page, SourceDef, Validators

__all__ = ["FETCH_OPTIONS", "Fetcher"]

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "regwatch/0.1 (+rare-earth export-control monitor; contact via project README)"
MAX_REDIRECTS = 5
# Idle connections kept: one per default worker covers a poll's run of requests to its host.
# Not one per source host: httpcore scans its idle list for every request (O(idle²)), so
# 300 idle connections cost ~40 ms a request (benchmarks/profile_poll.py), and sources polled
# minutes apart find their connection closed by the server anyway.
KEEPALIVE = 8
MAX_RETRY_AFTER_S = 60.0

_ACCEPT: Mapping[str, str] = {
    "html": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "json": "application/json, text/javascript, */*; q=0.01",
    "xml": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "*/*;q=0.8",
    "binary": "*/*",
}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DRAIN_MAX = 64_000


@dataclass(frozen=True)
class _Limits:
    politeness_s: float
    connect_timeout_s: float
    read_timeout_s: float
    max_bytes: int
    retries: int
    user_agent: str | None
    deadline_s: float = DEFAULT_DEADLINE_S


class Fetcher:
    """GET pages politely; every failure is a FetchError with a stable reason."""

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        connect_timeout: float = 10,
        read_timeout: float = 30,
        max_bytes: int = 10_000_000,
        retries: int = 3,
        backoff_base_s: float = 1.0,
        politeness_s: float = 2.0,
        deadline: float = DEFAULT_DEADLINE_S,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._defaults = _Limits(
            politeness_s=politeness_s,
            connect_timeout_s=connect_timeout,
            read_timeout_s=read_timeout,
            max_bytes=max_bytes,
            retries=retries,
            user_agent=None,
            deadline_s=deadline,
        )
        self._backoff_base_s = backoff_base_s
        self._sleep = sleep
        self._clock: Clock = clock or SystemClock()
        self._monotonic = monotonic
        self._jitter = jitter
        self._next_slot: dict[str, float] = {}
        self._slot_lock = threading.Lock()
        self._browser: BrowserPages | None = None
        self._client = httpx.Client(
            transport=transport,
            headers={"User-Agent": user_agent, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"},
            timeout=_timeout(self._defaults),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=KEEPALIVE),
        )

    # -- public ------------------------------------------------------------------------

    def get(
        self,
        source: SourceDef,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        validators: Validators | None = None,
        expect: Expect = "html",
    ) -> Page:
        """GET a canonical real-site `url` (rewritten to `source.base_url` on the wire).

        A 304 answer returns a Page with status 304, an empty body, and `sha256` set to
        `validators.sha256` (the hash of the body the server says is unchanged).
        """
        if source.options.get("fetch") == "browser":
            self._wait_turn(_host_key(to_wire(source, url)), self._limits(source).politeness_s)
            return self._browser_pages().get(source, url, expect=expect)
        return self._request(source, url, headers=headers, validators=validators, expect=expect)

    def post_form(
        self,
        source: SourceDef,
        url: str,
        form: Mapping[str, str],
        *,
        headers: Mapping[str, str] | None = None,
        expect: Expect = "json",
    ) -> Page:
        """POST `form` url-encoded (list APIs that take their paging as a form body)."""
        body = urlencode(form).encode("ascii")
        form_headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self._request(source, url, headers=form_headers, validators=None, expect=expect,
                             method="POST", content=body)  # fmt: skip

    def _browser_pages(self) -> BrowserPages:
        with self._slot_lock:
            if self._browser is None:
                self._browser = BrowserPages(clock=self._clock)
            return self._browser

    def _request(
        self,
        source: SourceDef,
        url: str,
        *,
        headers: Mapping[str, str] | None,
        validators: Validators | None,
        expect: Expect,
        method: str = "GET",
        content: bytes | None = None,
    ) -> Page:
        limits = self._limits(source)
        request_headers = _request_headers(headers, validators, expect, limits)
        deadline = request_deadline(self._monotonic(), limits.deadline_s)
        attempt = 0
        while True:
            try:
                return self._follow(
                    source, url, headers=request_headers, validators=validators,
                    expect=expect, limits=limits, deadline=deadline, method=method,
                    content=content,
                )  # fmt: skip
            except RetryableError as failure:
                if attempt >= limits.retries or self._monotonic() >= deadline:
                    raise failure.error from failure
                delay = self._backoff_base_s * (2**attempt) * self._jitter()
                if failure.retry_after_s is not None:
                    delay = max(delay, min(failure.retry_after_s, MAX_RETRY_AFTER_S))
                attempt += 1
                log.info(
                    "retrying %s in %.2fs (attempt %d): %s", url, delay, attempt, failure.error
                )
                if delay > 0:
                    self._sleep(delay)

    def close(self) -> None:
        self._client.close()
        if self._browser is not None:
            self._browser.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- one attempt, redirects included ---------------------------------------------

    def _follow(
        self,
        source: SourceDef,
        url: str,
        *,
        headers: dict[str, str],
        validators: Validators | None,
        expect: Expect,
        limits: _Limits,
        deadline: float,
        method: str = "GET",
        content: bytes | None = None,
    ) -> Page:
        own_hosts = source_hosts(source)
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            wire_url = to_wire(source, current)
            self._wait_turn(_host_key(wire_url), limits.politeness_s)
            left = deadline - self._monotonic()
            check_deadline(deadline, self._monotonic(), url)
            request = self._client.build_request(
                method, wire_url, headers=headers, content=content, timeout=_timeout(limits, left)
            )
            with _streamed(self._client, request, wire_url) as response:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    target = from_wire(source, urljoin(wire_url, response.headers["location"]))
                    host = (urlsplit(target).hostname or "").lower()
                    if host not in own_hosts:
                        raise FetchError(
                            "redirect_off_site", f"redirect to {host or target!r}", url
                        )
                    current = target
                    method, content = "GET", None  # a redirected form POST is read by GET
                    continue
                return self._page(
                    response, url, final_url=current, validators=validators,
                    expect=expect, limits=limits, deadline=deadline,
                )  # fmt: skip
        raise FetchError("redirect_off_site", f"more than {MAX_REDIRECTS} redirects", url)

    def _page(
        self,
        response: httpx.Response,
        url: str,
        *,
        final_url: str,
        validators: Validators | None,
        expect: Expect,
        limits: _Limits,
        deadline: float,
    ) -> Page:
        status = response.status_code
        header_map = dict(response.headers.items())  # lower-case names, repeats joined
        fetched_at = self._clock.now()
        etag = response.headers.get("etag")
        last_modified = response.headers.get("last-modified")
        if status == 304:
            return Page(
                url=url, final_url=final_url, status=304, headers=header_map, body=b"", text="",
                fetched_at=fetched_at,
                sha256=(validators.sha256 if validators and validators.sha256 else _sha(b"")),
                etag=etag or (validators.etag if validators else None),
                last_modified=last_modified or (validators.last_modified if validators else None),
            )  # fmt: skip
        if status in (412, 521):
            raise FetchError("challenge", f"HTTP {status} anti-bot page", url)
        if status >= 500:
            raise RetryableError(
                FetchError("http_status", f"HTTP {status}", url), _retry_after(response)
            )
        if status in (202, 204):
            raise FetchError("empty_body", f"HTTP {status} (bot check or queue page)", url)
        if status not in (200, 203):
            raise FetchError("http_status", f"HTTP {status}", url)
        body = read_body(
            response, url, max_bytes=limits.max_bytes, deadline=deadline, monotonic=self._monotonic
        )
        content_type = response.headers.get("content-type", "")
        check_complete(response, body, url, expect, content_type)
        text = decoded_text(body, content_type, expect, url)
        return Page(
            url=url, final_url=final_url, status=status, headers=header_map, body=body,
            text=text, fetched_at=fetched_at, sha256=_sha(body), etag=etag,
            last_modified=last_modified,
        )  # fmt: skip

    # -- politeness --------------------------------------------------------------------

    def _wait_turn(self, host: str, gap_s: float) -> None:
        """Keep at least `gap_s` between request starts to one host, across threads.

        Each caller reserves the next free slot under the lock and sleeps outside it, so
        concurrent workers line up instead of all waking at once.
        """
        if gap_s <= 0:
            return
        with self._slot_lock:
            now = self._monotonic()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + gap_s
        if slot > now:
            self._sleep(slot - now)

    def _limits(self, source: SourceDef) -> _Limits:
        options = source.options
        if not any(key in options for key in FETCH_OPTIONS):
            return self._defaults
        base = self._defaults
        agent = options.get("user_agent")
        return _Limits(
            politeness_s=_number(options, "politeness", base.politeness_s),
            connect_timeout_s=_number(options, "connect_timeout", base.connect_timeout_s),
            read_timeout_s=_number(options, "read_timeout", base.read_timeout_s),
            max_bytes=int(_number(options, "max_bytes", base.max_bytes)),
            retries=int(_number(options, "retries", base.retries)),
            user_agent=agent if isinstance(agent, str) and agent else None,
            deadline_s=_number(options, "deadline", base.deadline_s),
        )


@contextlib.contextmanager
def _streamed(client: httpx.Client, request: httpx.Request, url: str) -> Iterator[httpx.Response]:
    """`client.send(stream=True)` with transport errors mapped to FetchError reasons."""
    try:
        response = client.send(request, stream=True)
    except (httpx.ConnectTimeout, httpx.ReadTimeout, httpx.PoolTimeout) as error:
        raise RetryableError(FetchError("timeout", type(error).__name__, url)) from error
    except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError) as error:
        # includes a reset first connection and "disconnected without sending a response"
        raise RetryableError(FetchError("connect", str(error) or repr(error), url)) from error
    except httpx.TransportError as error:
        raise FetchError("connect", str(error) or repr(error), url) from error
    try:
        yield response
    finally:
        _drain(response)
        response.close()


def _drain(response: httpx.Response) -> None:
    """Read what is left of a small unread body (304s, redirects, error pages): closing
    an unread response throws its kept-alive connection away."""
    if response.is_stream_consumed:
        return
    length = content_length(response)
    if response.status_code in (204, 304) or (length is not None and length <= _DRAIN_MAX):
        with contextlib.suppress(httpx.HTTPError):
            response.read()


# -- helpers (module level: pure) ------------------------------------------------------


def _request_headers(
    headers: Mapping[str, str] | None,
    validators: Validators | None,
    expect: Expect,
    limits: _Limits,
) -> dict[str, str]:
    result = {"Accept": _ACCEPT[expect]}
    if limits.user_agent:
        result["User-Agent"] = limits.user_agent
    if validators is not None:
        if validators.etag:
            result["If-None-Match"] = validators.etag
        if validators.last_modified:
            result["If-Modified-Since"] = validators.last_modified
    result.update(headers or {})
    return result


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP-date: the exponential backoff is good enough


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.lower()


def _timeout(limits: _Limits, left_s: float = math.inf) -> httpx.Timeout:
    # Capped at what is left of the deadline: a server that goes silent ends with it too.
    left_s = max(left_s, 0.001)
    connect = min(limits.connect_timeout_s, left_s)
    read = min(limits.read_timeout_s, left_s)
    return httpx.Timeout(connect=connect, read=read, write=read, pool=connect + read)


def _number(options: Mapping[str, Any], key: str, default: float) -> float:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
