"""The store summaries the demo prints between its steps."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.store import Store
from monitor.store.summary import EventSummary, events_after, notice_count, pending_outbox_rows
from monitor.store.tables import notices, outbox
from tests.support.sample_events import insert_events, sample_events

NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def test_events_after_a_seq_in_order(store: Store) -> None:
    assert events_after(store, 0) == []
    batch = sample_events()
    insert_events(store, batch)
    every = events_after(store, 0)
    assert [(e.kind, e.relevant) for e in every] == [(e.kind.value, e.relevant) for e in batch]
    assert [e.seq for e in every] == sorted(e.seq for e in every)
    assert events_after(store, every[-2].seq) == [every[-1]]
    assert isinstance(every[0], EventSummary)


def test_pending_rows_are_counted_apart_for_email(store: Store) -> None:
    rows = [
        ("a", "slack", "pending"),
        ("b", "console", "pending"),
        ("c", "email", "pending"),
        ("d", "slack", "sent"),
        ("e", "email", "dead"),
    ]
    with store.begin() as connection:
        connection.execute(
            outbox.insert(),
            [
                {
                    "event_id": f"evt-{key}",
                    "subscriber": "magnets",
                    "channel": channel,
                    "status": status,
                    "created_at": NOW,
                    "next_attempt_at": NOW,
                }
                for key, channel, status in rows
            ],
        )
    assert pending_outbox_rows(store, email=False) == 2
    assert pending_outbox_rows(store, email=True) == 1


def test_notice_count(store: Store) -> None:
    assert notice_count(store) == 0
    with store.begin() as connection:
        connection.execute(
            notices.insert(),
            [
                {
                    "doc_key": f"MOFCOM-2025-{n}",
                    "title": "t",
                    "url": f"https://example.test/{n}",
                    "source_id": "mofcom-zcfb",
                    "facts": {},
                    "verdict": {},
                    "attachments": [],
                    "content_hash": "0" * 64,
                    "first_seen_at": NOW,
                    "last_seen_at": NOW,
                }
                for n in (61, 62)
            ],
        )
    assert notice_count(store) == 2
