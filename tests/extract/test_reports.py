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
    # The notices it suspends are what it acts on, never what a text about it reports.
    assert reported_key("Pause", text, own_key="MOFCOM-2025-70") is None
    listed = "Desk\nMOFCOM Announcement No. 70 of 2025 covers Nos. 61 and 62 of 2025."
    assert reported_key("Pause", listed, own_key="MOFCOM-2025-70") == "MOFCOM-2025-61"


def test_a_yearless_number_in_the_headline_takes_its_year_from_the_text() -> None:
    # A 2026 article on the end of No. 70 of 2025: the headline prints no year.
    title = "第70号公告暂停期届满"
    text = "记者 孙悦\n按照商务部 海关总署公告2025年第70号的规定，暂停期已届满。"
    assert reported_key(title, text, published_year=2026) == "MOFCOM-2025-70"


def test_the_notice_issued_in_the_lead_outranks_the_one_it_suspends() -> None:
    title = "商务部暂停实施2024年第46号公告第二款"
    text = (
        "华讯社北京11月9日电\n商务部9日发布2025年第72号公告，决定暂停实施商务部公告"
        "2024年第46号第二款。\n第46号公告第一款继续有效。"
    )
    assert reported_key(title, text, published_year=2025) == "MOFCOM-2025-72"
    passive = (
        "記者\n大陸商務部昨日發布商務部公告2025年第72號，宣布2024年第46號公告第二款暫停實施。"
        "\n第46號公告第二款原規定……；第一款仍然有效。"
    )
    assert reported_key("陸再鬆綁", passive, published_year=2025) == "MOFCOM-2025-72"


def test_a_headline_naming_the_act_keeps_it_over_a_notice_issued_with_it() -> None:
    title = "第70號及第72號公告要點"
    text = "記者\n上周五公布的商務部公告2025年第70號……；周日再公布商務部公告2025年第72號。"
    assert reported_key(title, text, published_year=2025) == "MOFCOM-2025-70"


def test_a_notice_the_news_stands_beside_is_background() -> None:
    # An unnumbered event (general licences, a spokesperson's statement) names the notice
    # it sits beside, leaves in force, or may extend: the text reports no numbered notice.
    cases = [
        "记者\n商务部已批准通用许可。\n通用许可与2025年第18号公告建立的逐单许可制度并行，并不取代后者。",
        "Desk\nChina approved general licences.\nThey sit alongside, and do not replace, "
        "the regime under Announcement No. 18 of 2025.",
        "記者\n負責人表示雙方同意延長安排。\n依第70號公告，暫停期限原訂於今年11月10日屆滿。",
        "Desk\nAn official said the arrangement was extended.\nThe statement did not say "
        "whether MOFCOM will extend the suspension under Announcement No. 70 of 2025.",
    ]
    for text in cases:
        assert reported_key("安排延长", text, published_year=2025) is None, text


def test_a_notice_that_only_starts_a_period_after_the_lead_is_background() -> None:
    # A market report: the lead is about prices, the next paragraph dates the market from
    # a notice ("since No. 23", "after No. 39 took effect").
    cases = [
        "分析师\n本周镓价持稳。\n自2023年第23号公告对镓实施出口管制以来，镓出口须逐单申请许可。",
        "记者\n负极材料出货增长。\n多家企业表示，2023年第39号公告实施后，海外客户更倾向签订长协。",
        "Desk\nGallium held near highs.\nSince Announcement No. 23 of 2023, exports need licences.",
    ]
    for text in cases:
        assert reported_key("行情", text, published_year=2025) is None, text
    # In the lead paragraph itself the same frame still reports the notice.
    lead = "华讯社\n自4月实施2025年第18号公告以来，商务部已批准一定数量的申请。\n发言人说。"
    assert reported_key("依法审批", lead, published_year=2025) == "MOFCOM-2025-18"


def test_a_suspended_notice_is_not_what_a_text_reports() -> None:
    # The suspension is the news; printed without its own number, it leaves nothing to report.
    text = "記者\n大陸宣布暫停實施商務部公告2024年第46號第二款後，國際銻價回落。\n貿易商指出。"
    assert reported_key("銻價回落", text, published_year=2025) is None


def test_a_notice_that_replaces_another_is_reported() -> None:
    text = "记者\n商务部发布2026年第5号公告，取代2025年第18号公告。\n企业表示欢迎。"
    assert reported_key("许可新规", text, published_year=2026) == "MOFCOM-2026-5"
    text = "Desk\nMOFCOM Announcement No. 5 of 2026 replaces Announcement No. 18 of 2025."
    assert reported_key("New rules", text) == "MOFCOM-2026-5"
