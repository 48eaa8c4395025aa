"""What every small replayed site shares: a socket on 127.0.0.1, a request log,
ETag / 304 answers, the faults real sites show, and an optional script challenge.

Faults (`set_fault`), each as the real sites show it (mofcom-site.md §3, §5, §6):

    412            a 412 page with a cookie-setting script (瑞数-style challenge)
    202-empty      202 with an empty body (a bot-check queue)
    500            a server error
    success-false  a JSON API's refusal envelope (the site decides its shape)
    mojibake       every non-ASCII character served as `?` (exportcontrol's header trap)
    gbk-label      the UTF-8 body labelled `charset=gbk`
    gbk-body       the body encoded GB18030 but labelled `charset=utf-8`

`challenge_cookie=True` answers every request without the cookie with 412 and a script
that sets it and reloads: only a browser gets through (GACC, §6 and §7).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from monitor.replay.loopback import Answer, ServedOnLoopback

SITE_FAULTS = frozenset(
    {"412", "202-empty", "500", "success-false", "mojibake", "gbk-label", "gbk-body"}
)
CLEARANCE_COOKIE = "rw_clearance"
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def challenge_page(token: str) -> bytes:
    """A 412 body in the shape of the real challenge: almost no text, a `$_ts` script
    that sets a cookie and reloads the page."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<meta id='rw9x' content='UmVwbGF5Q2hhbGxlbmdl' r='m'>"
        "<script r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=4127;"
        f"document.cookie='{CLEARANCE_COOKIE}={token}; path=/';"
        "location.replace(location.href);</script></head><body></body></html>"
    ).encode()


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes = b""


class SmallSite(ServedOnLoopback):
    """Base of the replayed sites: subclasses implement `route` (and `route_post`)."""

    name = "site"

    def __init__(self, *, challenge_cookie: bool = False) -> None:
        self._lock = threading.RLock()
        self._fault: tuple[str, int | None] | None = None
        self._log: list[Request] = []
        self.challenge_cookie = challenge_cookie
        self.token = hashlib.sha256(self.name.encode()).hexdigest()[:16]
        self.script_token: str | None = None  # what the script sets (None: the token)

    # -- lifecycle ---------------------------------------------------------------------

    def _thread_name(self) -> str:
        return f"replay-{self.name}"

    # -- faults and log ------------------------------------------------------------------

    def set_fault(self, mode: str | None, *, count: int | None = None) -> None:
        """Misbehave on the next `count` requests (None: until cleared with None)."""
        if mode is not None and mode not in SITE_FAULTS:
            raise ValueError(f"unknown fault {mode!r}; known: {sorted(SITE_FAULTS)}")
        with self._lock:
            self._fault = None if mode is None else (mode, count)

    @property
    def requests(self) -> tuple[Request, ...]:
        with self._lock:
            return tuple(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    # -- answering -----------------------------------------------------------------------

    def answer(self, method: str, target: str, headers: Mapping[str, str]) -> Answer:
        return self._answer(Request(method, target, dict(headers)))

    def answer_post(self, target: str, headers: Mapping[str, str], body: bytes) -> Answer:
        return self._answer(Request("POST", target, dict(headers), body))

    def _answer(self, request: Request) -> Answer:
        with self._lock:
            self._log.append(request)
            fault = self._take_fault()
            if self.challenge_cookie and not self._cleared(request.headers):
                return Answer(412, challenge_page(self.script_token or self.token))
            answer = self.route_post(request) if request.method == "POST" else self.route(request)
        if fault is not None:
            return self.faulty(fault, answer)
        if answer.status != 200 or request.method != "GET":
            return answer
        return _conditional(answer, request.headers)

    def route(self, request: Request) -> Answer:
        raise NotImplementedError

    def route_post(self, request: Request) -> Answer:
        return Answer(405, b"", "")

    def refusal(self) -> Answer:
        """The site's own `success: false` answer (JSON APIs override it)."""
        return Answer(200, b'{"success":false,"msg":"busy"}', "application/json;charset=UTF-8")

    def faulty(self, mode: str, normal: Answer) -> Answer:
        if mode == "412":
            return Answer(412, challenge_page(self.token))
        if mode == "202-empty":
            return Answer(202, b"", "text/html")
        if mode == "500":
            return Answer(500, b"<html><body>500 Internal Server Error</body></html>")
        if mode == "success-false":
            return self.refusal()
        text = normal.body.decode("utf-8", "replace")
        if mode == "mojibake":
            return Answer(normal.status, _NON_ASCII.sub("?", text).encode(), normal.content_type)
        base_type = normal.content_type.split(";")[0]
        if mode == "gbk-label":
            return Answer(normal.status, normal.body, f"{base_type}; charset=gbk")
        return Answer(normal.status, text.encode("gb18030"), f"{base_type}; charset=utf-8")

    def _take_fault(self) -> str | None:
        if self._fault is None:
            return None
        mode, remaining = self._fault
        if remaining is not None:
            self._fault = (mode, remaining - 1) if remaining > 1 else None
        return mode

    def _cleared(self, headers: Mapping[str, str]) -> bool:
        return f"{CLEARANCE_COOKIE}={self.token}" in headers.get("cookie", "")


def _conditional(answer: Answer, headers: Mapping[str, str]) -> Answer:
    etag = '"' + hashlib.sha256(answer.body).hexdigest()[:20] + '"'
    answer.headers["ETag"] = etag
    sent = headers.get("if-none-match")
    if sent is not None and etag in {tag.strip() for tag in sent.split(",")}:
        return Answer(304, b"", "", headers=answer.headers)
    return answer
