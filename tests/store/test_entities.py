"""Stored party rows: written with each version of a notice, read with its dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from monitor.controls.entity_queries import stored_entities
from monitor.models import EntityAction, EntityList, EntityRow, MeasureStatus
from monitor.store import Store
from monitor.store.entities import entity_records, save_entity_rows
from monitor.store.repository import insert_notice, mark_withdrawn, replace_notice
from tests.support.sample_events import NO_62

NOW = datetime(2026, 4, 15, 3, 0, tzinfo=UTC)
ROWS = (
    EntityRow(
        name="蓝岭导弹系统公司",
        name_en="Blue Ridge Missile Systems, Inc.",
        list_=EntityList.CONTROL_LIST,
        action=EntityAction.ADD,
        country="US",
        alt_names=("蓝岭导弹",),
        addresses=("美国弗吉尼亚州阿灵顿县威尔逊大道1400号",),
    ),
    EntityRow(
        name="红木卫星通信公司",
        name_en=None,
        list_=EntityList.CONTROL_LIST,
        action=EntityAction.SUSPEND,
        until=date(2027, 6, 30),
    ),
)
NOTICE = replace(
    NO_62,
    doc_key="MOFCOM-2026-23",
    published=date(2026, 4, 15),
    facts=replace(NO_62.facts, doc_key="MOFCOM-2026-23", effective=(), entities=ROWS),
)


def test_rows_round_trip_with_their_notice_dates(store: Store) -> None:
    with store.begin() as tx:
        insert_notice(tx, NOTICE, now=NOW)
        save_entity_rows(tx, NOTICE)
    with store.connect() as conn:
        records = entity_records(conn)
    assert [r.row for r in records] == list(ROWS)
    assert [r.position for r in records] == [0, 1]
    first = records[0]
    assert (first.doc_key, first.url, first.published) == (
        "MOFCOM-2026-23",
        NOTICE.url,
        date(2026, 4, 15),
    )
    assert first.first_seen == date(2026, 4, 15)


def test_a_new_version_replaces_the_rows_and_a_withdrawn_notice_lists_nobody(store: Store) -> None:
    with store.begin() as tx:
        insert_notice(tx, NOTICE, now=NOW)
        save_entity_rows(tx, NOTICE)
    revised = replace(NOTICE, content_hash="b" * 64, facts=replace(NOTICE.facts, entities=ROWS[:1]))
    with store.begin() as tx:
        replace_notice(tx, revised, version=2, now=NOW)
        save_entity_rows(tx, revised)
    state = stored_entities(store, date(2026, 4, 15))
    assert [(e.name, e.listings[0].status) for e in state.entities] == [
        ("蓝岭导弹系统公司", MeasureStatus.IN_FORCE)
    ]
    assert (
        stored_entities(store, date(2026, 4, 15), name="Blue Ridge").entities[0].score == 90.0
    )  # partial
    assert stored_entities(store, date(2026, 4, 15), list_=EntityList.WATCH_LIST).entities == ()
    with store.begin() as tx:
        mark_withdrawn(tx, NOTICE.doc_key, now=NOW)
    assert stored_entities(store, date(2026, 4, 15)).entities == ()
    with store.begin() as tx:
        save_entity_rows(tx, replace(NOTICE, facts=replace(NOTICE.facts, entities=())))
    with store.connect() as conn:
        assert entity_records(conn) == []
