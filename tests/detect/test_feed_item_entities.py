"""Designation notices carry their parties in `_regwatch.notice.entities` (CONTRACT 0.2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from monitor.codec import facts_from_json, facts_to_json
from monitor.detect.feed_item import item_for_event
from monitor.models import EntityAction, EntityList, EntityRow
from tests.support.feed_schema import assert_valid_item
from tests.support.sample_events import by_id

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
        name="Farwatch Drones Inc.",
        name_en="Farwatch Drones Inc.",
        list_=EntityList.UNRELIABLE_ENTITY,
        action=EntityAction.SUSPEND,
        until=date(2027, 6, 30),
    ),
)


def test_a_notice_with_parties_lists_them_in_the_item() -> None:
    event = by_id("evt-62-new")
    notice = replace(event.notice, facts=replace(event.notice.facts, entities=ROWS))
    item = item_for_event(replace(event, notice=notice))
    assert_valid_item(item)
    assert item["_regwatch"]["notice"]["entities"] == [
        {
            "name": "蓝岭导弹系统公司",
            "name_en": "Blue Ridge Missile Systems, Inc.",
            "country": "US",
            "list": "control_list",
            "action": "add",
        },
        {
            "name": "Farwatch Drones Inc.",
            "name_en": "Farwatch Drones Inc.",
            "country": None,
            "list": "unreliable_entity",
            "action": "suspend",
        },
    ]


def test_a_notice_without_parties_keeps_the_old_shape() -> None:
    item = item_for_event(by_id("evt-62-new"))
    assert "entities" not in item["_regwatch"]["notice"]


def test_entity_rows_survive_the_stored_json_form() -> None:
    facts = replace(by_id("evt-62-new").notice.facts, entities=ROWS)
    stored = facts_to_json(facts)
    assert stored["entities"][1]["until"] == "2027-06-30"
    assert facts_from_json(stored) == facts
    assert facts_from_json({k: v for k, v in stored.items() if k != "entities"}).entities == ()
