from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from monitor.models import Channel, OutboxStatus
from monitor.store import Store
from monitor.store.outbox import (
    MAX_ERROR_CHARS,
    claim_next,
    mark_dead,
    mark_sent,
    outbox_counts,
    reschedule,
)
from monitor.store.tables import outbox
from tests.support.delivery import add_event, item_62, item_70, outbox_rows

T0 = datetime(2025, 10, 9, 2, 31, tzinfo=UTC)
LEASE = timedelta(minutes=5)
ALERTS = (Channel.SLACK, Channel.CONSOLE)


def claim(store: Store, now: datetime = T0, worker: str = "replica-a") -> object:
    return claim_next(store, worker=worker, now=now, until=now + LEASE, channels=ALERTS)


def test_claims_the_oldest_due_row_with_its_item(store: Store) -> None:
    first = add_event(store, item_62(T0), [("magnets", "slack")])
    add_event(store, item_70(T0 + timedelta(minutes=1)), [("magnets", "console")])
    row = claim_next(
        store, worker="replica-a", now=T0 + timedelta(hours=1), until=T0 + LEASE, channels=ALERTS
    )
    assert row is not None
    assert (row.id, row.event_id, row.subscriber) == (first[0], item_62(T0)["id"], "magnets")
    assert row.channel is Channel.SLACK and row.attempts == 0
    assert row.created_at == T0 and row.created_at.tzinfo is not None
    assert row.item == item_62(T0)
    [stored, _] = outbox_rows(store)
    assert stored["claimed_by"] == "replica-a" and stored["claimed_until"] == T0 + LEASE


def test_a_claimed_row_is_left_alone_until_its_claim_expires(store: Store) -> None:
    add_event(store, item_62(T0), [("magnets", "slack")])
    assert claim(store) is not None
    assert claim(store, T0 + LEASE - timedelta(seconds=1), worker="replica-b") is None
    taken = claim(store, T0 + LEASE, worker="replica-b")
    assert taken is not None and outbox_rows(store)[0]["claimed_by"] == "replica-b"


def test_rows_not_due_of_other_channels_or_settled_are_not_claimed(store: Store) -> None:
    [early, email, done] = add_event(
        store, item_62(T0), [("magnets", "slack"), ("magnets", "email"), ("traders", "slack")]
    )
    with store.begin() as conn:
        conn.execute(
            sa.update(outbox)
            .where(outbox.c.id == early)
            .values(next_attempt_at=T0 + timedelta(minutes=1))
        )
    assert mark_dead(store, done, error="gone")
    assert claim(store) is None  # not due yet, an email row, a dead row
    row = claim(store, T0 + timedelta(minutes=1))
    assert row is not None and row.id == early
    assert email not in {r["id"] for r in outbox_rows(store) if r["claimed_by"]}


def test_mark_sent_counts_the_attempt_and_releases_the_claim(store: Store) -> None:
    [row_id] = add_event(store, item_62(T0), [("magnets", "slack")])
    claim(store)
    mark_sent(store, row_id, now=T0 + timedelta(seconds=3))
    [row] = outbox_rows(store)
    assert row["status"] == OutboxStatus.SENT == "sent"
    assert row["attempts"] == 1 and row["sent_at"] == T0 + timedelta(seconds=3)
    assert row["claimed_by"] is None and row["claimed_until"] is None and row["last_error"] is None


def test_reschedule_keeps_the_row_pending_with_the_error(store: Store) -> None:
    [row_id] = add_event(store, item_62(T0), [("magnets", "slack")])
    claim(store)
    later = T0 + timedelta(minutes=10)
    reschedule(store, row_id, attempts=1, next_attempt_at=later, error="x" * 5000)
    [row] = outbox_rows(store)
    assert row["status"] == "pending" and row["attempts"] == 1
    assert row["next_attempt_at"] == later and len(row["last_error"]) == MAX_ERROR_CHARS
    assert row["claimed_by"] is None and row["claimed_until"] is None


def test_mark_dead_is_true_only_for_the_call_that_gave_up(store: Store) -> None:
    [row_id] = add_event(store, item_62(T0), [("magnets", "slack")])
    assert mark_dead(store, row_id, error="channel_not_found") is True
    assert mark_dead(store, row_id, error="again") is False
    [row] = outbox_rows(store)
    assert row["status"] == "dead" and row["attempts"] == 1
    assert row["last_error"] == "channel_not_found"
    mark_sent(store, row_id, now=T0)  # a settled row stays as it is
    assert outbox_rows(store)[0]["status"] == "dead"


def test_counts_have_every_status_and_keep_unknown_ones(store: Store) -> None:
    assert outbox_counts(store) == {"pending": 0, "sent": 0, "dead": 0}
    ids = add_event(
        store, item_62(T0), [("magnets", "slack"), ("traders", "slack"), ("ops", "slack")]
    )
    mark_sent(store, ids[0], now=T0)
    with store.begin() as conn:  # as a newer version might write it during an upgrade
        conn.execute(sa.update(outbox).where(outbox.c.id == ids[1]).values(status="held"))
    counts = outbox_counts(store)
    assert counts == {"pending": 1, "sent": 1, "dead": 0, "held": 1}
    assert all(isinstance(status, OutboxStatus) for status in list(counts)[:3])
