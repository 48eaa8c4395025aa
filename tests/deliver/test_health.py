from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from monitor.clock import FixedClock
from monitor.config import OperatorSettings, build_settings
from monitor.deliver.health import HealthState, assess_health, check_and_alert, source_health_rows
from monitor.metrics import REGISTRY
from monitor.store import Store
from monitor.store.health import SourceHealthRow
from monitor.store.tables import sources

NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
RULES = OperatorSettings(failure_threshold=3, stale_after_s=6 * 3600)


def health(failures: int, last_success_at: datetime | None) -> SourceHealthRow:
    return SourceHealthRow(
        id="src",
        kind="rss",
        name="src",
        last_success_at=last_success_at,
        last_attempt_at=None,
        last_error=None,
        last_error_reason=None,
        consecutive_failures=failures,
        health_alerted=False,
    )


def test_ok_failing_stale() -> None:
    assert assess_health(health(0, NOW - timedelta(hours=1)), NOW, RULES) is HealthState.OK
    assert assess_health(health(2, NOW - timedelta(hours=1)), NOW, RULES) is HealthState.OK
    assert assess_health(health(3, NOW - timedelta(hours=1)), NOW, RULES) is HealthState.FAILING
    old = NOW - timedelta(hours=6, seconds=1)
    assert assess_health(health(0, old), NOW, RULES) is HealthState.STALE
    edge = NOW - timedelta(hours=6)
    assert assess_health(health(0, edge), NOW, RULES) is HealthState.OK
    # Failing wins over stale; a never-polled source is not stale.
    assert assess_health(health(5, old), NOW, RULES) is HealthState.FAILING
    assert assess_health(health(0, None), NOW, RULES) is HealthState.OK


def test_naive_times_from_sqlite_are_utc() -> None:
    naive = health(0, datetime(2026, 11, 20, 18, 59))
    assert assess_health(naive, NOW, RULES) is HealthState.STALE


def put(store: Store, source_id: str, **values: Any) -> None:
    with store.begin() as conn:
        exists = conn.execute(sa.select(sources.c.id).where(sources.c.id == source_id)).first()
        if exists:
            conn.execute(sa.update(sources).where(sources.c.id == source_id).values(**values))
        else:
            conn.execute(
                sa.insert(sources).values(id=source_id, kind="rss", name=source_id, **values)
            )


def test_rows_for_the_sources_command_and_gauges(store: Store) -> None:
    put(
        store,
        "good",
        last_success_at=NOW - timedelta(minutes=5),
        last_attempt_at=NOW - timedelta(minutes=5),
    )
    put(
        store,
        "bad",
        consecutive_failures=4,
        last_error="timeout after 30s",
        last_error_reason="timeout",
        last_attempt_at=NOW,
    )
    rows = source_health_rows(store, now=NOW, operator=RULES)
    assert [r["id"] for r in rows] == ["bad", "good"]
    bad, good = rows
    assert bad["state"] == "failing" and bad["healthy"] is False
    assert bad["consecutive_failures"] == 4
    assert bad["last_error_reason"] == "timeout" and bad["last_success_at"] is None
    assert good["healthy"] is True
    assert good["last_success_at"] == NOW - timedelta(minutes=5)
    assert good["last_success_at"].tzinfo is not None
    assert REGISTRY.get_sample_value("regwatch_source_consecutive_failures", {"source": "bad"}) == 4
    assert (
        REGISTRY.get_sample_value(
            "regwatch_source_last_success_timestamp_seconds", {"source": "good"}
        )
        == (NOW - timedelta(minutes=5)).timestamp()
    )
    assert [r["id"] for r in source_health_rows(store, now=NOW, source_ids=["good"])] == ["good"]


def settings_with_operator() -> Any:
    return build_settings({"operator": {"failure_threshold": 2, "stale_after": "1h"}})


def test_alerts_once_when_unhealthy_and_once_on_recovery(store: Store) -> None:
    settings = settings_with_operator()
    clock = FixedClock(NOW)
    told: list[tuple[str, str]] = []

    def notify(subject: str, text: str) -> None:
        told.append((subject, text))

    put(store, "src", consecutive_failures=1, last_success_at=NOW)
    assert check_and_alert(store, settings, clock, notify) == []
    put(store, "src", consecutive_failures=2, last_error="HTTP 503", last_error_reason="status")
    assert check_and_alert(store, settings, clock, notify) == ["regwatch: source src is failing"]
    assert "2 consecutive failed polls" in told[0][1] and "HTTP 503" in told[0][1]
    put(store, "src", consecutive_failures=7)
    assert check_and_alert(store, settings, clock, notify) == []  # still failing: silent
    put(store, "src", consecutive_failures=0, last_success_at=NOW)
    assert check_and_alert(store, settings, clock, notify) == ["regwatch: source src recovered"]
    assert check_and_alert(store, settings, clock, notify) == []
    clock.advance(timedelta(hours=2))
    assert check_and_alert(store, settings, clock, notify) == ["regwatch: source src is stale"]
    assert len(told) == 3


def test_a_failed_alert_is_tried_again(store: Store) -> None:
    settings = settings_with_operator()
    put(store, "src", consecutive_failures=5)
    calls = 0

    def flaky(subject: str, text: str) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("smtp down")

    assert check_and_alert(store, settings, FixedClock(NOW), flaky) == []
    assert check_and_alert(store, settings, FixedClock(NOW), flaky) == [
        "regwatch: source src is failing"
    ]
    assert calls == 2


def test_of_concurrent_replicas_only_one_alerts(store: Store) -> None:
    settings = settings_with_operator()
    put(store, "src", consecutive_failures=5)
    told: list[str] = []
    barrier = threading.Barrier(4)

    def replica() -> None:
        barrier.wait()
        check_and_alert(store, settings, FixedClock(NOW), lambda s, t: told.append(s))

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert told == ["regwatch: source src is failing"]
