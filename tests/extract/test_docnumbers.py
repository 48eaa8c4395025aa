"""docnumbers.py: the numbers a text cites, keyed exactly as a notice's own number (pure)."""

from __future__ import annotations

import time

import pytest

from monitor.extract.docnumbers import doc_key_for, mentioned_doc_keys


def test_mentioned_doc_keys_in_every_form() -> None:
    text = (
        "商务部 海关总署公告2025年第70号决定暂停实施商务部公告2025年第61号；"
        "商務部公告２０２５年第６２號同時暫停。國務院令第785号另有规定。"
        "MOFCOM Announcement No. 18 of 2025 stays in force."
    )
    assert mentioned_doc_keys(text) == (
        "MOFCOM-2025-70",
        "MOFCOM-2025-61",
        "MOFCOM-2025-62",
        "STATECOUNCIL-785",
        "MOFCOM-2025-18",
    )


@pytest.mark.parametrize(
    "number",
    [
        "商务部 国家原子能机构 海关总署公告2025年第5号",  # unlisted co-issuer: still MOFCOM's
        "商務部 工業和資訊化部 海關總署公告2024年第51號",
        "海关总署公告2025年第29号",
        "不可靠实体清单工作机制公告〔2025〕7号",
        "商务部公告〔2025〕第18号",
        "商务部令2025年第1号",
        "中华人民共和国国务院令 第785号",
        "MOFCOM and GAC Announcement No. 18 of 2025",
        "MOFCOM Announcement 2025 No. 70",
        "Announcement No. 18 [2025] of the Ministry of Commerce",
        "State Council Decree No. 785",
        "Decree No. 792 of the State Council",
    ],
)
def test_a_mention_is_keyed_as_the_notice_it_names(number: str) -> None:
    news = f"发言人表示，{number}的实施情况良好。"
    if number.isascii():
        news = f"The spokesperson said that {number} is working as intended."
    key = doc_key_for(number)
    assert key is not None
    assert mentioned_doc_keys(news) == (key,)


@pytest.mark.parametrize(
    "text",
    [
        "公告2025年第18号已经发布。",
        "海关总署发布公告2025年第18号。",  # 公告 without its issuer could be anyone's
        "Announcement No. 5 of 2025 takes effect today.",
        "Public Notice No. 12, 2025 was published by the port authority.",
        "自2025年4月4日起施行。",
        "",
    ],
)
def test_numbers_without_their_issuer_are_not_mentions(text: str) -> None:
    assert mentioned_doc_keys(text) == ()


def test_an_english_issuer_may_follow_the_number() -> None:
    assert mentioned_doc_keys(
        "Under Announcement No. 61 of 2025 of the Ministry of Commerce, exports need a licence."
    ) == ("MOFCOM-2025-61",)
    assert mentioned_doc_keys("Announcement No. 61 of 2025 (MOFCOM) is suspended.") == (
        "MOFCOM-2025-61",
    )
    # Read as MOFCOM's it would be a wrong key, so it is left out.
    assert (
        mentioned_doc_keys("Announcement No. 5 of 2025 of the General Administration of Customs")
        == ()
    )
    # Another sentence's MOFCOM is not this number's issuer.
    assert mentioned_doc_keys("Announcement No. 5 of 2025 applies. MOFCOM said so.") == ()


def test_each_key_once_chinese_first() -> None:
    text = (
        "MOFCOM Announcement No. 61 of 2025 followed 商务部公告2025年第18号; "
        "商務部公告2025年第61號 and 商务部公告2025年第18号 again."
    )
    assert mentioned_doc_keys(text) == ("MOFCOM-2025-18", "MOFCOM-2025-61")


def test_a_decree_with_its_year_is_one_number() -> None:
    # "(2024)" after a decree number also reads as "No. 785 (2024)"; the decree wins.
    number = "State Council Decree No. 785 (2024)"
    assert doc_key_for(number) == "STATECOUNCIL-785"
    assert mentioned_doc_keys(f"The Regulations ({number}) apply.") == ("STATECOUNCIL-785",)


def test_a_state_council_decree_keeps_its_key_when_a_year_is_printed_with_it() -> None:
    assert doc_key_for("国务院令〔2024〕第785号") == "STATECOUNCIL-785"
    assert doc_key_for("国务院令2024年第785号") == "STATECOUNCIL-785"


def test_issuer_names_run_together_are_read_in_linear_time() -> None:
    # A 150-character title of ministry names with nothing between them took 34-60 s: the
    # issuer run could split the same names into bodies in exponentially many ways.
    names = "商务部海关总署工业和信息化部国家密码管理局科技部国务院国家发展和改革委员会"
    title = (names * 5)[:150]
    started = time.perf_counter()
    assert doc_key_for(title) is None
    assert mentioned_doc_keys(title) == ()
    assert time.perf_counter() - started < 1.0


def test_issuer_run_still_reads_unlisted_and_run_together_co_issuers() -> None:
    assert doc_key_for("商务部海关总署公告2025年第18号") == "MOFCOM-2025-18"
    assert doc_key_for("海关总署国家发展和改革委员会公告2025年第3号") == "GACC-2025-3"
    assert doc_key_for("国家发展和改革委员会 商务部公告2025年第3号") == "MOFCOM-2025-3"
