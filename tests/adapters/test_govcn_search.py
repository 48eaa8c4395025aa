"""The gov.cn policy-library search: hits in both envelope shapes, numbers, faults."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from monitor.adapters.base import SourceState
from monitor.adapters.govcn_search import GovcnSearchAdapter, check_options, parse_hits
from monitor.errors import ConfigError, FetchError
from monitor.models import Page
from monitor.replay.searches import GovcnSearchSite, PolicyHit
from tests.adapters.sources_support import fetcher_for, source

SOURCE = source("govcn-search", "https://sousuo.www.gov.cn/search-gov/data", query="出口管制")
ADAPTER = GovcnSearchAdapter()
N18 = PolicyHit("商务部 海关总署公告2025年第18号 关于对部分中重稀土相关物项实施出口管制的决定",
                "https://www.gov.cn/zhengce/zhengceku/202504/content_7017523.htm",
                "商务部 海关总署", "商务部 海关总署公告2025年第18号", dt.date(2025, 4, 4))  # fmt: skip


def test_hits_carry_their_number_issuer_and_date() -> None:
    site = GovcnSearchSite()
    site.publish(N18)
    result = ADAPTER.poll(SOURCE, fetcher_for(site), SourceState(first_run=True))
    (notice,) = result.notices
    assert "<em>" not in notice.title and notice.title.startswith("商务部 海关总署公告2025年第18号")
    assert notice.doc_number == "商务部 海关总署公告2025年第18号"
    assert notice.published == dt.date(2025, 4, 4)
    assert notice.url == N18.url
    assert site.requests[0].target.startswith(
        "/search-gov/data?t=zhengcelibrary_bm&q=%E5%87%BA%E5%8F%A3%E7%AE%A1%E5%88%B6&p=1&n=20"
    )
    again = ADAPTER.poll(SOURCE, fetcher_for(site), SourceState(
        first_run=False, list_validators=result.list_validators))  # fmt: skip
    assert again.unchanged and again.requests == 1


def test_a_flat_list_and_a_millisecond_date_are_read_too() -> None:
    answer = {"code": 200, "searchVO": {"listVO": [
        {"title": "国务院关于修订出口管制条例的决定", "url": "https://www.gov.cn/zhengce/content/1.htm",
         "pcode": "", "puborg": "国务院", "pubtime": 1759971600000},
        {"title": "", "url": "https://www.gov.cn/x.htm"}, "not a hit"]}}  # fmt: skip
    page = Page(url="u", final_url="u", status=200, headers={}, body=b"",
                text=json.dumps(answer, ensure_ascii=False), fetched_at=dt.datetime.now(dt.UTC),
                sha256="")  # fmt: skip
    (notice,) = parse_hits(page, SOURCE)
    assert notice.published == dt.date(2025, 10, 9) and notice.doc_number is None


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("success-false", "bad_envelope"),
        ("202-empty", "empty_body"),
        ("412", "challenge"),
        ("mojibake", "mojibake"),
    ],
)
def test_faults_are_source_failures(fault: str, reason: str) -> None:
    site = GovcnSearchSite()
    site.publish(N18)
    site.set_fault(fault)
    with pytest.raises(FetchError) as caught:
        ADAPTER.poll(SOURCE, fetcher_for(site), SourceState(first_run=True))
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("options", "key"),
    [({}, "query"), ({"query": ""}, "query"), ({"query": "x", "library": "web"}, "library")],
)
def test_bad_options_name_the_key(options: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_options(options)
    assert caught.value.key == key
