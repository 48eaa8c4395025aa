from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.deliver.channels import read_alert
from monitor.deliver.channels.wording import notice_page_url
from tests.support.delivery import item_61_suspension_ended, item_62

DETECTED = datetime(2025, 10, 9, 2, 31, tzinfo=UTC)


def test_an_alert_carries_the_detection_time_in_utc_and_in_beijing_words() -> None:
    alert = read_alert(item_62(DETECTED))
    assert alert.detected_at == DETECTED and alert.detected_at.tzinfo is not None
    assert alert.detected == "2025-10-09 10:31 Beijing"
    assert alert.label == "商务部公告2025年第62号" and alert.event_id == item_62(DETECTED)["id"]


def test_a_time_without_offset_is_taken_as_utc() -> None:
    item = item_62(DETECTED)
    item["_regwatch"]["detected_at"] = "2025-10-09T02:31:00"
    alert = read_alert(item)
    assert alert.detected_at == DETECTED
    assert alert.detected == "2025-10-09T02:31:00"  # shown as written: its zone is unknown


@pytest.mark.parametrize("effective", [5, True, "2025-10-09", {"from": "x"}, [None, 3, "a"]])
def test_malformed_effective_dates_read_as_none(effective: Any) -> None:
    item = item_61_suspension_ended(DETECTED)
    item["_regwatch"]["notice"]["effective"] = effective
    alert = read_alert(item)
    assert alert.effective == ()
    assert alert.happened == "suspension by MOFCOM-2025-70 ended; applies again from 2026-11-11"


def test_an_empty_item_reads_as_an_empty_alert() -> None:
    alert = read_alert({"_regwatch": "not an object", "id": None})
    assert (alert.event_id, alert.label, alert.detected_at, alert.group) == ("", "", None, "other")


def test_notice_page_url_escapes_keys_that_are_urls() -> None:
    assert notice_page_url(None, "MOFCOM-2025-61") == ""
    assert notice_page_url("https://r.example.com", "") == ""
    assert (
        notice_page_url("https://r.example.com/", "https://aqygzj.mofcom.gov.cn/a.html")
        == "https://r.example.com/notices/https%3A%2F%2Faqygzj.mofcom.gov.cn%2Fa.html"
    )


def test_a_reported_notice_is_new_and_says_it_is_not_official_yet() -> None:
    item = item_62(datetime(2025, 10, 9, 2, 31, tzinfo=UTC))
    item["_regwatch"]["event"] = "notice.reported"
    alert = read_alert(item)
    assert (alert.group, alert.happened) == (
        "new",
        "reported, not yet seen at an official source",
    )
