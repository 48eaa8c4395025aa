"""The whole JSON Feed item of each kind of event, checked against the contract's schema."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from monitor.detect.feed_item import item_for_event
from monitor.models import NoticeKind
from tests.support.feed_schema import assert_valid_item
from tests.support.sample_events import NO_62, REVISION, SUSPENDED, by_id


def test_new_notice_item_has_the_contract_shape() -> None:
    item = item_for_event(by_id("evt-62-new"))
    assert_valid_item(item)
    assert item["id"] == "evt-62-new"
    assert item["url"] == NO_62.url
    assert item["title"] == "商务部公告2025年第62号 公布对稀土相关技术实施出口管制的决定"
    assert item["date_published"] == "2025-10-09T03:15:00Z"
    assert item["tags"] == ["rare-earth", "1E902.a", "1E902.b", "notice.new"]
    assert item["_regwatch"] == {
        "schema": 1,
        "event": "notice.new",
        "source": "mofcom-zcfb",
        "detected_at": "2025-10-09T03:15:00Z",
        "notice": {
            "doc_key": "MOFCOM-2025-62",
            "doc_number": "商务部公告2025年第62号",
            "title": "公布对稀土相关技术实施出口管制的决定",
            "issuers": ["商务部"],
            "published": "2025-10-09",
            "kind": "control",
            "url": NO_62.url,
            "urls": [NO_62.url, NO_62.urls[0]],
            "effective": [{"from": "2025-10-09", "scope": "whole notice"}],
            # Added in 0.2: composed from the facts (no English copy is known here).
            "title_en": "MOFCOM Announcement No. 62 of 2025: export controls (rare earths) "
            "(Sm, Dy), effective 2025-10-09",
            "status": "official",
            "mentions": [],
            "reports": None,
        },
        "rare_earth": {
            "relevant": True,
            "elements": ["Sm", "Dy"],
            "control_codes": ["1E902.a", "1E902.b"],
            "hs_codes": [],
            "matched": ["control code 1E902.a", "control code 1E902.b", "keyword 稀土"],
        },
        "affects": [],
    }
    text = item["content_text"]
    for part in (
        "New notice",
        "商务部公告2025年第62号",
        "MOFCOM-2025-62",
        "Sm, Dy",
        "1E902.a, 1E902.b",
        "2025-10-09",
    ):
        assert part in text


def test_suspension_item_lists_what_it_suspends_and_until_when() -> None:
    item = item_for_event(by_id("evt-70-new"))
    assert_valid_item(item)
    assert item["title"] == (
        "商务部 海关总署公告2025年第70号 关于暂停实施商务部公告2025年第55号等公告的公告"
    )
    assert item["_regwatch"]["notice"]["issuers"] == ["商务部", "海关总署"]
    assert item["_regwatch"]["notice"]["kind"] == "suspension"
    assert item["_regwatch"]["affects"] == [
        {"doc_key": key, "action": "suspend", "until": "2026-11-10", "scope": None}
        for key in SUSPENDED
    ]
    assert item["tags"] == ["rare-earth", "notice.new"]
    assert "Suspends MOFCOM-2025-55, MOFCOM-2025-56" in item["content_text"]
    assert "MOFCOM-2025-62 until 2026-11-10." in item["content_text"]
    assert "Rare-earth relevant: suspends rare-earth measure MOFCOM-2025-61" in item["content_text"]


def test_revised_item_carries_the_diff_and_counts_passages() -> None:
    item = item_for_event(by_id("evt-62-rev"))
    assert_valid_item(item)
    assert item["_regwatch"]["diff"] == {
        "added": list(REVISION.added),
        "removed": list(REVISION.removed),
        "patch": REVISION.patch,
        "major_rewrite": False,
    }
    assert "2 passages added, 1 removed" in item["content_text"]
    assert "diff" not in item_for_event(by_id("evt-62-new"))["_regwatch"]


def test_measure_items_name_the_date_that_arrived() -> None:
    effective = item_for_event(by_id("evt-61-eff"))
    lapsed = item_for_event(by_id("evt-61-lapse"))
    for item in (effective, lapsed):
        assert_valid_item(item)
        assert item["_regwatch"]["notice"]["doc_key"] == "MOFCOM-2025-61"
    assert effective["_regwatch"]["due_date"] == "2025-12-01"
    assert "takes effect on 2025-12-01 (第一款、第二款)" in effective["content_text"]
    assert lapsed["_regwatch"]["event"] == "measure.suspension_ended"
    assert lapsed["_regwatch"]["cause"] == "MOFCOM-2025-70"
    assert "applies again from 2026-11-11" in lapsed["content_text"]
    assert "by MOFCOM-2025-70" in lapsed["content_text"]


def test_measure_event_without_due_date_is_refused() -> None:
    with pytest.raises(ValueError, match="due_date"):
        item_for_event(replace(by_id("evt-61-eff"), due_date=None))


def test_irrelevant_item_has_no_rare_earth_tag() -> None:
    item = item_for_event(by_id("evt-58-new"))
    assert_valid_item(item)
    assert item["tags"] == ["notice.new"]
    assert item["_regwatch"]["rare_earth"]["relevant"] is False
    assert "Not rare-earth relevant." in item["content_text"]


def test_title_does_not_repeat_a_number_the_title_already_has() -> None:
    notice = replace(NO_62, title="商务部公告 2025年第62号 公布对稀土相关技术实施出口管制的决定")
    item = item_for_event(replace(by_id("evt-62-new"), notice=notice))
    assert item["title"] == notice.title
    assert "New notice 商务部公告2025年第62号 (MOFCOM-2025-62): 公布对稀土" in item["content_text"]


def test_notice_without_number_is_titled_and_keyed_by_itself() -> None:
    url = "https://www.mofcom.gov.cn/syxwfb/art/2025/art_1a2b3c.html"
    notice = replace(
        NO_62,
        doc_key=url,
        doc_number=None,
        url=url,
        urls=(),
        title="商务部新闻发言人答记者问",
        facts=replace(NO_62.facts, doc_number=None, doc_key=None, kind=NoticeKind.COMMENTARY),
    )
    item = item_for_event(replace(by_id("evt-62-new"), notice=notice))
    assert_valid_item(item)
    assert item["title"] == "商务部新闻发言人答记者问"
    assert item["_regwatch"]["notice"]["doc_number"] is None
    assert item["_regwatch"]["notice"]["kind"] == "commentary"


def test_detected_at_is_rendered_in_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    event = replace(by_id("evt-62-new"), detected_at=datetime(2025, 10, 9, 11, 15, tzinfo=beijing))
    assert item_for_event(event)["date_published"] == "2025-10-09T03:15:00Z"


def test_schema_rejects_a_broken_item() -> None:
    item = item_for_event(by_id("evt-62-new"))
    item["_regwatch"]["event"] = "notice.deleted"
    with pytest.raises(AssertionError, match=r"notice\.deleted"):
        assert_valid_item(item)
    revised_without_diff = item_for_event(by_id("evt-62-rev"))
    del revised_without_diff["_regwatch"]["diff"]
    with pytest.raises(AssertionError, match="diff"):
        assert_valid_item(revised_without_diff)
