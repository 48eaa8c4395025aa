"""html-list: items by CSS selectors, paging by pattern, English detail pages, faults."""

from __future__ import annotations

import datetime as dt

import pytest

from monitor.adapters.base import SourceState
from monitor.adapters.html_list import HtmlListAdapter, check_options, page_url
from monitor.errors import ConfigError, FetchError, ParseError
from monitor.replay.html_lists import GACC_STYLE, ListSite, ListSpec
from monitor.replay.mofcom_pages import render_detail_page
from tests.adapters.sources_support import fetcher_for, source

GACC_LIST = "/customs/302249/302266/302267/index.html"
GACC = source("html-list", f"http://www.customs.gov.cn{GACC_LIST}", item="ul.conList_ul li",
              page_url="2011fa33-{n}.html", first_run_pages=5, max_pages=3)  # fmt: skip
EN_LIST = "/Policies/AnnouncementsOrders/index.html"
ENGLISH = source("html-list", f"https://english.mofcom.gov.cn{EN_LIST}", item="ul.txtList_01 li",
                 detail="mofcom", language="en")  # fmt: skip
ADAPTER = HtmlListAdapter()


def gacc_site(items: int) -> ListSite:
    site = ListSite("gacc", [ListSpec(GACC_LIST, "2011fa33-{n}.html", GACC_STYLE, page_size=4)])
    for n in range(1, items + 1):
        site.publish(GACC_LIST, f"http://www.customs.gov.cn/customs/302249/302266/302267/"
                     f"{6432100 + n}/index.html", f"海关总署公告2025年第{n}号（关于发布进出口商品编号的公告）",
                     dt.date(2025, 1, n))  # fmt: skip
    return site


def test_items_titles_links_and_dates_are_read_by_selector() -> None:
    result = ADAPTER.poll(GACC, fetcher_for(gacc_site(3)), SourceState(first_run=True))
    first = result.notices[0]
    assert first.url == "http://www.customs.gov.cn/customs/302249/302266/302267/6432103/index.html"
    assert first.title == "海关总署公告2025年第3号（关于发布进出口商品编号的公告）"
    assert first.published == dt.date(2025, 1, 3) and first.language == "zh-Hans"
    # page 2 answers 404 (the end of the list); no detail pages with detail = "none"
    assert result.requests == 2


def test_pages_follow_the_pattern_until_the_site_has_no_more() -> None:
    site = gacc_site(10)  # pages of 4: 4 + 4 + 2
    result = ADAPTER.poll(GACC, fetcher_for(site), SourceState(first_run=True))
    assert len(result.listed) == 10 and result.requests == 3
    assert [r.target for r in site.requests][1:] == [
        "/customs/302249/302266/302267/2011fa33-2.html",
        "/customs/302249/302266/302267/2011fa33-3.html",
    ]
    assert result.window_start == dt.date(2025, 1, 1)  # the short page 3 ends the list
    assert (
        page_url(GACC, 2)
        == "http://www.customs.gov.cn/customs/302249/302266/302267/2011fa33-2.html"
    )


def test_past_the_last_page_a_404_ends_the_list() -> None:
    site = gacc_site(8)  # exactly two full pages: page 3 answers 404
    result = ADAPTER.poll(GACC, fetcher_for(site), SourceState(first_run=True))
    assert len(result.listed) == 8 and result.requests == 3
    assert result.window_start == dt.date(2025, 1, 1)  # the whole list was read


def test_an_unchanged_list_is_one_conditional_request() -> None:
    site = gacc_site(3)
    fetcher = fetcher_for(site)
    first = ADAPTER.poll(GACC, fetcher, SourceState(first_run=True))
    again = ADAPTER.poll(GACC, fetcher, SourceState(
        first_run=False, known_urls=frozenset(i.url for i in first.listed),
        list_validators=first.list_validators))  # fmt: skip
    assert again.unchanged and again.requests == 1
    assert site.requests[-1].headers.get("if-none-match")


def test_english_detail_pages_are_read_as_english_copies() -> None:
    site = ListSite("english", [ListSpec(EN_LIST, "index_{n}.html")])
    url = "https://english.mofcom.gov.cn/Policies/AnnouncementsOrders/art/2025/art_3f2a.html"
    page = render_detail_page(
        "MOFCOM Announcement No. 61 of 2025 on Export Controls on Relevant Overseas Rare "
        "Earth Items", "MOFCOM Announcement No. 61 of 2025", "Department of Security and Control",
        dt.datetime(2025, 10, 9, 9, 30), ["Export controls apply to overseas rare earth items."],
        language="en",
    )  # fmt: skip
    site.publish(EN_LIST, url, "MOFCOM Announcement No. 61 of 2025", dt.date(2025, 10, 9), page)
    result = ADAPTER.poll(ENGLISH, fetcher_for(site), SourceState(first_run=True))
    (notice,) = result.notices
    assert notice.language == "en" and notice.url == url
    assert notice.title.startswith("MOFCOM Announcement No. 61 of 2025")
    assert result.requests == 2  # the list, the detail page


@pytest.mark.parametrize(
    ("fault", "error"),
    [("412", FetchError), ("202-empty", FetchError), ("mojibake", FetchError), ("500", FetchError)],
)
def test_faults_are_source_failures(fault: str, error: type[Exception]) -> None:
    site = gacc_site(2)
    site.set_fault(fault)
    with pytest.raises(error):
        ADAPTER.poll(GACC, fetcher_for(site), SourceState(first_run=True))


def test_a_page_without_items_is_a_layout_failure() -> None:
    with pytest.raises(ParseError, match="layout"):
        ADAPTER.poll(GACC, fetcher_for(gacc_site(0)), SourceState(first_run=True))


def test_a_mislabelled_charset_still_reads_the_same_titles() -> None:
    site = gacc_site(2)
    clean = ADAPTER.poll(GACC, fetcher_for(site), SourceState(first_run=True))
    for fault in ("gbk-label", "gbk-body"):
        site.set_fault(fault)
        assert ADAPTER.poll(GACC, fetcher_for(site), SourceState(first_run=True)).listed == (
            clean.listed
        )


@pytest.mark.parametrize(
    ("options", "key"),
    [({}, "item"), ({"item": "ul >> li"}, "item"), ({"item": "li", "date": 3}, "date"),
     ({"item": "li", "page_url": "p{x}.html"}, "page_url"), ({"item": "li", "detail": "www"},
     "detail"), ({"item": "li", "language": "fr"}, "language"),
     ({"item": "li", "max_pages": 0}, "max_pages")],
)  # fmt: skip
def test_bad_options_name_the_key(options: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_options(options)
    assert caught.value.key == key
