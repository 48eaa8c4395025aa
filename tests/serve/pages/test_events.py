"""The query and the rows of `/` (pure parts)."""

from __future__ import annotations

import pytest

from monitor.detect.feed_item import item_for_event
from monitor.errors import UsageError
from monitor.serve.event_query import parse_event_query
from monitor.serve.pages.events import brief_reasons, event_view
from tests.support.sample_events import by_id


def test_parse_reads_every_filter() -> None:
    query = parse_event_query(
        {
            "kind": "notice.new",
            "element": "dy",
            "code": "1C905",
            "hs": "2805 3012 00",
            "source": "mofcom-zcfb",
            "subscriber": "magnets",
            "all": "1",
            "before": "40",
        }
    )
    assert (query.kind, query.element, query.code, query.hs) == (
        "notice.new",
        "Dy",
        "1C905",
        "2805301200",
    )
    assert query.all_events and query.before == 40 and query.filtered
    assert query.where().event_kinds == frozenset({"notice.new"})
    assert query.where().notice_kinds is None and not query.where().relevant_only
    assert query.params(before=12)["before"] == "12"
    assert query.where().mentions == ("1C905", "28053012", '"Dy"')
    assert parse_event_query({"hs": "2805"}).where().mentions == ("2805",)
    suspension = parse_event_query({"kind": "suspension"})
    assert suspension.where().notice_kinds == frozenset({"suspension"})
    assert suspension.where().relevant_only and suspension.keep() is None


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"kind": "notice.deleted"}, "kind must be one of"),
        ({"element": "Fe"}, "rare-earth element"),
        ({"code": "1C9"}, "control-list code"),
        ({"hs": "28"}, "HS code"),
        ({"before": "-1"}, "positive whole number"),
        ({"before": "0"}, "positive whole number"),
        ({"all": "maybe"}, "all must be"),
    ],
)
def test_bad_values_are_named(params: dict[str, str], words: str) -> None:
    with pytest.raises(UsageError, match=words):
        parse_event_query(params)


def test_keep_applies_element_code_and_hs_together() -> None:
    item = item_for_event(by_id("evt-62-new"))
    codes = item["_regwatch"]["rare_earth"]["control_codes"]
    elements = item["_regwatch"]["rare_earth"]["elements"]
    assert codes and elements
    keep = parse_event_query({"code": codes[0].split(".")[0], "element": elements[0]}).keep()
    assert keep is not None and keep(item, {})
    assert not parse_event_query({"code": "3A001"}).keep()(item, {})  # type: ignore[misc]
    assert not parse_event_query({"element": "Ho"}).keep()(item, {})  # type: ignore[misc]
    assert not parse_event_query({"hs": "85076000"}).keep()(item, {})  # type: ignore[misc]
    battery = {"control_codes": ["3A001"], "hs_codes": ["85076000"], "elements": []}
    assert parse_event_query({"code": "3A001", "hs": "8507600010"}).keep()(item, battery)  # type: ignore[misc]


def test_row_prefers_title_en_when_the_notice_has_one() -> None:
    item = item_for_event(by_id("evt-70-new"))
    row = event_view(item)
    assert row["label"] == "商务部 海关总署公告2025年第70号"
    assert row["title"] == item["_regwatch"]["notice"]["title_en"] and row["title_lang"] == "en"
    assert row["title"].startswith("MOFCOM Announcement No. 70 of 2025")
    assert row["title_zh"].startswith("关于暂停实施")
    assert row["href"] == "/notices/MOFCOM-2025-70"
    assert row["happened"].startswith("suspends MOFCOM-2025-55")
    del item["_regwatch"]["notice"]["title_en"]  # an item stored before 0.2
    row = event_view(item)
    assert row["title"].startswith("关于暂停实施") and row["title_lang"] == "zh"
    assert row["title_zh"] is None


def test_reasons_drop_sub_items_of_named_codes_and_stop_at_the_limit() -> None:
    matched = ["control code 1C902", "control code 1C902.a", "control code 1C903.b", "keyword 稀土"]
    assert brief_reasons(matched) == ["control code 1C902", "control code 1C903.b", "keyword 稀土"]
    assert brief_reasons([f"keyword {n}" for n in range(5)], limit=3)[-1] == "and 2 more"
