"""Leases on the `sources` rows: claiming, renewing, releasing, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from monitor.clock import utc
from monitor.models import SourceDef
from monitor.store import Store
from monitor.store.leases import (
    CatalogClaimer,
    claim_due_sources,
    ensure_source_rows,
    release_and_reschedule,
    release_leases,
    renew_leases,
)
from monitor.store.tables import sources

T0 = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def make_sources(n: int, interval_s: float = 600.0) -> list[SourceDef]:
    return [
        SourceDef(
            id=f"s{i:03d}",
            name=f"Source {i}",
            kind="rss",
            url=f"http://127.0.0.1/{i}",
            interval_s=interval_s,
        )
        for i in range(n)
    ]


def row(store: Store, source_id: str) -> sa.Row[tuple[object, ...]]:
    with store.connect() as conn:
        return conn.execute(sa.select(sources).where(sources.c.id == source_id)).one()


def test_first_claim_creates_rows_and_takes_every_source(store: Store) -> None:
    defs = make_sources(3)
    claimed = claim_due_sources(store, worker="a", now=T0, sources=defs, lease_s=60)
    assert [d.id for d in claimed] == ["s000", "s001", "s002"]
    first = row(store, "s001")
    assert first.kind == "rss" and first.name == "Source 1"
    assert first.lease_owner == "a"
    assert utc(first.lease_until) == T0 + timedelta(seconds=60)


def test_a_leased_source_is_not_claimed_by_anyone_else(store: Store) -> None:
    defs = make_sources(2)
    assert len(claim_due_sources(store, worker="a", now=T0, sources=defs, lease_s=60)) == 2
    assert (
        claim_due_sources(
            store, worker="b", now=T0 + timedelta(seconds=59), sources=defs, lease_s=60
        )
        == []
    )
    # …nor by the same worker again while the lease holds.
    assert claim_due_sources(store, worker="a", now=T0, sources=defs, lease_s=60) == []


def test_only_the_given_sources_are_claimed(store: Store) -> None:
    defs = make_sources(3)
    ensure_source_rows(store, defs)
    claimed = claim_due_sources(
        store, worker="a", now=T0, sources=defs[:1], lease_s=10, exclude={"s000"}
    )
    assert claimed == []
    claimed = claim_due_sources(store, worker="a", now=T0, sources=defs[1:2], lease_s=10)
    assert [d.id for d in claimed] == ["s001"]
    assert row(store, "s002").lease_owner is None


def test_ensure_rows_is_idempotent(store: Store) -> None:
    defs = make_sources(3)
    assert ensure_source_rows(store, defs[:2]) == 2
    assert ensure_source_rows(store, defs) == 1
    assert ensure_source_rows(store, defs) == 0


def test_renew_and_release(store: Store) -> None:
    defs = make_sources(3)
    claim_due_sources(store, worker="a", now=T0, sources=defs, lease_s=10)
    later = T0 + timedelta(seconds=8)
    assert renew_leases(store, worker="a", source_ids={"s000", "s001"}, now=later, lease_s=10) == {
        "s000",
        "s001",
    }
    assert renew_leases(store, worker="b", source_ids={"s002"}, now=later, lease_s=10) == set()
    after_first_lease = T0 + timedelta(seconds=11)
    claimed = claim_due_sources(store, worker="b", now=after_first_lease, sources=defs, lease_s=10)
    assert [d.id for d in claimed] == ["s002"]  # the unrenewed one
    assert release_leases(store, worker="a", source_ids={"s001"}) == 1
    assert release_leases(store, worker="a", source_ids=set()) == 0
    assert [
        d.id for d in claim_due_sources(store, worker="b", now=later, sources=defs, lease_s=10)
    ] == ["s001"]
    assert release_leases(store, worker="a") == 1  # s000
    assert row(store, "s000").lease_owner is None


def test_concurrent_claimers_never_share_a_source(store: Store) -> None:
    defs = make_sources(60)
    ensure_source_rows(store, defs)
    workers = [f"w{i}" for i in range(4)]
    barrier = threading.Barrier(len(workers))
    won: dict[str, list[str]] = {w: [] for w in workers}
    errors: list[BaseException] = []

    def claimer(worker: str) -> None:
        try:
            barrier.wait()
            while True:
                got = claim_due_sources(
                    store,
                    worker=worker,
                    now=T0,
                    sources=defs,
                    lease_s=60,
                    limit=3,
                    ensure_rows=False,
                )
                if not got:
                    return
                won[worker].extend(d.id for d in got)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    every = [source for claimed in won.values() for source in claimed]
    assert sorted(every) == [d.id for d in defs]  # each exactly once
    with store.connect() as conn:
        owners = dict(conn.execute(sa.select(sources.c.id, sources.c.lease_owner)).all())
    for worker, claimed in won.items():
        assert all(owners[s] == worker for s in claimed)


def test_release_and_reschedule_only_while_the_lease_is_held(store: Store) -> None:
    defs = make_sources(1)
    claim_due_sources(store, worker="a", now=T0, sources=defs, lease_s=60)
    later = T0 + timedelta(hours=1)
    assert not release_and_reschedule(store, worker="b", source_id="s000", next_poll_at=later)
    assert row(store, "s000").lease_owner == "a"
    assert release_and_reschedule(store, worker="a", source_id="s000", next_poll_at=later)
    done = row(store, "s000")
    assert (done.lease_owner, done.lease_until) == (None, None)
    assert utc(done.next_poll_at) == later


def test_catalog_claimer_takes_due_free_sources_most_overdue_first(store: Store) -> None:
    defs = make_sources(4)
    ensure_source_rows(store, defs)
    with store.begin() as conn:
        conn.execute(sa.update(sources).where(sources.c.id == "s000")
                     .values(next_poll_at=T0 + timedelta(hours=1)))  # fmt: skip
        conn.execute(sa.update(sources).where(sources.c.id == "s003")
                     .values(next_poll_at=T0 - timedelta(hours=2)))  # fmt: skip
    claimer = CatalogClaimer(store, defs, worker="a", lease_s=30)
    assert [d.id for d in claimer.claim(T0, 2)] == ["s001", "s002"]  # never polled: first
    assert [d.id for d in claimer.claim(T0, 5)] == ["s003"]  # s000 is not due yet
    assert claimer.claim(T0, 5) == []
    assert row(store, "s003").lease_owner == "a"
    assert utc(row(store, "s003").lease_until) == T0 + timedelta(seconds=30)
    assert row(store, "s000").lease_owner is None


def test_catalog_claimer_skips_excluded_and_leased_sources(store: Store) -> None:
    defs = make_sources(3)
    ensure_source_rows(store, defs)
    assert [d.id for d in CatalogClaimer(store, defs[:1], worker="b", lease_s=60).claim(T0, 1)] == [
        "s000"
    ]
    claimer = CatalogClaimer(store, defs, worker="a", lease_s=600)
    assert [d.id for d in claimer.claim(T0, 5, exclude={"s001"})] == ["s002"]
    assert claimer.claim(T0, 0) == []
    # b's lease ends: a takes s000 over; s001 was only excluded; a still holds s002
    later = T0 + timedelta(seconds=61)
    assert sorted(d.id for d in claimer.claim(later, 5)) == ["s000", "s001"]


def test_catalog_claimer_gives_back_rows_missing_from_its_catalog(store: Store) -> None:
    defs = make_sources(3)
    ensure_source_rows(store, defs)
    due = T0 - timedelta(minutes=5)
    with store.begin() as conn:  # s000 is the most overdue and unknown to this catalog
        conn.execute(sa.update(sources).values(next_poll_at=T0 - timedelta(minutes=1)))
        conn.execute(sa.update(sources).where(sources.c.id == "s000").values(next_poll_at=due))
    claimer = CatalogClaimer(store, defs[1:], worker="a", lease_s=60)
    assert [d.id for d in claimer.claim(T0, 1)] == ["s001"]
    assert claimer.foreign == {"s000"}
    stranger = row(store, "s000")
    assert stranger.lease_owner is None and stranger.lease_until is None
    assert utc(stranger.next_poll_at) == due  # its schedule untouched: its owner polls it
    assert [d.id for d in claimer.claim(T0, 5)] == ["s002"]


def test_concurrent_catalog_claimers_never_share_a_source(store: Store) -> None:
    defs = make_sources(40)
    ensure_source_rows(store, defs)
    workers = [f"w{i}" for i in range(4)]
    barrier = threading.Barrier(len(workers))
    won: dict[str, list[str]] = {w: [] for w in workers}
    errors: list[BaseException] = []

    def claimer(worker: str) -> None:
        mine = CatalogClaimer(store, defs, worker=worker, lease_s=60)
        try:
            barrier.wait()
            while got := mine.claim(T0, 2):
                won[worker].extend(d.id for d in got)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(s for claimed in won.values() for s in claimed) == [d.id for d in defs]
