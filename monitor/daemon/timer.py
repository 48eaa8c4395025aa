"""`regwatch run`: the long-running process.

APScheduler 3 is only the local timer, running a few jobs — not one per source:

- ``poll-tick`` (every ``[schedule] tick``): renew the leases of polls still running, claim
  due sources in the database (`monitor.store.leases`) up to the free worker slots, and start a
  worker for each. A worker polls its source, schedules the next poll, then claims the next
  due source itself until none is left, so a round of many sources does not wait for ticks
  and a slow or hanging source holds one worker, never the others. Per-host politeness is
  the shared Fetcher's business.
- ``clock`` (every tick): due ``measure.*`` events.
- ``deliver`` (every ``[delivery] interval``), ``digests`` (each minute), ``health``.

Which replica polls what is decided by leases in the database, never by a shared job store
(APScheduler 3 runs jobs twice with one). Jobs use ``coalesce``, ``max_instances=1`` and a
misfire grace of one interval: a late timer runs once, never piles up.

Due-ness is judged by the injected clock (a ScaledClock makes the demo's days pass in
minutes) while the timer ticks on wall time. SIGTERM/SIGINT stop the timer, let running
polls and deliveries finish for up to `STOP_GRACE_S`, give up the leases of whatever is left
and return 0. Work runs on daemon threads so a hung request can never hold the exit.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from monitor.clock import Clock, ScaledClock, clock_for
from monitor.config import ScheduleSettings, Settings
from monitor.config.environment import require_feed_tokens
from monitor.daemon.jobs import Jobs, runtime_jobs
from monitor.daemon.pool import DaemonThreadPool, SchedulerPoolExecutor
from monitor.errors import ConfigError
from monitor.models import SourceDef
from monitor.runtime import Runtime, open_runtime
from monitor.serve.runner import ServerHandle, start_in_thread
from monitor.store import Store
from monitor.store.leases import ensure_source_rows

log = logging.getLogger(__name__)

STOP_GRACE_S = 8.0  # running work may finish; the rest of the 10 s goes to closing up
DIGEST_EVERY_S = 60.0
# Named dates are whole Beijing days; checking once a minute is prompt, and each check reads
# every stored measure.
CLOCK_EVERY_S = 60.0
HEALTH_EVERY_S = 30.0


class Daemon:
    """The timer, the worker slots and the stop sequence, around injected `Jobs`."""

    def __init__(
        self,
        jobs: Jobs,
        *,
        clock: Clock,
        schedule: ScheduleSettings,
        delivery_interval_s: float,
        worker: str,
    ) -> None:
        self.jobs = jobs
        self.clock = clock
        self.schedule = schedule
        self.delivery_interval_s = delivery_interval_s
        self.worker = worker
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self._loops = 0
        self._polls = DaemonThreadPool(schedule.max_workers, "regwatch-poll")
        self._timer_pool = DaemonThreadPool(5, "regwatch-job")
        self._scheduler: BackgroundScheduler | None = None

    # -- polling ------------------------------------------------------------------------

    def in_flight(self) -> set[str]:
        with self._lock:
            return set(self._in_flight)

    def tick(self) -> int:
        """Claim due sources for the free worker slots and start them; returns how many."""
        if self.stopping.is_set():
            return 0
        now = self.clock.now()
        with self._lock:
            busy = set(self._in_flight)
            free = self.schedule.max_workers - self._loops
        if busy:
            self.jobs.renew(busy, now)
        if free <= 0:
            return 0
        claimed = list(self.jobs.claim(now, free, busy))
        with self._lock:
            self._loops += len(claimed)
        for source in claimed:
            self._polls.submit(self._worker_loop, source)
        return len(claimed)

    def _worker_loop(self, first: SourceDef) -> None:
        source: SourceDef | None = first
        try:
            while source is not None:
                if self.stopping.is_set():
                    self.jobs.release([source.id])  # claimed, never started: free it now
                    return
                self._poll_one(source)
                if self.stopping.is_set():
                    return
                now = self.clock.now()
                nxt = list(self.jobs.claim(now, 1, self.in_flight()))
                source = nxt[0] if nxt else None
        except Exception:
            log.exception("worker loop failed", extra={"worker": self.worker})
        finally:
            with self._lock:
                self._loops -= 1

    def _poll_one(self, source: SourceDef) -> None:
        with self._lock:
            self._in_flight.add(source.id)
        started = time.monotonic()
        try:
            outcome = self.jobs.poll(source)
            _log_outcome(source, outcome, time.monotonic() - started)
        except Exception:
            log.exception("poll crashed", extra={"source_id": source.id})
        finally:
            try:
                self.jobs.finish(source, self.clock.now())
            except Exception:
                log.exception("could not schedule the next poll", extra={"source_id": source.id})
            with self._lock:
                self._in_flight.discard(source.id)

    # -- timer --------------------------------------------------------------------------

    def _guarded(self, name: str, job: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            if self.stopping.is_set():
                return
            try:
                job()
            except Exception:
                log.exception("job %s failed", name, extra={"worker": self.worker})

        return run

    def _speed(self) -> float:
        return self.clock.speed if isinstance(self.clock, ScaledClock) else 1.0

    def job_intervals(self) -> dict[str, float]:
        """Wall seconds between runs of each job."""
        tick = self.schedule.tick_s
        # Under an accelerated clock a simulated minute passes faster than a real one.
        speed = max(self._speed(), 1.0)
        return {
            "poll-tick": tick,
            "clock": max(tick, CLOCK_EVERY_S / speed),
            "deliver": self.delivery_interval_s,
            "digests": max(tick, DIGEST_EVERY_S / speed),
            "health": max(tick, HEALTH_EVERY_S / speed),
        }

    def start(self) -> None:
        scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": SchedulerPoolExecutor(self._timer_pool)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        work = {
            "poll-tick": self.tick,
            "clock": self.jobs.clock_events,
            "deliver": self.jobs.deliver,
            "digests": self.jobs.digests,
            "health": self.jobs.health,
        }
        first = datetime.now(UTC)
        for name, seconds in self.job_intervals().items():
            scheduler.add_job(
                self._guarded(name, work[name]),
                "interval",
                seconds=seconds,
                id=name,
                name=name,
                next_run_time=first,
                misfire_grace_time=max(1, math.ceil(seconds)),
            )
        scheduler.start()
        self._scheduler = scheduler

    def stop(self, grace_s: float = STOP_GRACE_S) -> bool:
        """Stop scheduling, let running work finish within `grace_s`; True if all did."""
        self.stopping.set()
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        deadline = time.monotonic() + grace_s
        self._timer_pool.shutdown(wait=False)  # idempotent; the scheduler may never have run
        self._polls.shutdown(wait=False)
        finished = self._timer_pool.join(deadline) & self._polls.join(deadline)
        left = self.in_flight()
        if left:
            log.warning(
                "stopping with polls still running: %s",
                ", ".join(sorted(left)),
                extra={"worker": self.worker},
            )
            try:
                self.jobs.release(left)
            except Exception:
                log.exception("could not release leases", extra={"worker": self.worker})
        return finished and not left


def _log_outcome(source: SourceDef, outcome: Any, seconds: float) -> None:
    extra = {"source_id": source.id, "seconds": round(seconds, 3)}
    events = tuple(getattr(outcome, "events", ()) or ())
    if getattr(outcome, "ok", True) is False:
        return  # the pipeline logged the failure with its reason
    if events or getattr(outcome, "baseline", False):
        log.info(
            "polled: %d event(s)%s",
            len(events),
            " (baseline)" if getattr(outcome, "baseline", False) else "",
            extra=extra,
        )
    else:
        log.debug(
            "polled: %s", "unchanged" if getattr(outcome, "unchanged", False) else "ok", extra=extra
        )


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(2)}"


class _Signals:
    """SIGTERM/SIGINT set `stop`; a second one exits at once. Main thread only."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.stop.is_set():
            log.warning("second %s: exiting now", signal.Signals(signum).name)
            os._exit(1)
        log.info("%s: stopping", signal.Signals(signum).name)
        self.stop.set()

    def __exit__(self, *_exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


def run_daemon(
    settings: Settings,
    *,
    clock: Clock | None = None,
    stop: threading.Event | None = None,
    worker_id: str | None = None,
    serve_http: bool = True,
    jobs: Jobs | None = None,
) -> int:
    """Run until SIGTERM/SIGINT (or `stop` is set); 0 on a clean stop.

    Opens the runtime (which migrates the store), or with `jobs` opens nothing and runs the
    given jobs on the timer (tests).
    """
    stop = stop or threading.Event()
    worker = worker_id or default_worker_id()
    rt: Runtime | None = None
    http: ServerHandle | None = None
    daemon: Daemon | None = None
    clean = False
    with _Signals(stop):
        try:
            if jobs is None:
                rt = _open(settings, clock)
                clock = rt.clock
                jobs = runtime_jobs(rt, worker)
                if serve_http:
                    http = _start_http(settings, rt.store, rt.clock)
            daemon = Daemon(
                jobs,
                clock=clock or clock_for(settings.now),
                schedule=settings.schedule,
                delivery_interval_s=settings.delivery.interval_s,
                worker=worker,
            )
            daemon.start()
            log.info(
                "running: %d source(s), tick %gs, %d worker(s)",
                len(rt.sources) if rt else 0,
                settings.schedule.tick_s,
                settings.schedule.max_workers,
                extra={"worker": worker},
            )
            stop.wait()
            log.info("stopping", extra={"worker": worker})
        finally:
            clean = daemon.stop() if daemon is not None else True
            if http is not None:
                http.stop(1.0)
            if rt is not None:
                rt.close()
    log.info("stopped%s", "" if clean else " (unfinished work abandoned)", extra={"worker": worker})
    return 0


def _open(settings: Settings, clock: Clock | None) -> Runtime:
    rt = open_runtime(settings, clock=clock)
    try:
        ensure_source_rows(rt.store, rt.sources.values())
    except BaseException:
        rt.close()
        raise
    return rt


def _start_http(settings: Settings, store: Store, clock: Clock) -> ServerHandle:
    require_feed_tokens(settings)
    try:
        return start_in_thread(settings, store, clock)
    except (OSError, RuntimeError) as exc:
        listen = f"{settings.server.host}:{settings.server.port}"
        raise ConfigError("server.listen", f"cannot serve on {listen}: {exc}") from exc
