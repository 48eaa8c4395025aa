"""Deadlines while streaming (against hostile servers on 127.0.0.1) and the bounded
decoder of fetch/stream.py."""

from __future__ import annotations

import time
from typing import Any

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
