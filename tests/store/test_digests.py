from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from monitor.models import DigestStatus
from monitor.store import Store
from monitor.store.digests import (
    claim_digest,
    digest_attempts,
    digest_status,
    email_backlog,
    mark_digest_dead,
    mark_digest_sent,
    release_digest,
    reschedule_digest,
)
from monitor.store.outbox import mark_dead
from monitor.store.tables import digests
from tests.support.delivery import add_event, item_18_revised, item_62, item_70, outbox_rows

T0 = datetime(2025, 10, 9, 2, 0, tzinfo=UTC)
DAY = date(2025, 10, 9)
LEASE = timedelta(minutes=5)
IDENT = "<digest.2025-10-09.magnets@regwatch>"


def claim(store: Store, now: datetime = T0, worker: str = "replica-a") -> DigestStatus | None:
    return claim_digest(
        store,
        "magnets",
        DAY,
        worker=worker,
        now=now,
        until=now + LEASE,
        message_id=IDENT,
        event_count=0,
    )


def digest_row(store: Store) -> dict[str, object]:
    with store.connect() as conn:
        return dict(conn.execute(sa.select(digests)).mappings().one())


def test_backlog_is_the_pending_email_rows_before_a_time_oldest_first(store: Store) -> None:
    first = add_event(store, item_62(T0), [("magnets", "email"), ("magnets", "slack")])
    second = add_event(store, item_70(T0 + timedelta(hours=1)), [("magnets", "email")])
    add_event(store, item_18_revised(T0 + timedelta(hours=2)), [("magnets", "email")])
    add_event(store, item_62(T0, event_id="someone-else"), [("traders", "email")])
    gone = add_event(store, item_62(T0, event_id="given-up"), [("magnets", "email")])
    mark_dead(store, gone[0], error="x")
    backlog = email_backlog(store, "magnets", before=T0 + timedelta(hours=2))
    assert [p.outbox_id for p in backlog.pending] == [first[0], second[0]]
    assert backlog.pending[0].detected_at == T0 and backlog.pending[0].item == item_62(T0)
    assert backlog.closed == frozenset()


def test_closed_days_are_those_sent_or_given_up(store: Store) -> None:
    for day, status in [
        (DAY, "sent"),
        (DAY + timedelta(days=1), "dead"),
        (DAY + timedelta(days=2), "sending"),
    ]:
        with store.begin() as conn:
            conn.execute(
                sa.insert(digests).values(
                    subscriber="magnets",
                    local_date=day,
                    status=status,
                    message_id="m",
                    event_count=0,
                )
            )
    assert email_backlog(store, "magnets", before=T0).closed == {DAY, DAY + timedelta(days=1)}


def test_one_claim_at_a_time_and_a_lapsed_one_is_taken_over(store: Store) -> None:
    assert digest_status(store, "magnets", DAY) is None
    assert claim(store) is None
    assert digest_status(store, "magnets", DAY) is DigestStatus.SENDING
    assert claim(store, T0 + LEASE - timedelta(seconds=1), "replica-b") is DigestStatus.SENDING
    assert claim(store, T0 + LEASE, "replica-b") is None
    row = digest_row(store)
    assert row["claimed_by"] == "replica-b" and row["message_id"] == IDENT


def test_a_released_claim_can_be_taken_at_once(store: Store) -> None:
    claim(store)
    release_digest(store, "magnets", DAY)
    assert digest_row(store)["claimed_by"] is None
    assert claim(store, T0, "replica-b") is None


def test_sent_marks_the_digest_and_its_pending_rows(store: Store) -> None:
    ids = add_event(store, item_62(T0), [("magnets", "email"), ("traders", "email")])
    mark_dead(store, ids[1], error="gone earlier")
    claim(store)
    mark_digest_sent(store, "magnets", DAY, ids, now=T0 + timedelta(seconds=2), message_id=IDENT)
    row = digest_row(store)
    assert row["status"] == "sent" and row["event_count"] == 2 and row["attempts"] == 1
    assert row["sent_at"] == T0 + timedelta(seconds=2) and row["claimed_by"] is None
    assert [r["status"] for r in outbox_rows(store)] == ["sent", "dead"]
    assert claim(store, T0 + LEASE * 10) is DigestStatus.SENT
    assert digest_status(store, "magnets", DAY) is DigestStatus.SENT


def test_a_retry_keeps_the_claim_closed_until_the_backoff_ends(store: Store) -> None:
    ids = add_event(store, item_62(T0), [("magnets", "email")])
    claim(store)
    assert digest_attempts(store, "magnets", DAY) == 0
    not_before = T0 + timedelta(minutes=30)
    reschedule_digest(
        store, "magnets", DAY, ids, attempts=1, not_before=not_before, error="451 try later"
    )
    row = digest_row(store)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sending", 1, "451 try later")
    assert row["claimed_by"] is None and row["claimed_until"] == not_before
    [email] = outbox_rows(store)
    assert email["status"] == "pending" and email["attempts"] == 1
    assert email["next_attempt_at"] == not_before and email["last_error"] == "451 try later"
    assert digest_attempts(store, "magnets", DAY) == 1
    assert claim(store, not_before - timedelta(seconds=1)) is DigestStatus.SENDING
    assert claim(store, not_before) is None


def test_dead_gives_up_the_digest_and_its_rows(store: Store) -> None:
    ids = add_event(store, item_62(T0), [("magnets", "email")])
    claim(store)
    mark_digest_dead(store, "magnets", DAY, ids, error="550 no such user")
    row = digest_row(store)
    assert (row["status"], row["attempts"], row["event_count"]) == ("dead", 1, 1)
    assert row["last_error"] == "550 no such user" and row["claimed_until"] is None
    assert [r["status"] for r in outbox_rows(store)] == ["dead"]
    assert claim(store, T0 + LEASE * 10) is DigestStatus.DEAD


def test_a_status_this_version_does_not_know_is_left_alone(store: Store) -> None:
    claim(store)
    with store.begin() as conn:
        conn.execute(sa.update(digests).values(status="queued", claimed_until=None))
    assert digest_status(store, "magnets", DAY) is DigestStatus.SENDING
    assert claim(store, T0 + LEASE * 10) is DigestStatus.SENDING
