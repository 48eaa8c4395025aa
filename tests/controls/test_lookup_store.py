"""Lookups read from the store, and the server's reader that renders each answer once."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from monitor.controls.queries import ControlsReader, controls_document
from monitor.errors import UsageError
from monitor.models import Effective, Item, Notice, NoticeFacts, NoticeKind, Verdict
from monitor.store import Store
from monitor.store.repository import insert_notice, mark_withdrawn, replace_notice

NOW = datetime(2025, 10, 9, 2, 0, tzinfo=UTC)
MAGNET = Item("1C904.a", "含铽的钕铁硼永磁材料", ("8505111000",), ("Tb",), source="附件1.pdf")


def notice(key: str, items: tuple[Item, ...]) -> Notice:
    return Notice(
        doc_key=key,
        title=f"{key} 公告",
        url=f"https://www.mofcom.gov.cn/{key}.html",
        text="决定对附件所列物项实施出口管制。",
        source_id="mofcom-zcfb",
        content_hash="0" * 64,
        facts=NoticeFacts(
            doc_key=key,
            published=date(2025, 10, 9),
            effective=(Effective(date(2025, 12, 1), "whole notice"),),
            kind=NoticeKind.CONTROL,
        ),
        verdict=Verdict(relevant=True),
        published=date(2025, 10, 9),
        items=items,
    )


def test_lookup_from_the_store(store: Store) -> None:
    with store.begin() as tx:
        insert_notice(tx, notice("MOFCOM-2025-61", (MAGNET,)), now=NOW)
    answer = controls_document(store, date(2025, 12, 1), hs="85051110")
    assert [(m["doc_key"], m["status"], m["matched"]) for m in answer["measures"]] == [
        ("MOFCOM-2025-61", "in_force", ["item 1C904.a HS 8505111000"])
    ]
    state = controls_document(store, date(2025, 12, 1))
    assert [i["code"] for i in state["items"]] == ["1C904.a"]
    with pytest.raises(UsageError, match="code:"):
        controls_document(store, date(2025, 12, 1), code="XYZ")


def test_reader_renders_once_per_store_version(store: Store) -> None:
    rendered: list[dict[str, object]] = []

    def render(document: dict[str, object]) -> bytes:
        rendered.append(document)
        return json.dumps(document).encode()

    reader = ControlsReader(store, render, size=1)
    day, query = date(2025, 12, 1), {"hs": "8505111000", "code": None, "element": None}
    empty = reader.version()
    assert reader.cached(empty, day, query) is None
    reader.body(empty, day, query)
    reader.body(empty, day, query)
    assert len(rendered) == 1
    with store.begin() as tx:
        insert_notice(tx, notice("MOFCOM-2025-61", (MAGNET,)), now=NOW)
    added = reader.version()
    assert added != empty and reader.cached(added, day, query) is None
    assert json.loads(reader.body(added, day, query))["measures"][0]["doc_key"] == "MOFCOM-2025-61"
    assert reader.cached(empty, day, query) is None  # size 1: the older answer made room
    with store.begin() as tx:
        replace_notice(tx, replace(notice("MOFCOM-2025-61", ()), content_hash="1" * 64),
                       version=2, now=NOW)  # fmt: skip
    revised = reader.version()
    assert revised != added
    with store.begin() as tx:
        mark_withdrawn(tx, "MOFCOM-2025-61", now=NOW)
    assert reader.version() != revised
