"""docnumbers.py: the numbers a text cites, keyed exactly as a notice's own number (pure)."""

from __future__ import annotations

import time

import pytest

from monitor.extract.docnumbers import (
    citations,
    doc_key_for,
    header_number,
    issuers_of,
    mentioned_doc_keys,
    mentions,
)
from monitor.extract.folding import fold


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


# ---------------------------------------------------------------------------------------
# Citations and mentions: every printed form (issue 10).


def _mentions(text: str, year: int | None = 2025) -> tuple[str, ...]:
    return mentions(fold(text).text, published_year=year)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("商务部、海关总署联合发布2025年第18号公告。", ["MOFCOM-2025-18"]),
        ("商务部发布第61、62号公告。", ["MOFCOM-2025-61", "MOFCOM-2025-62"]),
        ("2025年商务部第61、62号公告今日发布。", ["MOFCOM-2025-61", "MOFCOM-2025-62"]),
        ("商務部2025第61號公告", ["MOFCOM-2025-61"]),
        ("商務部公告（2025）第70號", ["MOFCOM-2025-70"]),
        ("商务部公告 2025 年第 72 号", ["MOFCOM-2025-72"]),
        ("商务(wù)部公告 2025 年第 61 号(hào)", ["MOFCOM-2025-61"]),
        ("商务部第55号至第58号公告", [f"MOFCOM-2025-{n}" for n in (55, 56, 57, 58)]),
        ("MOFCOM Announcement No. 61 of 2025", ["MOFCOM-2025-61"]),
        ("MOFCOM Announcement No 61", ["MOFCOM-2025-61"]),
        ("the commerce ministry's Notification No. 61/2025", ["MOFCOM-2025-61"]),
        ("MOFCOM Decision No. 58 of 2025", ["MOFCOM-2025-58"]),
        ("MOFCOM Announcement [2025] No. 61", ["MOFCOM-2025-61"]),
        ("MOFCOM Announcement No. 18 [2025]", ["MOFCOM-2025-18"]),
        ("The commerce ministry issued Nos. 55 to 58 of 2025.", [f"MOFCOM-2025-{n}" for n in range(55, 59)]),
        ("MOFCOM/GACC Announcements No. 70 and No. 72 (2025)", ["MOFCOM-2025-70", "MOFCOM-2025-72"]),
        ("MOFCOM Announcement No. 61 of 2025. Announcement No. 57 too.",
         ["MOFCOM-2025-61", "MOFCOM-2025-57"]),
        ("Announcements Nos. 61, 62, 2025 by MOFCOM", ["MOFCOM-2025-61", "MOFCOM-2025-62"]),
        ("海关总署发布公告2025年第29号，第30号同日发布。", ["GACC-2025-29", "GACC-2025-30"]),
        ("国务院令第785号", ["STATECOUNCIL-785"]),
        ("State Council Decree No. 785", ["STATECOUNCIL-785"]),
        ("The customs agency's Announcement No. 29 of 2025.", ["GACC-2025-29"]),
        ("第70号公告发布后，市场平稳。", ["MOFCOM-2025-70"]),  # nobody named: MOFCOM's series
    ],
)  # fmt: skip
def test_every_printed_form_is_a_mention(text: str, keys: list[str]) -> None:
    assert list(_mentions(text)) == keys


def test_a_yearless_number_takes_its_year_from_the_text() -> None:
    # The number printed with its year elsewhere; else the one year the text's numbers share;
    # else the year of publication; else the nearest dated number.
    assert _mentions("商务部2024年第46号公告……第46号公告第二款", 2025) == ("MOFCOM-2024-46",)
    assert _mentions("商务部2023年第57号公告与第62号公告", 2025) == (
        "MOFCOM-2023-57",
        "MOFCOM-2023-62",
    )
    mixed = "商务部2024年第46号、2025年第72号公告，以及第70号公告"
    assert _mentions(mixed, 2025)[-1] == "MOFCOM-2025-70"
    assert _mentions(mixed, None)[-1] == "MOFCOM-2025-70"
    assert _mentions("商务部第70号公告，商务部2024年第46号、2025年第72号公告", None)[0] == (
        "MOFCOM-2024-70"
    )
    assert _mentions("商务部第70号公告", None) == ()  # no year anywhere: no key


def test_own_key_and_repeats_are_left_out() -> None:
    text = fold("商务部公告2025年第70号暂停实施商务部公告2025年第61号、第61号").text
    assert mentions(text, own_key="MOFCOM-2025-70") == ("MOFCOM-2025-61",)


@pytest.mark.parametrize(
    "text",
    [
        "地铁18号线今天开通。",  # a number with neither 第 nor a year
        "Announcement: No 61 bus.",  # "No" without a dot needs a document word right before
        "Public notice 5 was posted. No. 61 is the route.",  # bare "No." needs an anchor
        "Public Notice No. 12, 2025 was published by the port authority.",
    ],
)
def test_numbers_that_are_not_notices(text: str) -> None:
    assert _mentions(text) == ()


def test_a_range_too_long_is_two_numbers_and_overlaps_keep_the_fuller_reading() -> None:
    assert _mentions("MOFCOM Nos. 5 to 80 of 2025") == ("MOFCOM-2025-5", "MOFCOM-2025-80")
    cites = citations("商务部公告2025年第61号、第62号", published_year=2025)
    assert [c.key for c in cites] == ["MOFCOM-2025-61", "MOFCOM-2025-62"]
    assert all(c.grouped for c in cites)


def test_header_forms_of_mirrors() -> None:
    assert header_number(["发文文号: 商务部公告2025年第61"]) == "商务部公告2025年第61"
    assert doc_key_for("商务部公告2025年第61") == "MOFCOM-2025-61"
    assert issuers_of("商务部 海关总署公告2025年第55") == ("商务部", "海关总署")


def test_overlapping_readings_keep_the_first() -> None:
    from monitor.extract.docnumbers import _drop_overlaps, _Ref

    first = _Ref(0, 10, (), False, 2025, (61,), True)
    inside = _Ref(5, 12, (), False, 2025, (62,), True)
    after = _Ref(12, 20, (), False, 2025, (63,), True)
    assert _drop_overlaps([first, inside, after]) == [first, after]


def test_a_range_with_a_dash_of_any_width_names_every_number() -> None:
    # Chinese typesetting prints ranges with an em dash (第55—58号) or an en dash.
    for dash in ("—", "–", "-"):
        text = f"商务部第70号公告暂停的是第55{dash}58号公告。"
        assert mentions(text, published_year=2025) == (
            "MOFCOM-2025-70",
            "MOFCOM-2025-55",
            "MOFCOM-2025-56",
            "MOFCOM-2025-57",
            "MOFCOM-2025-58",
        ), dash


def test_announcements_numbered_without_no_when_the_year_follows() -> None:
    text = "Magnet makers audit supply chains after China's Announcements 61 and 62 of 2025."
    assert mentions(fold(text).text) == ("MOFCOM-2025-61", "MOFCOM-2025-62")
    assert mentions(fold("MOFCOM Announcement 70 of 2025 pauses them.").text) == ("MOFCOM-2025-70",)
    # Without "of <year>" a bare figure after the word is a count or a date, not a number.
    assert mentions(fold("The announcement 2 weeks ago and announcements 3 and 4.").text) == ()


def test_a_yearless_number_in_a_sentence_about_last_year_takes_last_year() -> None:
    text = (
        "商务部公告2026年第30号将14家欧盟实体列入管控名单。"
        "回顾去年，商务部、海关总署曾于11月以第70号公告暂停实施多项稀土管制。"
        "Last year Announcement No. 61 was paused. 前年的第23号公告仍然有效。"
    )
    assert mentions(fold(text).text, published_year=2026) == (
        "MOFCOM-2026-30",
        "MOFCOM-2025-70",
        "MOFCOM-2025-61",
        "MOFCOM-2024-23",
    )
    # Without the date of publication "last year" says nothing.
    assert "MOFCOM-2026-70" in mentions(fold(text).text)
