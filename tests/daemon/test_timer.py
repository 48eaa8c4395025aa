from __future__ import annotations

import logging
import os
import random
import signal
import threading
import time
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitor.clock import Clock, FixedClock, ScaledClock
from monitor.config import ScheduleSettings, build_settings
from monitor.daemon.jobs import Jobs
from monitor.daemon.leases import finish_poll
from monitor.daemon.timer import Daemon, run_daemon
from monitor.models import SourceDef
from monitor.store import Store
from monitor.store.leases import claim_due_sources, release_leases, renew_leases

T0 = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
WAIT = 10.0  # upper bound for waits on events; tests finish far sooner


def defs(n: int, interval_s: float = 600) -> list[SourceDef]:
    return [
        SourceDef(
            id=f"s{i:02d}",
            name=f"S{i}",
            kind="rss",
            url=f"http://127.0.0.1/{i}",
            interval_s=interval_s,
        )
        for i in range(n)
    ]


class Recorder:
    """Real leases on a SQLite store; polls are recorded, and may be held on an event."""

    def __init__(
        self, store: Store, sources: list[SourceDef], clock: Clock, worker: str = "w1"
    ) -> None:
        self.store, self.sources, self.clock, self.worker = store, sources, clock, worker
        self.polled: list[str] = []
        self.hold: dict[str, threading.Event] = {}
        self.started: dict[str, threading.Event] = {s.id: threading.Event() for s in sources}
        self.renewed: list[set[str]] = []
        self.calls: dict[str, int] = {"deliver": 0, "digests": 0, "clock": 0, "health": 0}
        self.lock = threading.Lock()
        self.all_done = threading.Event()
        self.job_ran = {name: threading.Event() for name in self.calls}

    def claim(self, now: datetime, limit: int, busy: Collection[str]) -> Sequence[SourceDef]:
        return claim_due_sources(
            self.store,
            worker=self.worker,
            now=now,
            sources=self.sources,
            lease_s=60,
            limit=limit,
            exclude=busy,
        )

    def poll(self, source: SourceDef) -> object:
        self.started[source.id].set()
        if source.id in self.hold:
            self.hold[source.id].wait(WAIT)
        if source.id == "boom":
            raise RuntimeError("a bug")
        with self.lock:
            self.polled.append(source.id)
            if len(self.polled) >= len(self.sources):
                self.all_done.set()
        return None

    def finish(self, source: SourceDef, now: datetime) -> object:
        return finish_poll(
            self.store, worker=self.worker, source=source, now=now, jitter=0, rng=random.Random(1)
        )

    def renew(self, ids: Collection[str], now: datetime) -> object:
        self.renewed.append(set(ids))
        return renew_leases(self.store, worker=self.worker, source_ids=ids, now=now, lease_s=60)

    def release(self, ids: Collection[str]) -> object:
        return release_leases(self.store, worker=self.worker, source_ids=ids)

    def counter(self, name: str) -> Any:
        def run() -> None:
            with self.lock:
                self.calls[name] += 1
            self.job_ran[name].set()

        return run

    def jobs(self) -> Jobs:
        return Jobs(
            claim=self.claim,
            poll=self.poll,
            finish=self.finish,
            renew=self.renew,
            release=self.release,
            deliver=self.counter("deliver"),
            digests=self.counter("digests"),
            clock_events=self.counter("clock"),
            health=self.counter("health"),
        )


def make_daemon(rec: Recorder, workers: int = 3) -> Daemon:
    return Daemon(
        rec.jobs(),
        clock=rec.clock,
        schedule=ScheduleSettings(tick_s=60, jitter=0, lease_s=60, max_workers=workers),
        delivery_interval_s=60,
        worker=rec.worker,
    )


def test_one_tick_polls_a_whole_round_with_a_few_workers(sqlite_store: Store) -> None:
    rec = Recorder(sqlite_store, defs(12), FixedClock(T0))
    daemon = make_daemon(rec, workers=3)
    assert daemon.tick() == 3  # one per free slot; the workers pull the rest themselves
    assert rec.all_done.wait(WAIT)
    assert daemon.stop()
    assert sorted(rec.polled) == [s.id for s in rec.sources]  # each exactly once
    # Nothing is due again before its interval.
    assert (
        claim_due_sources(
            sqlite_store,
            worker="x",
            now=T0 + timedelta(seconds=599),
            sources=rec.sources,
            lease_s=60,
        )
        == []
    )


def test_a_hanging_source_does_not_hold_the_others(sqlite_store: Store) -> None:
    sources = defs(6)
    rec = Recorder(sqlite_store, sources, FixedClock(T0))
    rec.hold["s00"] = threading.Event()
    daemon = make_daemon(rec, workers=2)
    daemon.tick()
    assert rec.started["s00"].wait(WAIT)
    deadline = time.monotonic() + WAIT
    while (len(rec.polled) < 5 or daemon.in_flight() != {"s00"}) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert sorted(rec.polled) == ["s01", "s02", "s03", "s04", "s05"]
    # The next tick keeps the hung poll's lease alive and starts nothing new.
    assert daemon.tick() == 0
    assert rec.renewed[-1] == {"s00"}
    rec.hold["s00"].set()
    assert rec.all_done.wait(WAIT)
    assert daemon.stop()


def test_a_crashing_poll_is_logged_and_rescheduled(
    sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    sources = [
        SourceDef(id="boom", name="B", kind="rss", url="http://127.0.0.1/b", interval_s=600),
        *defs(2),
    ]
    rec = Recorder(sqlite_store, sources, FixedClock(T0))
    daemon = make_daemon(rec, workers=1)
    with caplog.at_level(logging.ERROR, logger="monitor.daemon.timer"):
        daemon.tick()
        deadline = time.monotonic() + WAIT
        while len(rec.polled) < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert daemon.stop()
    assert sorted(rec.polled) == ["s00", "s01"]
    crash = [r for r in caplog.records if r.getMessage() == "poll crashed"]
    assert crash and getattr(crash[0], "source_id", None) == "boom"
    # Rescheduled, not retried in a hot loop.
    assert (
        claim_due_sources(sqlite_store, worker="x", now=T0, sources=sources[:1], lease_s=60) == []
    )


def test_stop_waits_for_running_polls(sqlite_store: Store) -> None:
    rec = Recorder(sqlite_store, defs(1), FixedClock(T0))
    rec.hold["s00"] = threading.Event()
    daemon = make_daemon(rec)
    daemon.tick()
    assert rec.started["s00"].wait(WAIT)
    threading.Timer(0.05, rec.hold["s00"].set).start()
    assert daemon.stop(grace_s=WAIT)
    assert rec.polled == ["s00"]
    assert daemon.tick() == 0  # stopped: claims nothing


def test_stop_abandons_a_hung_poll_and_frees_its_lease(sqlite_store: Store) -> None:
    sources = defs(1)
    rec = Recorder(sqlite_store, sources, FixedClock(T0))
    rec.hold["s00"] = threading.Event()
    daemon = make_daemon(rec)
    daemon.tick()
    assert rec.started["s00"].wait(WAIT)
    started = time.monotonic()
    assert not daemon.stop(grace_s=0.05)
    assert time.monotonic() - started < 1.0
    # Another replica can take the source at once instead of waiting for the lease.
    assert (
        claim_due_sources(sqlite_store, worker="other", now=T0, sources=sources, lease_s=60)
        == sources
    )
    rec.hold["s00"].set()


def test_the_timer_runs_every_job_once_at_start(sqlite_store: Store) -> None:
    rec = Recorder(sqlite_store, defs(2), FixedClock(T0))
    daemon = make_daemon(rec)
    daemon.start()
    try:
        for name, ran in rec.job_ran.items():
            assert ran.wait(WAIT), name
        assert rec.all_done.wait(WAIT)
        scheduler = daemon._scheduler
        assert scheduler is not None
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"poll-tick", "clock", "deliver", "digests", "health"}
        for job in jobs.values():
            assert job.coalesce is True and job.max_instances == 1
            assert job.misfire_grace_time >= job.trigger.interval.total_seconds()
    finally:
        assert daemon.stop()
    assert not daemon._scheduler or not daemon._scheduler.running


def test_an_accelerated_clock_runs_digests_and_health_more_often() -> None:
    rec_jobs = Jobs(*(lambda *a: [] for _ in range(9)))
    schedule = ScheduleSettings(tick_s=0.5)
    fast = Daemon(
        rec_jobs,
        clock=ScaledClock(T0, speed=120),
        schedule=schedule,
        delivery_interval_s=5,
        worker="w",
    )
    real = Daemon(
        rec_jobs, clock=FixedClock(T0), schedule=schedule, delivery_interval_s=5, worker="w"
    )
    assert real.job_intervals()["digests"] == 60 and real.job_intervals()["health"] == 30
    assert real.job_intervals()["clock"] == 60 and fast.job_intervals()["clock"] == 0.5
    assert fast.job_intervals()["digests"] == 0.5 and fast.job_intervals()["poll-tick"] == 0.5
    assert fast.job_intervals()["deliver"] == 5


def test_due_ness_follows_an_accelerated_clock(sqlite_store: Store) -> None:
    # 600 simulated seconds pass in 0.1 s: a 10-minute source is polled again and again,
    # though its leases (60 simulated seconds) run out while it is being polled.
    clock = ScaledClock(T0, speed=6000)
    rec = Recorder(sqlite_store, defs(1, interval_s=600), clock)
    daemon = Daemon(
        rec.jobs(),
        clock=clock,
        schedule=ScheduleSettings(tick_s=0.05, jitter=0, lease_s=60, max_workers=2),
        delivery_interval_s=60,
        worker=rec.worker,
    )
    daemon.start()
    try:
        deadline = time.monotonic() + WAIT
        while len(rec.polled) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        assert daemon.stop()
    assert set(rec.polled) == {"s00"}


def test_a_failing_job_is_logged_and_the_timer_goes_on(
    sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    rec = Recorder(sqlite_store, defs(1), FixedClock(T0))
    jobs = rec.jobs()
    failing = Jobs(**{**jobs.__dict__, "deliver": lambda: 1 / 0})
    daemon = Daemon(
        failing,
        clock=rec.clock,
        schedule=ScheduleSettings(tick_s=60),
        delivery_interval_s=60,
        worker="w1",
    )
    with caplog.at_level(logging.ERROR, logger="monitor.daemon.timer"):
        daemon.start()
        assert rec.all_done.wait(WAIT)
        assert rec.job_ran["clock"].wait(WAIT)
        deadline = time.monotonic() + WAIT
        while not any("deliver" in r.getMessage() for r in caplog.records):
            assert time.monotonic() < deadline
            time.sleep(0.005)
        assert daemon.stop()


def test_run_daemon_returns_0_when_stopped(sqlite_store: Store) -> None:
    rec = Recorder(sqlite_store, defs(3), FixedClock(T0))
    stop = threading.Event()
    result: list[int] = []
    settings = build_settings({"schedule": {"tick": "60s", "max_workers": 2}})
    thread = threading.Thread(
        target=lambda: result.append(
            run_daemon(settings, clock=rec.clock, stop=stop, worker_id="w1", jobs=rec.jobs())
        )
    )
    thread.start()
    assert rec.all_done.wait(WAIT)
    stop.set()
    thread.join(WAIT)
    assert result == [0]


def test_sigterm_stops_run_daemon_cleanly(sqlite_store: Store) -> None:
    rec = Recorder(sqlite_store, defs(2), FixedClock(T0))
    settings = build_settings({"schedule": {"tick": "60s"}})
    before = signal.getsignal(signal.SIGTERM)

    def terminate() -> None:
        rec.all_done.wait(WAIT)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=terminate).start()
    started = time.monotonic()
    assert run_daemon(settings, clock=rec.clock, worker_id="w1", jobs=rec.jobs()) == 0
    assert time.monotonic() - started < WAIT
    assert sorted(rec.polled) == ["s00", "s01"]
    assert signal.getsignal(signal.SIGTERM) == before
