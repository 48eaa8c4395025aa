"""Reading a response body within a deadline and a size cap on the DECODED bytes (used by
fetch/client.py).

- **Deadlines.** A request has a total deadline (`Fetcher(deadline=…)`, per source
  `deadline`), a poll has one too (`poll_deadline`, set by the pipeline around one poll);
  a request ends at whichever comes first. The read timeout restarts on every byte, so a
  server dripping one byte a second never trips it: the deadline is checked as each chunk
  arrives, and each request's read timeout is capped at what is left of the deadline, so
  a server that goes silent is bounded too. An overrun is `FetchError("timeout")`.
- **Decompression.** httpx inflates a whole network chunk at once: 64 KB of gzip can be
  64 MB, so a gzip bomb was refused only after peaking at hundreds of MB. Here the raw
  bytes are inflated with `max_length`, never more than what the cap still allows, so
  memory stays near the cap however the body is compressed.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpx

from monitor.errors import FetchError
from monitor.fetch.checks import RetryableError

DEFAULT_DEADLINE_S = 60.0
_OUT_CHUNK = 256 * 1024  # decoded bytes produced per step (bounds the peak per chunk)

_poll_deadline: ContextVar[float | None] = ContextVar("regwatch_poll_deadline", default=None)


@contextmanager
def poll_deadline(
    seconds: float | None, monotonic: Callable[[], float] = time.monotonic
) -> Iterator[None]:
    """Every request made inside (on this thread) ends by `seconds` from now (None: none)."""
    token = _poll_deadline.set(None if seconds is None else monotonic() + seconds)
    try:
        yield
    finally:
        _poll_deadline.reset(token)


def request_deadline(now: float, seconds: float) -> float:
    """The moment a request started at `now` must end: its own limit or the poll's."""
    poll = _poll_deadline.get()
    own = now + seconds if seconds > 0 else math.inf
    return own if poll is None else min(own, poll)


def check_deadline(deadline: float, now: float, url: str) -> None:
    if now >= deadline:
        raise FetchError("timeout", "deadline passed (request or poll took too long)", url)


def read_body(
    response: httpx.Response,
    url: str,
    *,
    max_bytes: int,
    deadline: float = math.inf,
    monotonic: Callable[[], float] = time.monotonic,
) -> bytes:
    """The decoded body, at most `max_bytes` of it, read by `deadline`.

    Raises FetchError: too_large (announced or decoded), timeout, decode (bad or
    unsupported content-encoding); RetryableError for a read timeout or a cut-off body.
    """
    declared = _declared_length(response)
    if declared is not None and declared > max_bytes:
        raise FetchError("too_large", f"Content-Length {declared} > {max_bytes}", url)
    if response.is_stream_consumed:
        # An in-process answer (httpx.MockTransport) built from bytes: httpx read and
        # decoded it already; there is no network stream left to bound.
        body = response.content
        if len(body) > max_bytes:
            raise FetchError("too_large", f"body over {max_bytes} bytes", url)
        return body
    decoder = _Decoder(response.headers.get("content-encoding", ""), url)
    out = bytearray()
    try:
        for raw in response.iter_raw():
            check_deadline(deadline, monotonic(), url)
            decoder.feed(raw, out, max_bytes)
    except httpx.ReadTimeout as error:
        raise RetryableError(FetchError("timeout", "read timed out in body", url)) from error
    except (httpx.RemoteProtocolError, httpx.ReadError) as error:
        # the peer closed before Content-Length bytes (or the last chunk) arrived
        raise RetryableError(FetchError("truncated", str(error) or "body cut off", url)) from error
    decoder.finish(out, max_bytes)
    return bytes(out)


class _Decoder:
    """Content-Encoding layers (gzip, deflate, identity), inflated with a bound per step."""

    def __init__(self, header: str, url: str) -> None:
        self.url = url
        names = [n.strip().lower() for n in header.split(",") if n.strip()]
        self.layers: list[zlib._Decompress] = []
        for name in reversed(names):  # the last applied is undone first
            if name in ("identity", ""):
                continue
            if name in ("gzip", "x-gzip"):
                self.layers.append(zlib.decompressobj(zlib.MAX_WBITS | 16))
            elif name == "deflate":
                self.layers.append(_DeflateStart())  # type: ignore[arg-type]
            else:
                raise FetchError("decode", f"unsupported content-encoding {name!r}", url)

    def feed(self, data: bytes, out: bytearray, max_bytes: int) -> None:
        self._run(data, out, max_bytes, final=False)

    def finish(self, out: bytearray, max_bytes: int) -> None:
        self._run(b"", out, max_bytes, final=True)

    def _run(self, data: bytes, out: bytearray, max_bytes: int, *, final: bool) -> None:
        for piece in self._through(0, data, final, max_bytes - len(out)):
            out += piece
            if len(out) > max_bytes:
                raise FetchError("too_large", f"body over {max_bytes} bytes (decoded)", self.url)

    def _through(self, index: int, data: bytes, final: bool, room: int) -> Iterator[bytes]:
        """Bytes out of layer `index` onwards, in bounded pieces."""
        if index == len(self.layers):
            if data:
                yield data
            return
        layer = self.layers[index]
        try:
            pending = data
            while True:
                limit = min(_OUT_CHUNK, max(room, 0) + 1)
                piece = layer.decompress(pending, limit)
                pending = layer.unconsumed_tail
                if piece:
                    yield from self._through(index + 1, piece, False, room)
                    room -= len(piece)
                # A full piece may leave output inside zlib even with no input left.
                if not pending and len(piece) < limit:
                    break
            if final:
                rest = layer.flush()
                yield from self._through(index + 1, rest, True, room)
        except zlib.error as error:
            raise FetchError("decode", f"content-encoding: {error}", self.url) from error


class _DeflateStart:
    """'deflate' as servers send it: zlib-wrapped, or (wrongly, often) raw deflate."""

    def __init__(self) -> None:
        self._inner: zlib._Decompress | None = None
        self.unconsumed_tail = b""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._inner is None:
            if not data:
                return b""
            raw = not _zlib_header(data)
            self._inner = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        piece = self._inner.decompress(data, max_length)
        self.unconsumed_tail = self._inner.unconsumed_tail
        return piece

    def flush(self) -> bytes:
        return self._inner.flush() if self._inner is not None else b""


def _zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def _declared_length(response: httpx.Response) -> int | None:
    try:
        return int(response.headers["content-length"].strip())
    except (KeyError, ValueError):
        return None
