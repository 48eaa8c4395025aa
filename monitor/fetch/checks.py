"""What a fetched answer's body must pass before it becomes a Page (used by fetch/client.py).

Each failure is a FetchError with a stable reason (listed in fetch/client.py), wrapped in
`RetryableError` when another attempt may fix it: read (fetch/stream.py), then, in this
order, not cut off, not empty, not an anti-bot challenge, a finished HTML document; then
decoded to text.
"""

from __future__ import annotations

import re
from typing import Literal

import httpx

from monitor.errors import FetchError
from monitor.fetch.decode import decode_body

Expect = Literal["html", "json", "xml", "binary"]

_HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)
# Markers of anti-bot interstitials: 瑞数 ($_ts, meta r='m'), 加速乐 (__jsl_clearance),
# Aliyun (acw_sc__v2), generic cookie-set-and-reload scripts.
_CHALLENGE_MARKERS = re.compile(
    rb"\$_ts\s*=|__jsl_clearance|_jsl_clearance_s|acw_sc__v2|<meta[^>]+\br=['\"]m['\"]",
    re.IGNORECASE,
)
_COOKIE_RELOAD = re.compile(
    rb"document\.cookie\s*=.{0,800}?(location\.(?:href|reload|replace)|window\.location)",
    re.IGNORECASE | re.DOTALL,
)
_SCRIPT_OR_STYLE = re.compile(rb"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(rb"<[^>]*>")
_CHALLENGE_MAX_BYTES = 64_000
_CHALLENGE_MAX_VISIBLE = 200


class RetryableError(Exception):
    """One attempt failed in a way another attempt may fix."""

    def __init__(self, error: FetchError, retry_after_s: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after_s = retry_after_s


def check_complete(  # in this order: cut off, empty, challenge, unfinished HTML
    response: httpx.Response, body: bytes, url: str, expect: Expect, content_type: str
) -> None:
    declared = content_length(response)
    encoded = response.headers.get("content-encoding", "identity").lower() != "identity"
    received = response.num_bytes_downloaded if encoded else len(body)
    if declared is not None and received < declared:
        raise RetryableError(FetchError("truncated", f"{received} of {declared} bytes", url))
    if not body.strip():
        raise FetchError("empty_body", f"HTTP {response.status_code} with an empty body", url)
    if expect != "binary" and _looks_like_challenge(body):
        raise FetchError("challenge", "JavaScript challenge page", url)
    # Only pages we parse as documents, served as HTML, must be complete documents;
    # list APIs (json), feeds and attachments have no such end marker.
    if expect == "html" and "html" in content_type.lower() and not _HTML_END.search(body):
        raise RetryableError(FetchError("truncated", "HTML page without </html>", url))


def looks_like_challenge(body: bytes) -> bool:
    """A small page that is only an anti-bot script (also used on browser answers)."""
    return _looks_like_challenge(body)


def _looks_like_challenge(body: bytes) -> bool:
    if len(body) > _CHALLENGE_MAX_BYTES:
        return False
    head = body[:_CHALLENGE_MAX_BYTES]
    if not (_CHALLENGE_MARKERS.search(head) or _COOKIE_RELOAD.search(head)):
        return False
    visible = _TAG.sub(b" ", _SCRIPT_OR_STYLE.sub(b" ", head))
    return len(b"".join(visible.split())) < _CHALLENGE_MAX_VISIBLE


def decoded_text(body: bytes, content_type: str, expect: Expect, url: str) -> str:
    if expect == "binary":
        return ""
    try:
        text, _codec = decode_body(body, content_type)
    except ValueError as error:
        raise FetchError("decode", str(error), url) from error
    return text


def content_length(response: httpx.Response) -> int | None:
    """Declared size of the body as sent (compressed, like num_bytes_downloaded)."""
    try:
        return int(response.headers["content-length"].strip())
    except (KeyError, ValueError):
        return None
