"""reports.py: which notice a news or commentary text is about."""

from __future__ import annotations

from monitor.extract.reports import reported_key


def test_the_headline_says_what_a_text_reports() -> None:
    title = "商务部公告2025年第62号：稀土技术出口纳入管制"
    text = "记者\n同日发布的还有商务部公告2025年第61号。\n第62号公告涉及稀土技术。"
    assert reported_key(title, text, published_year=2025) == "MOFCOM-2025-62"


def test_without_a_number_in_the_headline_the_lead_decides() -> None:
    text = "BEIJING (Wire)\nMOFCOM Announcement No. 18 of 2025 stays in force.\nNo. 61 paused."
    assert reported_key("Magnet exports", text) == "MOFCOM-2025-18"


def test_a_report_of_a_suspension_is_about_the_act_not_the_notices_listed() -> None:
    title = "China suspends Nos. 55 to 58, 61 and 62"
    text = (
        "Wire desk\nMOFCOM Announcement No. 70 of 2025 suspends MOFCOM Announcements "
        "Nos. 55 to 58, 61 and 62 of 2025 until November 10, 2026."
    )
    assert reported_key(title, text) == "MOFCOM-2025-70"


def test_a_notice_named_only_further_down_is_background() -> None:
    text = "记者\n通用许可今日落地。\n企业表示欢迎。\n此前商务部2025年第18号公告已实施许可管理。"
    assert reported_key("通用许可落地", text, published_year=2025) is None


def test_no_number_and_own_number() -> None:
    assert reported_key("稀土市场观察", "价格平稳。") is None
    title = "商务部公告2025年第70号"
    assert reported_key(title, "暂停实施。", own_key="MOFCOM-2025-70") is None


def test_own_number_in_the_lead_and_a_suspension_of_a_list_only() -> None:
    text = "Desk\nMOFCOM Announcement No. 70 of 2025 suspends Nos. 61 and 62 of 2025."
    assert reported_key("Pause", text, own_key="MOFCOM-2025-70") == "MOFCOM-2025-61"
