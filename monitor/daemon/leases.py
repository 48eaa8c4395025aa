"""When a source is polled next: the jittered interval, written when its lease is released.

The leases themselves (claim, renew, release) are rows in the store: `monitor.store.leases`.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from monitor.clock import utc
from monitor.models import SourceDef
from monitor.store import Store
from monitor.store.leases import release_and_reschedule


def next_poll_time(now: datetime, interval_s: float, jitter: float, rng: random.Random) -> datetime:
    """`now` + interval, spread by ±`jitter`·interval so replicas and sources drift apart."""
    spread = max(0.0, min(jitter, 0.9))
    factor = 1.0 + (rng.uniform(-spread, spread) if spread else 0.0)
    return utc(now) + timedelta(seconds=interval_s * factor)


def finish_poll(
    store: Store,
    *,
    worker: str,
    source: SourceDef,
    now: datetime,
    jitter: float,
    rng: random.Random,
) -> bool:
    """Release `worker`'s lease on `source` and schedule its next poll.

    Returns False (and changes nothing) when the lease was lost meanwhile.
    """
    return release_and_reschedule(
        store,
        worker=worker,
        source_id=source.id,
        next_poll_at=next_poll_time(now, source.interval_s, jitter, rng),
    )
