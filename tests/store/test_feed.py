"""The feed's reads: the version that keys the server's cache, and pages of stored items."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from monitor.errors import StoreError, UsageError
from monitor.store import Store
from monitor.store.feed import feed_rows, feed_version
from tests.support.sample_events import insert_events, sample_events


def test_empty_store_version_is_zero(store: Store) -> None:
    assert feed_version(store) == (0, 0)
    assert feed_rows(store, limit=10, all_events=True) == []


def test_feed_version_moves_with_every_stored_event(store: Store) -> None:
    first, second, *_ = sample_events()
    insert_events(store, [first])
    one = feed_version(store)
    insert_events(store, [second])
    two = feed_version(store)
    assert one[1] == 1
    assert two[1] == 2
    assert two[0] > one[0]


def test_rows_are_newest_first_with_their_seq_and_filters(store: Store) -> None:
    events = sample_events()
    insert_events(store, events, {events[0].id: ["magnets"], events[2].id: ["magnets"]})
    every = feed_rows(store, limit=100, all_events=True)
    assert [row.item["id"] for row in every] == [e.id for e in reversed(events)]
    assert [row.seq for row in every] == sorted((row.seq for row in every), reverse=True)
    relevant = feed_rows(store, limit=100)
    assert [row.item["id"] for row in relevant] == [e.id for e in reversed(events) if e.relevant]
    mine = feed_rows(store, limit=100, subscriber="magnets", all_events=True)
    assert [row.item["id"] for row in mine] == [events[2].id, events[0].id]
    newest, second = every[0], every[1]
    assert feed_rows(store, limit=1, all_events=True) == [newest]
    assert feed_rows(store, limit=1, all_events=True, before_seq=newest.seq) == [second]
    assert feed_rows(store, limit=100, all_events=True, since=second.item["id"]) == [newest]


def test_unknown_since_is_a_usage_error(store: Store) -> None:
    with pytest.raises(UsageError, match="unknown event id for since: 'evt-nope'"):
        feed_rows(store, limit=10, since="evt-nope")


def test_a_store_without_its_events_table_is_a_store_error(store: Store) -> None:
    with store.begin() as connection:
        connection.execute(sa.text("DROP TABLE events"))
    for read in (lambda: feed_version(store), lambda: feed_rows(store, limit=10)):
        with pytest.raises(StoreError):
            read()
