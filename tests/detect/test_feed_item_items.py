"""Items and items_diff in feed items (CONTRACT.md § Items)."""

from __future__ import annotations

from dataclasses import replace

from monitor.detect.events import change_event
from monitor.detect.feed_item import item_for_event
from monitor.models import Change, EventKind, Item, ItemChange, ItemsDiff, TextDiff
from tests.support.feed_schema import assert_valid_item
from tests.support.sample_events import DETECTED, sample_events

SM = Item("1C902.a", "金属钐、含钐的合金及相关制品", ("2805301100",), ("Sm",))
HO = Item("1C909.a", "金属钬", ("28053019",), ("Ho",), source="附件1.pdf", part="第一部分")


def test_new_notice_carries_its_items_in_contract_shape() -> None:
    event = next(e for e in sample_events() if e.kind is EventKind.NOTICE_NEW)
    notice = replace(event.notice, items=(SM,))
    item = item_for_event(change_event(Change(EventKind.NOTICE_NEW, notice), detected_at=DETECTED))
    assert item["_regwatch"]["notice"]["items"] == [
        {
            "code": "1C902.a",
            "description": "金属钐、含钐的合金及相关制品",
            "description_en": None,
            "hs_codes": ["2805301100"],
            "elements": ["Sm"],
            "source": "text",
            "part": None,
            "notes": "",
        }
    ]
    assert "items_diff" not in item["_regwatch"]
    assert_valid_item(item)


def test_a_notice_without_items_has_no_items_key() -> None:
    event = next(e for e in sample_events() if e.kind is EventKind.NOTICE_NEW)
    assert "items" not in item_for_event(event)["_regwatch"]["notice"]


def test_revision_carries_items_diff_and_says_so() -> None:
    event = next(e for e in sample_events() if e.kind is EventKind.NOTICE_NEW)
    changed = replace(SM, hs_codes=("2805301100", "3824999922"))
    diff = ItemsDiff(added=(HO,), removed=(), changed=(ItemChange("1C902.a", SM, changed),))
    change = Change(
        EventKind.NOTICE_REVISED,
        replace(event.notice, items=(changed, HO)),
        previous_hash="0" * 64,
        diff=TextDiff(added=(), removed=(), patch=""),
        items_diff=diff,
    )
    item = item_for_event(change_event(change, detected_at=DETECTED))
    items_diff = item["_regwatch"]["items_diff"]
    assert [i["code"] for i in items_diff["added"]] == ["1C909.a"]
    assert items_diff["added"][0]["source"] == "附件1.pdf"
    assert items_diff["removed"] == []
    assert items_diff["changed"][0]["code"] == "1C902.a"
    assert items_diff["changed"][0]["before"]["hs_codes"] == ["2805301100"]
    assert items_diff["changed"][0]["after"]["hs_codes"] == ["2805301100", "3824999922"]
    assert "Items: 1 added, 0 removed, 1 changed." in item["content_text"]
    assert_valid_item(item)


def test_a_text_only_revision_has_no_items_diff() -> None:
    event = next(e for e in sample_events() if e.kind is EventKind.NOTICE_NEW)
    change = Change(EventKind.NOTICE_REVISED, event.notice, previous_hash="0" * 64)
    item = item_for_event(change_event(change, detected_at=DETECTED))
    assert "items_diff" not in item["_regwatch"]
    assert "Items:" not in item["content_text"]


def test_the_schema_holds_items_to_their_shape() -> None:
    import pytest

    event = next(e for e in sample_events() if e.kind is EventKind.NOTICE_NEW)
    item = item_for_event(replace(event, notice=replace(event.notice, items=(SM,))))
    item["_regwatch"]["notice"]["items"][0]["hs_codes"] = ["28053"]
    with pytest.raises(AssertionError):
        assert_valid_item(item)
