"""The pages' reads: filtered event pages newest first, and a notice with every version."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from monitor.store import Store
from monitor.store.notice_pages import (
    EventFilter,
    event_page,
    event_sources,
    known_notices,
    notice_record,
)
from monitor.store.repository import add_url, insert_notice, replace_notice
from tests.support.sample_events import NO_61, NO_62, insert_events, sample_events

NOW = datetime(2025, 10, 9, 2, 30, tzinfo=UTC)
RECIPIENTS = {"evt-62-new": ["magnets"], "evt-70-new": ["magnets"]}


def seqs(page: object) -> list[str]:
    return [row.item["id"] for row in page.rows]  # type: ignore[attr-defined]


def test_events_newest_first_with_sql_filters(store: Store) -> None:
    insert_events(store, sample_events(), RECIPIENTS)
    everything = event_page(store, EventFilter(), limit=50)
    assert seqs(everything) == [e.id for e in reversed(sample_events())]
    assert everything.next_before is None
    relevant = event_page(store, EventFilter(relevant_only=True), limit=50)
    assert "evt-58-new" not in seqs(relevant) and "evt-62-new" in seqs(relevant)
    kinds = event_page(store, EventFilter(event_kinds=frozenset({"notice.new"})), limit=50)
    assert seqs(kinds) == ["evt-70-new", "evt-58-new", "evt-62-new"]
    mine = event_page(store, EventFilter(subscriber="magnets"), limit=50)
    assert seqs(mine) == ["evt-70-new", "evt-62-new"]
    assert seqs(event_page(store, EventFilter(source="elsewhere"), limit=50)) == []
    assert event_sources(store) == ["mofcom-zcfb"]


def test_notice_kind_filter_joins_the_notices(store: Store) -> None:
    insert_events(store, sample_events())
    with store.begin() as conn:
        insert_notice(conn, NO_62, now=NOW)
    found = event_page(store, EventFilter(notice_kinds=frozenset({"control"})), limit=50)
    assert seqs(found) == ["evt-62-rev", "evt-62-new"]
    codes = event_page(
        store,
        EventFilter(),
        limit=50,
        keep=lambda item, facts: "1E902.a" in facts.get("control_codes", []),
    )
    assert seqs(codes) == ["evt-62-rev", "evt-62-new"]
    mentioned = event_page(store, EventFilter(mentions=("1E902", '"Sm"')), limit=50)
    assert seqs(mentioned) == ["evt-62-rev", "evt-62-new"]
    assert seqs(event_page(store, EventFilter(mentions=("1E90_",)), limit=50)) == []
    battery = event_page(store, EventFilter(mentions=("3A001",)), limit=50)
    assert seqs(battery) == []  # No. 58 is not stored as a notice and its item names no code


def test_pages_follow_the_before_cursor_and_the_predicate(store: Store) -> None:
    insert_events(store, sample_events())
    first = event_page(store, EventFilter(), limit=2)
    assert seqs(first) == ["evt-61-lapse", "evt-70-new"]
    assert first.next_before is not None
    second = event_page(store, EventFilter(), limit=2, before_seq=first.next_before)
    assert seqs(second) == ["evt-61-eff", "evt-62-rev"]
    only_61 = event_page(
        store,
        EventFilter(),
        limit=1,
        keep=lambda item, facts: item["_regwatch"]["notice"]["doc_key"] == "MOFCOM-2025-61",
    )
    assert seqs(only_61) == ["evt-61-lapse"]
    assert only_61.next_before is not None
    rest = event_page(
        store,
        EventFilter(),
        limit=5,
        before_seq=only_61.next_before,
        keep=lambda item, facts: item["_regwatch"]["notice"]["doc_key"] == "MOFCOM-2025-61",
    )
    assert seqs(rest) == ["evt-61-eff"] and rest.next_before is None


def test_a_narrow_filter_reads_past_the_first_chunk(store: Store) -> None:
    base = sample_events()[0]
    many = [replace(base, id=f"evt-{n:04d}") for n in range(450)]
    insert_events(store, [*sample_events()[1:2], *many])
    found = event_page(
        store,
        EventFilter(),
        limit=5,
        keep=lambda item, facts: item["id"] == "evt-58-new" and facts == {},
    )
    assert seqs(found) == ["evt-58-new"]


def test_notice_record_has_urls_versions_and_the_newest_item(store: Store) -> None:
    assert notice_record(store, NO_62.doc_key) is None
    revised = replace(NO_62, text=NO_62.text + "\n正式实施。", content_hash="e" * 64)
    with store.begin() as conn:
        insert_notice(conn, NO_62, now=NOW)
        add_url(
            conn,
            url=NO_62.url,
            doc_key=NO_62.doc_key,
            source_id="mofcom-zcfb",
            language="zh-Hans",
            published=NO_62.published,
            content_hash=NO_62.content_hash,
            now=NOW,
        )
        add_url(
            conn,
            url=NO_62.urls[0],
            doc_key=NO_62.doc_key,
            source_id="mofcom-english",
            language="en",
            published=NO_62.published,
            content_hash=None,
            now=NOW + timedelta(hours=1),
        )
        replace_notice(conn, revised, version=2, now=NOW + timedelta(days=2))
    insert_events(store, sample_events()[:3])
    record = notice_record(store, NO_62.doc_key)
    assert record is not None
    assert [v.version for v in record.versions] == [1, 2]
    assert record.versions[-1].text.endswith("正式实施。")
    assert [(u.url, u.language) for u in record.urls] == [
        (NO_62.url, "zh-Hans"),
        (NO_62.urls[0], "en"),
    ]
    assert record.facts.kind.value == "control" and record.version == 2
    assert record.latest_item is not None and record.latest_item["id"] == "evt-62-rev"
    assert known_notices(store, ["MOFCOM-2025-62", NO_61.doc_key]) == {
        "MOFCOM-2025-62": NO_62.title
    }
    assert known_notices(store, []) == {}
