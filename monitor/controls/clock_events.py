"""Date-driven events: a named date arrives and `measure.*` events follow, once each.

A date that had already passed when regwatch first stored the notice naming it is part
of that notice's baseline: no alert, so a first start never floods subscribers.
"""

from __future__ import annotations

import logging
from typing import Protocol

from monitor import metrics
from monitor.clock import Clock, beijing_date
from monitor.config import Settings
from monitor.controls.state import due_dates
from monitor.detect.events import measure_event, recipients
from monitor.detect.feed_item import item_for_event
from monitor.store import Store
from monitor.store.queries import measure_records
from monitor.store.repository import event_exists, insert_event, load_notice

log = logging.getLogger(__name__)


class ClockRuntime(Protocol):
    """What the clock job needs from the runtime (`monitor.runtime.Runtime` has it)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...


def run_clock(rt: ClockRuntime) -> tuple[str, ...]:
    """Emit every due `measure.effective` / `measure.suspension_ended` event not yet emitted."""
    now = rt.clock.now()
    emitted: list[str] = []
    with rt.store.begin() as tx:
        records = measure_records(tx)
        for due in due_dates(records, beijing_date(now)):
            if due.named_in_first_seen is not None and due.on <= due.named_in_first_seen:
                continue
            stored = load_notice(tx, due.doc_key)
            if stored is None:
                continue
            event = measure_event(
                due.kind,
                stored.notice,
                due=due.on,
                cause_doc_key=due.cause_doc_key,
                scope=due.scope,
                detected_at=now,
            )
            if event_exists(tx, event.id):
                continue
            names, deliveries = recipients(event, rt.settings.subscribers)
            if insert_event(tx, event, item_for_event(event), names, deliveries):
                emitted.append(event.id)
                metrics.EVENTS.labels(kind=event.kind.value).inc()
                log.info(
                    "event %s %s due %s",
                    event.kind.value,
                    due.doc_key,
                    due.on,
                    extra={"event_id": event.id},
                )
    return tuple(emitted)
