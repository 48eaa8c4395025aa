from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from monitor.adapters.mofcom_detail import parse_detail
from monitor.errors import ParseError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mofcom-zcfb"
WWW_18 = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_9c2108ccaf754f22a34abab2fedaa944.html"
BIG5_18 = (
    "http://big5.mofcom.gov.cn/gate/big5/www.mofcom.gov.cn/zwgk/zcfb/art/2025/"
    "art_9c2108ccaf754f22a34abab2fedaa944.html"
)
EN_18 = (
    "https://english.mofcom.gov.cn/Policies/AnnouncementsOrders/art/2025/"
    "art_0dd87cbee7b045bf93fabe6ab2faceee.html"
)
BEIJING = timezone(timedelta(hours=8))


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_simplified_page_fields() -> None:
    notice = parse_detail(fixture("mofcom-2025-18.html"), WWW_18, "mofcom-zcfb")

    assert notice.source_id == "mofcom-zcfb"
    assert notice.url == WWW_18
    assert notice.title == (
        "商务部 海关总署公告2025年第18号 关于对部分中重稀土相关物项实施出口管制的公告"
    )
    assert notice.published == date(2025, 4, 4)
    assert notice.published_at == datetime(2025, 4, 4, 18, 0, tzinfo=BEIJING)
    assert notice.published_at is not None
    assert notice.published_at.isoformat() == "2025-04-04T18:00:00+08:00"
    assert notice.doc_number == "商务部 海关总署公告2025年第18号"
    assert notice.issuing_unit == "安全与管制局"
    assert notice.language == "zh-Hans"


def test_text_is_one_paragraph_per_line_and_keeps_header_lines() -> None:
    notice = parse_detail(fixture("mofcom-2025-18.html"), WWW_18, "mofcom-zcfb")
    lines = notice.text.split("\n")

    assert lines[:3] == [
        "【发布单位】安全与管制局",
        "【发布文号】商务部 海关总署公告2025年第18号",
        "【发文日期】2025年04月04日",
    ]
    # nbsp / ideographic-space indentation is gone, nothing outside the body leaks in
    assert lines[3].startswith("为维护国家安全")
    assert "（一）钐金属及其合金、靶材（1C902.a），参考海关商品编号：2805301910。" in lines
    assert "附件：1.中重稀土相关物项清单" in lines
    assert lines[-1] == "2025年4月4日"
    assert "首页" not in notice.text and "关于我们" not in notice.text
    assert all(line == line.strip() and line for line in lines)


def test_attachments_are_absolute_on_the_page_host() -> None:
    notice = parse_detail(fixture("mofcom-2025-18.html"), WWW_18, "mofcom-zcfb")

    assert [(a.url, a.name) for a in notice.attachments] == [
        (
            "https://www.mofcom.gov.cn/cms_files/filemanager/1077459795/attach/20254/"
            "1f0c8e2a9b7d4c3e8a6f5d4c3b2a1908.pdf",
            "1.中重稀土相关物项清单",
        )
    ]
    assert notice.attachments[0].sha256 is None


def test_big5_gateway_copy_is_traditional() -> None:
    notice = parse_detail(fixture("mofcom-2025-18.big5.html"), BIG5_18, "mofcom-zcfb")

    assert notice.language == "zh-Hant"
    assert notice.doc_number == "商務部 海關總署公告2025年第18號"
    assert notice.issuing_unit == "安全與管制局"
    assert notice.published == date(2025, 4, 4)


def test_traditional_labels_alone_mean_zh_hant() -> None:
    page = fixture("mofcom-2025-18.big5.html").replace('lang="zh-TW"', "")
    notice = parse_detail(page, WWW_18, "s")
    assert notice.language == "zh-Hant"


def test_english_page() -> None:
    notice = parse_detail(fixture("mofcom-2025-18.en.html"), EN_18, "mofcom-zcfb")

    assert notice.language == "en"
    # no ArticleTitle meta: the art-title box is the fallback
    assert notice.title.startswith("MOFCOM GAC Announcement No. 18 of 2025 on Export Controls")
    assert notice.doc_number == "MOFCOM GAC Announcement No. 18 of 2025"
    assert notice.issuing_unit == "Bureau of Industry Security, Import and Export Control"
    assert notice.published == date(2025, 4, 4)
    assert notice.attachments[0].url.endswith(
        "7a6b5c4d3e2f40118293a4b5c6d7e8f9.pdf?fileName=Annex%201.pdf"
    )
    assert notice.attachments[0].name == "Annex 1 List of items"


def test_english_labels_on_another_host_mean_en() -> None:
    notice = parse_detail(fixture("mofcom-2025-18.en.html"), WWW_18, "s")
    assert notice.language == "en"


def test_table_rows_become_one_line_each() -> None:
    url = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_b1ec77dd3f0d4762952904df7cdaadec.html"
    notice = parse_detail(fixture("mofcom-2025-70.html"), url, "mofcom-zcfb")

    assert "公告 | 内容" in notice.text.split("\n")
    assert "2025年第57号 | 钬、铒、铥、铕、镱相关物项（1C909至1C913）" in notice.text.split("\n")
    assert notice.published_at == datetime(2025, 11, 7, 19, 40, tzinfo=BEIJING)
    assert notice.doc_number == "商务部 海关总署公告2025年第70号"
    assert notice.attachments == ()


def test_missing_body_container_is_a_layout_error() -> None:
    page = fixture("mofcom-2025-18.html").replace(
        'class="art-con art-con-bottonmLine" ergodic="article"', 'class="content"'
    )
    with pytest.raises(ParseError) as caught:
        parse_detail(page, WWW_18, "s")
    assert caught.value.reason == "layout"
    assert caught.value.url == WWW_18


def test_fixed_typo_or_ergodic_only_still_parses() -> None:
    fixed = fixture("mofcom-2025-18.html").replace(
        'class="art-con art-con-bottonmLine" ergodic="article"',
        'class="art-con art-con-bottomLine"',
    )
    ergodic_only = fixture("mofcom-2025-18.html").replace(
        'class="art-con art-con-bottonmLine" ergodic="article"', 'class="article" ergodic="article"'
    )
    for page in (fixed, ergodic_only):
        assert parse_detail(page, WWW_18, "s").doc_number == "商务部 海关总署公告2025年第18号"


def test_title_falls_back_to_title_tag_without_site_suffix() -> None:
    page = """<html><head><title>
    商务部公告2025年第61号 公布对境外相关稀土物项实施出口管制的决定_中华人民共和国商务部
    </title></head><body><div class="art-con"><p>【发布文号】商务部公告2025年第61号</p>
    <p>【发文日期】2025年10月09日</p></div></body></html>"""
    notice = parse_detail(page, WWW_18, "s")
    assert notice.title == "商务部公告2025年第61号 公布对境外相关稀土物项实施出口管制的决定"
    # no PubDate meta: the date comes from the header line, no time known
    assert notice.published == date(2025, 10, 9)
    assert notice.published_at is None
    assert notice.issuing_unit is None


def test_header_lines_in_one_paragraph_and_legacy_date_label() -> None:
    page = """<html><body><div class="art-con"><p>【发布单位】安全与管制局<br>
    【发布文号】商务部公告2025年第62号 【发布日期】2025年10月09日</p>
    <p>正文</p></div></body></html>"""
    notice = parse_detail(page, WWW_18, "s")
    assert notice.issuing_unit == "安全与管制局"
    assert notice.doc_number == "商务部公告2025年第62号"
    assert notice.published == date(2025, 10, 9)


def test_whitespace_inside_doc_number_is_collapsed() -> None:
    page = """<html><body><div class="art-con"><p>【发布文号】 商务部\u3000\u3000海关总署公告
    2025年第57号 </p></div></body></html>"""
    assert parse_detail(page, WWW_18, "s").doc_number == "商务部 海关总署公告 2025年第57号"


def test_news_page_without_header_lines() -> None:
    page = """<html><head>
    <meta name="ArticleTitle" content="商务部新闻发言人就稀土相关问题答记者问">
    <meta name="pubdate" content="2025-10-09 20:15"></head>
    <body><div class="art-con"><p>问：……</p><p>答：……</p></div></body></html>"""
    notice = parse_detail(page, WWW_18, "s")
    assert notice.doc_number is None and notice.issuing_unit is None
    assert notice.published_at == datetime(2025, 10, 9, 20, 15, tzinfo=BEIJING)
    assert notice.text == "问：……\n答：……"


def test_attachment_by_link_text_and_extension_and_dedup() -> None:
    page = """<html><body><div class="art-con">
    <p><a href="list.xlsx">清单</a> <a href="../files/notice.doc">附件2 说明</a></p>
    <p><a href="list.xlsx">清单</a> <a href="/zwgk/zcfb/index.html">返回</a>
    <a href="javascript:void(0)">打印</a></p></div></body></html>"""
    notice = parse_detail(page, "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/art/2025/a.html", "s")
    assert [a.url for a in notice.attachments] == [
        "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/art/2025/list.xlsx",
        "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/art/files/notice.doc",
    ]


@pytest.mark.parametrize(
    "page",
    [
        "",
        "<html>",
        "not html at all",
        "<div class='art-con'></div>",
        "<div class='art-con'><p>【发布文号】</p>"
        "<meta name='PubDate' content='2025-13-45 99:99'></div>",
    ],
)
def test_odd_input_never_raises_anything_but_layout(page: str) -> None:
    try:
        notice = parse_detail(page, WWW_18, "s")
    except ParseError as error:
        assert error.reason == "layout"
    else:
        assert notice.doc_number is None
        assert notice.published is None


def test_a_detail_page_nested_thousands_deep_is_read() -> None:
    body = "<div>" * 1500 + "<p>【发布文号】商务部公告2025年第62号</p><p>稀土相关技术</p>"
    html = (
        f"<html><head><title>t</title></head><body><div class='art-con'>{body}</div></body></html>"
    )
    notice = parse_detail(
        html, "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/a.html", "mofcom-zcfb"
    )
    assert notice.doc_number == "商务部公告2025年第62号"
    assert notice.text.endswith("稀土相关技术")
