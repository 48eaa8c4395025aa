"""The next poll: jittered, and written only by the replica that still holds the lease."""

from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from monitor.clock import utc
from monitor.daemon.leases import finish_poll, next_poll_time
from monitor.store import Store
from monitor.store.leases import claim_due_sources
from tests.store.test_leases import T0, make_sources, row


def test_an_expired_lease_is_taken_over(store: Store) -> None:
    defs = make_sources(1)
    claim_due_sources(store, worker="killed", now=T0, sources=defs, lease_s=60)
    later = T0 + timedelta(seconds=60)
    assert [
        d.id for d in claim_due_sources(store, worker="b", now=later, sources=defs, lease_s=60)
    ] == ["s000"]
    assert row(store, "s000").lease_owner == "b"
    # The killed replica's late finish must not overwrite b's schedule.
    assert not finish_poll(
        store, worker="killed", source=defs[0], now=later, jitter=0, rng=random.Random(1)
    )
    assert row(store, "s000").lease_owner == "b"
    assert row(store, "s000").next_poll_at is None


def test_finish_releases_and_schedules_the_next_poll(store: Store) -> None:
    defs = make_sources(1, interval_s=600)
    claim_due_sources(store, worker="a", now=T0, sources=defs, lease_s=60)
    assert finish_poll(store, worker="a", source=defs[0], now=T0, jitter=0, rng=random.Random(1))
    done = row(store, "s000")
    assert done.lease_owner is None and done.lease_until is None
    assert utc(done.next_poll_at) == T0 + timedelta(seconds=600)
    not_yet = T0 + timedelta(seconds=599)
    assert claim_due_sources(store, worker="b", now=not_yet, sources=defs, lease_s=60) == []
    due = T0 + timedelta(seconds=600)
    assert claim_due_sources(store, worker="b", now=due, sources=defs, lease_s=60) == defs


def test_times_in_any_offset_compare_as_instants(store: Store) -> None:
    # Beijing 09:00 is 01:00 UTC: the schedule must not shift by eight hours on SQLite.
    defs = make_sources(1, interval_s=60)
    beijing = T0.astimezone(ZoneInfo("Asia/Shanghai"))
    claim_due_sources(store, worker="a", now=beijing, sources=defs, lease_s=30)
    finish_poll(store, worker="a", source=defs[0], now=beijing, jitter=0, rng=random.Random(1))
    assert utc(row(store, "s000").next_poll_at) == T0 + timedelta(seconds=60)
    assert (
        claim_due_sources(
            store, worker="a", now=T0 + timedelta(seconds=59), sources=defs, lease_s=30
        )
        == []
    )


def test_limit_takes_the_most_overdue_first(store: Store) -> None:
    defs = make_sources(4, interval_s=100)
    claim_due_sources(store, worker="a", now=T0, sources=defs, lease_s=10)
    rng = random.Random(1)
    # s003 finished earliest, then s001, s002, s000.
    for source, offset in (("s003", 0), ("s001", 1), ("s002", 2), ("s000", 3)):
        finish_poll(
            store,
            worker="a",
            source=defs[int(source[1:])],
            now=T0 + timedelta(seconds=offset),
            jitter=0,
            rng=rng,
        )
    late = T0 + timedelta(seconds=500)
    claimed = claim_due_sources(store, worker="b", now=late, sources=defs, lease_s=10, limit=2)
    assert [d.id for d in claimed] == ["s003", "s001"]
    assert claim_due_sources(store, worker="b", now=late, sources=defs, lease_s=10, limit=0) == []


def test_next_poll_time_stays_within_the_jitter() -> None:
    rng = random.Random(7)
    times = [next_poll_time(T0, 100, 0.1, rng) for _ in range(200)]
    offsets = [(t - T0).total_seconds() for t in times]
    assert min(offsets) >= 90 and max(offsets) <= 110
    assert max(offsets) - min(offsets) > 10  # it does spread
    assert next_poll_time(T0, 100, 0, rng) == T0 + timedelta(seconds=100)
