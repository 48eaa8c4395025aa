"""Deadlines while streaming (against hostile servers on 127.0.0.1) and the bounded
decoder of fetch/stream.py."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from monitor.errors import FetchError
from monitor.fetch.client import Fetcher
from monitor.fetch.stream import poll_deadline, request_deadline
from monitor.models import SourceDef
from tests.support.drip import DripServer


def drip_source(server: DripServer, **options: Any) -> SourceDef:
    return SourceDef(
        id="drip", name="drip", kind="rss", url=f"{server.base_url}/zwgk/zcfb/index.html",
        interval_s=600, options=options,
    )  # fmt: skip


def timed_get(fetcher: Fetcher, source: SourceDef) -> tuple[FetchError, float]:
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetcher.get(source, source.url)
    return caught.value, time.monotonic() - started


def test_a_one_byte_a_tick_drip_ends_at_the_request_deadline() -> None:
    # 200 bytes at one per 50 ms would take 10 s; the read timeout never trips.
    with (
        DripServer(length=200, every_s=0.05) as server,
        Fetcher(politeness_s=0, retries=0, read_timeout=5, deadline=0.5) as fetcher,
    ):
        error, seconds = timed_get(fetcher, drip_source(server))
    assert error.reason == "timeout" and "deadline" in str(error)
    assert seconds < 3


def test_a_source_may_set_its_own_deadline() -> None:
    with (
        DripServer(length=200, every_s=0.05) as server,
        Fetcher(politeness_s=0, retries=0, read_timeout=5, deadline=60) as fetcher,
    ):
        error, seconds = timed_get(fetcher, drip_source(server, deadline=0.4))
    assert error.reason == "timeout" and seconds < 3


def test_a_server_gone_silent_ends_with_the_deadline_not_the_read_timeout() -> None:
    with (
        DripServer(every_s=None) as server,
        Fetcher(
            politeness_s=0, retries=2, read_timeout=20, deadline=0.5, backoff_base_s=0
        ) as fetcher,
    ):
        error, seconds = timed_get(fetcher, drip_source(server))
    assert error.reason == "timeout" and seconds < 3


def test_the_poll_deadline_bounds_every_request_of_the_poll() -> None:
    with (
        DripServer(length=200, every_s=0.05) as server,
        Fetcher(politeness_s=0, retries=0, read_timeout=5, deadline=60) as fetcher,
    ):
        source = drip_source(server)
        with poll_deadline(0.4):
            error, seconds = timed_get(fetcher, source)
            assert error.reason == "timeout" and seconds < 3
            # Once the poll's time is up, the next request does not even start.
            error, seconds = timed_get(fetcher, source)
            assert error.reason == "timeout" and seconds < 0.5


def test_request_deadline_is_the_earlier_of_request_and_poll() -> None:
    assert request_deadline(100.0, 60) == 160.0
    with poll_deadline(10, monotonic=lambda: 100.0):
        assert request_deadline(100.0, 60) == 110.0
        assert request_deadline(105.0, 2) == 107.0
    assert request_deadline(100.0, 0) == float("inf")


# -- decompression: the cap applies to decoded bytes, memory stays near the cap -----------


class Chunks(httpx.SyncByteStream):
    """A body that arrives in pieces (httpx does not read it ahead, as off a socket)."""

    def __init__(self, data: bytes, size: int = 65_536) -> None:
        self.data, self.size = data, size

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), self.size):
            yield self.data[start : start + self.size]


def serve_encoded(data: bytes, encoding: str, **limits: Any) -> Fetcher:
    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/xml", "Content-Encoding": encoding}
        return httpx.Response(200, headers=headers, stream=Chunks(data))

    limits.setdefault("politeness_s", 0)
    return Fetcher(transport=httpx.MockTransport(answer), retries=0, **limits)


FEED = "https://www.globaltimes.cn/rss/china.xml"
FEED_SOURCE = SourceDef(id="gt", name="gt", kind="rss", url=FEED, interval_s=1800)
RSS = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>稀土</title>'
       "</channel></rss>").encode()  # fmt: skip


def deflate_raw(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", deflate_raw),  # what many servers send as "deflate"
        ("identity", lambda data: data),
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
    ],
)
def test_encoded_bodies_decode(encoding: str, encode: Any) -> None:
    with serve_encoded(encode(RSS * 200), encoding) as fetcher:
        page = fetcher.get(FEED_SOURCE, FEED, expect="xml")
    assert page.body == RSS * 200


def test_a_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = gzip.compress(b"\0" * 200_000_000, compresslevel=9)  # 200 MB in ~200 KB
    tracemalloc.start()
    try:
        with (
            serve_encoded(bomb, "gzip", max_bytes=1_000_000) as fetcher,
            pytest.raises(FetchError) as caught,
        ):
            fetcher.get(FEED_SOURCE, FEED, expect="xml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.reason == "too_large" and "decoded" in str(caught.value)
    # httpx inflated each 64 KB network chunk whole: ~64 MB at once.
    assert peak < 8_000_000


@pytest.mark.parametrize(
    ("data", "encoding", "reason"),
    [
        (b"\x1f\x8b\x08\x00garbage-not-gzip" * 10, "gzip", "decode"),
        (RSS, "br", "decode"),  # not asked for, not supported
    ],
)
def test_bad_or_unsupported_encodings_are_decode_failures(
    data: bytes, encoding: str, reason: str
) -> None:
    with serve_encoded(data, encoding) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(FEED_SOURCE, FEED, expect="xml")
    assert caught.value.reason == reason
