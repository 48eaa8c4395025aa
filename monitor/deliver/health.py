"""Source health for the operator: ok, failing or stale, and one alert per change of heart.

Health is judged from the `sources` row that pipeline.py keeps up to date after every poll
(last success, consecutive failures, last error). A source is *failing* after
``[operator] failure_threshold`` consecutive failed polls and *stale* when its last success
is older than ``[operator] stale_after``. The operator hears once when a source turns
unhealthy and once when it recovers; ``sources.health_alerted`` remembers which was said
last, and flipping it with a conditional UPDATE before notifying means that of several
replicas exactly one sends each alert.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from monitor.clock import Clock, utc
from monitor.config import OperatorSettings, Settings
from monitor.metrics import SOURCE_CONSECUTIVE_FAILURES, SOURCE_LAST_SUCCESS
from monitor.store import Store
from monitor.store.health import SourceHealthRow, set_health_alerted, source_health

log = logging.getLogger(__name__)

Notify = Callable[[str, str], None]  # (subject, text) → tell the operator; may raise


class HealthState(StrEnum):
    OK = "ok"
    FAILING = "failing"
    STALE = "stale"


# ---------------------------------------------------------------------------------------
# Judging (pure)


def assess_health(row: SourceHealthRow, now: datetime, operator: OperatorSettings) -> HealthState:
    """The health of one source at `now`.

    A source that never succeeded is judged by its failures only (a new source is not
    stale before its first poll).
    """
    if row.consecutive_failures >= operator.failure_threshold:
        return HealthState.FAILING
    last_success = row.last_success_at
    if last_success is not None and utc(now) - utc(last_success) > timedelta(
        seconds=operator.stale_after_s
    ):
        return HealthState.STALE
    return HealthState.OK


def health_report(row: SourceHealthRow, state: HealthState) -> dict[str, Any]:
    """The dict `regwatch sources` and /healthz show for one source."""
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "last_success_at": row.last_success_at,
        "last_attempt_at": row.last_attempt_at,
        "last_error": row.last_error,
        "last_error_reason": row.last_error_reason,
        "consecutive_failures": row.consecutive_failures,
        "state": state.value,
        "healthy": state is HealthState.OK,
    }


def alert_message(row: SourceHealthRow, state: HealthState) -> tuple[str, str]:
    """The operator alert (subject, text) for a source that turned `state`."""
    source_id = row.id
    if state is HealthState.OK:
        return (
            f"regwatch: source {source_id} recovered",
            f"Source {source_id} is polling successfully again.",
        )
    lines = [f"Source {source_id} is {state.value}."]
    if state is HealthState.FAILING:
        lines.append(f"{row.consecutive_failures} consecutive failed polls.")
    if row.last_success_at is not None:
        lines.append(f"Last success: {row.last_success_at.isoformat()}")
    else:
        lines.append("It has never been polled successfully.")
    if row.last_error:
        reason = f" ({row.last_error_reason})" if row.last_error_reason else ""
        lines.append(f"Last error{reason}: {row.last_error}")
    lines.append("Subscribers are not alerted about this; check `regwatch sources`.")
    return f"regwatch: source {source_id} is {state.value}", "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Reading the store, setting gauges, alerting


def source_health_rows(
    store: Store,
    *,
    now: datetime | None = None,
    operator: OperatorSettings | None = None,
    source_ids: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """One dict per source for `regwatch sources` and /healthz; also sets the health gauges.

    Keys: id, kind, name, last_success_at, last_attempt_at, last_error, last_error_reason,
    consecutive_failures, state ("ok" | "failing" | "stale"), healthy. Times are aware
    UTC datetimes or None.
    """
    moment = utc(now) if now is not None else datetime.now(UTC)
    rules = operator or OperatorSettings()
    result = []
    for row in source_health(store, source_ids):
        result.append(health_report(row, assess_health(row, moment, rules)))
        SOURCE_CONSECUTIVE_FAILURES.labels(row.id).set(row.consecutive_failures)
        if row.last_success_at is not None:
            SOURCE_LAST_SUCCESS.labels(row.id).set(row.last_success_at.timestamp())
    return result


def check_and_alert(
    store: Store,
    settings: Settings,
    clock: Clock,
    notify: Notify,
    *,
    source_ids: Collection[str] | None = None,
) -> list[str]:
    """Alert the operator about sources whose health changed; returns the alert subjects.

    A failed notification is undone (the flag flips back) so the next check tries again.
    """
    now = clock.now()
    rules = settings.operator or OperatorSettings()
    sent: list[str] = []
    for row in source_health(store, source_ids):
        state = assess_health(row, now, rules)
        unhealthy = state is not HealthState.OK
        if unhealthy == row.health_alerted:
            continue
        if not set_health_alerted(store, row.id, alerted=unhealthy):
            continue  # another replica got there first
        subject, text = alert_message(row, state)
        try:
            notify(subject, text)
        except Exception:
            set_health_alerted(store, row.id, alerted=not unhealthy)
            log.exception("operator alert failed", extra={"source_id": row.id})
            continue
        log.warning(subject, extra={"source_id": row.id, "health": state.value})
        sent.append(subject)
    return sent
