from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from monitor.detect.identity import alias_target, build_notice, read_facts
from monitor.models import RawNotice


def raw(
    title: str, text: str, url: str = "https://www.mofcom.gov.cn/xwfb/rcxwfb/art/2025/art_1.html"
) -> RawNotice:
    return RawNotice(source_id="s", url=url, title=title, text=text, published=date(2025, 11, 8))


def test_news_is_an_alias_of_the_notice_its_title_names() -> None:
    news = raw(
        "商务部新闻发言人就商务部公告2025年第70号答记者问", "正文提到商务部公告2025年第61号。"
    )
    facts = read_facts(news)
    stored = {"MOFCOM-2025-70", "MOFCOM-2025-61"}
    asked: list[list[str]] = []

    def known(keys: Iterable[str]) -> set[str]:
        asked.append(list(keys))
        return stored & set(asked[-1])

    assert alias_target(facts, news, known) == "MOFCOM-2025-70"
    assert asked == [["MOFCOM-2025-70"]]  # one look-up: the notice it reports
    assert alias_target(facts, news, lambda keys: set()) is None
    text_only = raw("商务部新闻发言人答记者问", "正文提到商务部公告2025年第61号。")
    assert alias_target(read_facts(text_only), text_only, known) == "MOFCOM-2025-61"


def test_pages_with_their_own_number_are_never_aliases() -> None:
    page = RawNotice(
        source_id="s",
        url="https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_2.html",
        title="商务部公告2025年第62号 公布对稀土相关技术实施出口管制的决定",
        text="【发布文号】商务部公告2025年第62号\n依据商务部公告2025年第61号……",
        doc_number="商务部公告2025年第62号",
    )
    facts = read_facts(page)
    assert alias_target(facts, page, lambda keys: {"MOFCOM-2025-61"}) is None
    notice = build_notice(page, facts, acted_on=lambda _key: None)
    assert notice.doc_key == "MOFCOM-2025-62"


def test_unnumbered_pages_are_keyed_by_url() -> None:
    page = raw("稀土通用许可首批获批", "多家企业获得通用许可。")
    notice = build_notice(page, read_facts(page), acted_on=lambda _key: None)
    assert notice.doc_key == page.url and notice.urls == (page.url,)


def test_news_naming_a_joint_notice_finds_the_key_it_is_stored_under() -> None:
    # An unlisted co-issuer (国家原子能机构) does not move the notice out of MOFCOM's series.
    news = raw(
        "商务部新闻发言人答记者问", "商务部 国家原子能机构 海关总署公告2025年第5号今日起施行。"
    )
    facts = read_facts(news)
    assert alias_target(facts, news, lambda keys: {"MOFCOM-2025-5"} & set(keys)) == (
        "MOFCOM-2025-5"
    )


def test_a_key_the_source_states_beats_a_number_the_text_cites() -> None:
    raw = RawNotice(
        source_id="federal-register-bis",
        url="https://www.federalregister.gov/documents/2025/11/14/2025-21044/rare-earth-magnets",
        title="Controls on Rare Earth Permanent Magnets",
        text="BIS amends the EAR in response to MOFCOM Announcement No. 61 of 2025, and amends "
        "FR Doc. 2025-10001.\nEffective date: 2025-12-01",
        language="en",
        doc_key="FR-2025-21044",
        doc_number="FR Doc. 2025-21044",
        effective_on=date(2025, 12, 1),
    )
    facts = read_facts(raw)
    assert facts.doc_key == "FR-2025-21044" and facts.doc_number == "FR Doc. 2025-21044"
    assert [(e.from_, e.scope) for e in facts.effective] == [(date(2025, 12, 1), "whole notice")]
    assert alias_target(facts, raw, set) is None
    assert all(not a.doc_key.startswith("MOFCOM-") for a in facts.affects)


def test_a_stated_effective_date_never_replaces_dates_the_text_gives() -> None:
    raw = RawNotice(
        source_id="s", url="https://example.gov/n", title="商务部公告2025年第62号",
        text="本公告自2025年10月9日起正式实施。", effective_on=date(2026, 1, 1),
    )  # fmt: skip
    assert [e.from_ for e in read_facts(raw).effective] == [date(2025, 10, 9)]


def test_a_text_reporting_no_notice_is_an_alias_of_the_first_stored_one_it_names() -> None:
    news = raw(
        "稀土通用许可落地",
        "记者\n通用许可今日落地。\n企业欢迎。\n此前商务部公告2025年第18号已实施。",
    )
    facts = read_facts(news)
    assert facts.reports is None and facts.mentions == ("MOFCOM-2025-18",)
    asked: list[list[str]] = []

    def known(keys: Iterable[str]) -> set[str]:
        asked.append(list(keys))
        return {"MOFCOM-2025-18"} & set(asked[-1])

    assert alias_target(facts, news, known) == "MOFCOM-2025-18"
    assert len(asked) == 1


def test_a_report_of_a_notice_not_stored_is_no_alias() -> None:
    news = raw("China pauses MOFCOM Announcement No. 61 of 2025", "Wire\nNo. 61 is paused.")
    facts = read_facts(news)
    assert facts.reports == "MOFCOM-2025-61"
    assert alias_target(facts, news, lambda keys: set()) is None


def test_an_english_page_carries_its_title_as_title_en() -> None:
    page = RawNotice(
        source_id="s",
        url="https://english.mofcom.gov.cn/a.html",
        title=" MOFCOM Announcement No. 61 of 2025 ",
        text="x",
        language="en",
    )
    notice = build_notice(page, read_facts(page), acted_on=lambda _key: None)
    assert notice.title_en == "MOFCOM Announcement No. 61 of 2025"
    chinese = build_notice(raw("标题", "x"), read_facts(raw("标题", "x")), acted_on=lambda k: None)
    assert chinese.title_en is None
