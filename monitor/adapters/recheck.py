"""Which stored notices a poll re-reads beyond the first list page (pure).

Page 1 of a list is re-read on every recheck (hourly by default, `recheck`). A notice that has
scrolled off page 1 would never be read again, so a corrected annex or text there would be
missed for good. Every stored rare-earth-relevant notice is therefore re-read once per
`recheck_all` period (default a day), spread evenly: each URL falls in one of 24 hour
buckets by its hash, and a recheck re-reads the buckets of every hour boundary crossed since
the previous recheck (all of them after a gap of a whole period). Consecutive rechecks cover
consecutive hours, so each URL is read once a day however the rechecks drift, and each
recheck reads about 1/24 of them. Those re-reads are conditional requests when the page's
validators are known from an earlier read in this process (`PageValidators`).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime

from monitor.models import Validators

BUCKETS = 24
DEFAULT_RECHECK_ALL = "1d"


def bucket(url: str) -> int:
    return int.from_bytes(hashlib.sha256(url.encode()).digest()[:4], "big") % BUCKETS


def due_buckets(last: datetime | None, now: datetime, period_s: float) -> frozenset[int]:
    """The buckets to re-read at `now` when the previous recheck was at `last`."""
    slot_s = period_s / BUCKETS
    if slot_s <= 0:
        return frozenset(range(BUCKETS))
    current = _slot(now, slot_s)
    if last is None:
        return frozenset({current % BUCKETS})
    previous = _slot(last, slot_s)
    if current - previous >= BUCKETS:
        return frozenset(range(BUCKETS))
    return frozenset(slot % BUCKETS for slot in range(previous + 1, current + 1))


def due_urls(
    urls: Iterable[str], last: datetime | None, now: datetime, period_s: float
) -> frozenset[str]:
    buckets = due_buckets(last, now, period_s)
    return frozenset(url for url in urls if bucket(url) in buckets)


def _slot(moment: datetime, slot_s: float) -> int:
    return int((moment - _EPOCH).total_seconds() // slot_s)


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class PageValidators:
    """ETag / Last-Modified of detail pages read in this process, so the daily re-read of a
    stored notice is a conditional request (304: nothing to parse). Bounded, thread-safe."""

    def __init__(self, limit: int = 20_000) -> None:
        self._limit = limit
        self._seen: OrderedDict[str, Validators] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str) -> Validators | None:
        with self._lock:
            return self._seen.get(url)

    def remember(self, url: str, validators: Validators) -> None:
        if not (validators.etag or validators.last_modified):
            return
        with self._lock:
            self._seen[url] = validators
            self._seen.move_to_end(url)
            while len(self._seen) > self._limit:
                self._seen.popitem(last=False)
