"""What the daemon runs, and `runtime_jobs`, which binds those jobs to the real program.

`monitor.daemon.timer.Daemon` only knows the `Jobs` value; tests and the demo pass their own
or wrap these.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.controls.clock_events import run_clock
from monitor.daemon.leases import finish_poll
from monitor.deliver.digest import send_due_digests
from monitor.deliver.health import check_and_alert
from monitor.deliver.outbox import deliver_due, notify_operator
from monitor.models import SourceDef
from monitor.pipeline import poll_source
from monitor.runtime import Runtime
from monitor.store.leases import CatalogClaimer, release_leases, renew_leases


@dataclass(frozen=True)
class Jobs:
    """What the daemon runs. `runtime_jobs` binds these to a Runtime; tests pass fakes."""

    claim: Callable[[datetime, int, Collection[str]], Sequence[SourceDef]]  # now, limit, busy
    poll: Callable[[SourceDef], Any]
    finish: Callable[[SourceDef, datetime], object]
    renew: Callable[[Collection[str], datetime], object]
    release: Callable[[Collection[str]], object]
    deliver: Callable[[], object]
    digests: Callable[[], object]
    clock_events: Callable[[], object]
    health: Callable[[], object]


def runtime_jobs(rt: Runtime, worker: str, *, rng: random.Random | None = None) -> Jobs:
    """The real jobs over a `monitor.runtime.Runtime`."""
    settings = rt.settings
    schedule = settings.schedule
    defs = list(rt.sources.values())
    spread = rng or random.Random()  # random() is atomic under the GIL: safe to share

    # Every definition has its row (the daemon inserted them on start).
    claimer = CatalogClaimer(rt.store, defs, worker=worker, lease_s=schedule.lease_s)

    def claim(now: datetime, limit: int, busy: Collection[str]) -> Sequence[SourceDef]:
        return claimer.claim(now, limit, busy)

    def finish(source: SourceDef, now: datetime) -> bool:
        return finish_poll(
            rt.store, worker=worker, source=source, now=now, jitter=schedule.jitter, rng=spread
        )

    def deliver() -> object:
        return deliver_due(rt.store, settings, rt.clock, rt.channels, worker=worker)

    def digests() -> object:
        if rt.channels.email is None:
            return []  # no [email]: no subscriber can have a digest
        return send_due_digests(
            rt.store, settings, rt.clock, rt.channels.email, channels=rt.channels, worker=worker
        )

    def notify(subject: str, text: str) -> None:
        notify_operator(settings, rt.channels, subject, text)

    return Jobs(
        claim=claim,
        poll=lambda source: poll_source(rt, source),
        finish=finish,
        renew=lambda ids, now: renew_leases(
            rt.store, worker=worker, source_ids=ids, now=now, lease_s=schedule.lease_s
        ),
        release=lambda ids: release_leases(rt.store, worker=worker, source_ids=ids),
        deliver=deliver,
        digests=digests,
        clock_events=lambda: run_clock(rt),
        health=lambda: check_and_alert(
            rt.store, settings, rt.clock, notify, source_ids=list(rt.sources)
        ),
    )
