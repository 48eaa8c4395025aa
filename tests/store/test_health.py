from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa

from monitor.store import Store
from monitor.store.health import SourceHealthRow, set_health_alerted, source_health
from monitor.store.tables import sources

NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def test_rows_are_typed_sorted_and_filtered(store: Store) -> None:
    beijing = timezone(timedelta(hours=8))
    with store.begin() as conn:
        conn.execute(sa.insert(sources).values(id="zeta", kind="rss", name="Zeta"))
        conn.execute(
            sa.insert(sources).values(
                id="alpha",
                kind="mofcom-jpaas",
                name="Alpha",
                last_success_at=NOW.astimezone(beijing),
                last_attempt_at=NOW,
                last_error="HTTP 503",
                last_error_reason="status",
                consecutive_failures=2,
                health_alerted=True,
            )
        )
    alpha, zeta = source_health(store)
    assert alpha == SourceHealthRow(
        id="alpha",
        kind="mofcom-jpaas",
        name="Alpha",
        last_success_at=NOW,
        last_attempt_at=NOW,
        last_error="HTTP 503",
        last_error_reason="status",
        consecutive_failures=2,
        health_alerted=True,
    )
    assert alpha.last_success_at is not None and alpha.last_success_at.utcoffset() == timedelta(0)
    assert (zeta.last_success_at, zeta.consecutive_failures, zeta.health_alerted) == (
        None,
        0,
        False,
    )
    assert [row.id for row in source_health(store, ["zeta", "missing"])] == ["zeta"]
    assert source_health(store, []) == []


def test_the_alerted_flag_flips_once_per_change(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(sa.insert(sources).values(id="src", kind="rss", name="src"))
    assert set_health_alerted(store, "src", alerted=True) is True
    assert set_health_alerted(store, "src", alerted=True) is False  # another replica was first
    assert source_health(store)[0].health_alerted is True
    assert set_health_alerted(store, "src", alerted=False) is True
    assert set_health_alerted(store, "missing", alerted=True) is False
