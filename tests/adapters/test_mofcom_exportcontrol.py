"""exportcontrol's column API: rows as notices, paging, the unchanged hash, its traps."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from monitor.adapters.base import SourceState
from monitor.adapters.mofcom_exportcontrol import (
    API_PATH,
    MofcomExportcontrolAdapter,
    check_options,
)
from monitor.errors import ConfigError, FetchError
from monitor.fetch.client import Fetcher
from monitor.replay.exportcontrol import ExportControlSite
from tests.adapters.sources_support import fetcher_for, source

URL = "https://exportcontrol.mofcom.gov.cn/article/zcfg/gnzcfg/zcfggzqd/index.html"
SOURCE = source("mofcom-exportcontrol", URL, column_id=9, first_run_pages=3)
ADAPTER = MofcomExportcontrolAdapter()


def site_with(rows: int, column: int = 9) -> ExportControlSite:
    site = ExportControlSite()
    for n in range(1, rows + 1):
        site.publish(
            column, f"/article/zcfg/gnzcfg/zcfggzqd/2025{n % 12 + 1:02d}/{4000 + n}.html",
            f"商务部公告2025年第{n}号 关于两用物项出口管制的公告",
            dt.date(2025, n % 12 + 1, 1 + n % 27), [f"第{n}号公告正文：对相关物项实施出口管制。"],
        )  # fmt: skip
    return site


def test_rows_become_notices_with_their_text_and_real_urls() -> None:
    site = site_with(1)
    result = ADAPTER.poll(SOURCE, fetcher_for(site), SourceState(first_run=True))
    (notice,) = result.notices
    assert (
        notice.url
        == "https://exportcontrol.mofcom.gov.cn/article/zcfg/gnzcfg/zcfggzqd/202502/4001.html"
    )
    assert notice.title.startswith("商务部公告2025年第1号")
    assert "对相关物项实施出口管制" in notice.text
    assert notice.published == dt.date(2025, 2, 2)
    (request,) = site.requests
    assert request.method == "POST" and request.target == API_PATH
    assert request.body == b"pageNumber=1&columnID=9&title="
    assert request.headers["x-requested-with"] == "XMLHttpRequest"


def test_an_unchanged_first_page_is_one_request_and_nothing_parsed() -> None:
    site = site_with(3)
    fetcher = fetcher_for(site)
    first = ADAPTER.poll(SOURCE, fetcher, SourceState(first_run=True))
    again = ADAPTER.poll(
        SOURCE, fetcher, SourceState(first_run=False, list_validators=first.list_validators)
    )
    assert again.unchanged and again.requests == 1 and not again.notices


def test_pages_are_read_on_the_baseline_then_while_everything_is_new() -> None:
    site = site_with(45)  # three pages of 20
    fetcher = fetcher_for(site)
    first = ADAPTER.poll(SOURCE, fetcher, SourceState(first_run=True))
    assert first.requests == 3 and len(first.listed) == 45
    assert first.window_start == min(i.published for i in first.listed if i.published)
    known = frozenset(i.url for i in first.listed)
    site.publish(9, "/article/zcfg/gnzcfg/zcfggzqd/202512/5000.html",
                 "商务部公告2025年第70号 暂停实施相关出口管制措施", dt.date(2025, 12, 30), ["暂停实施。"])  # fmt: skip
    later = ADAPTER.poll(SOURCE, fetcher, SourceState(first_run=False, known_urls=known,
                                                      list_validators=first.list_validators))  # fmt: skip
    assert later.requests == 1
    assert [n.title for n in later.notices] == ["商务部公告2025年第70号 暂停实施相关出口管制措施"]


def test_without_the_xhr_headers_the_site_answers_question_marks_a_failure() -> None:
    site = site_with(2)

    def strip_headers(request: httpx.Request) -> httpx.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() != "x-requested-with"}
        answer = site.answer_post(request.url.raw_path.decode(), headers, request.read())
        return httpx.Response(answer.status, content=answer.body,
                              headers={"content-type": answer.content_type})  # fmt: skip

    fetcher = Fetcher(transport=httpx.MockTransport(strip_headers), politeness_s=0, retries=0)
    with pytest.raises(FetchError) as caught:
        ADAPTER.poll(SOURCE, fetcher, SourceState(first_run=True))
    assert caught.value.reason == "mojibake"


@pytest.mark.parametrize(
    ("fault", "reason"),
    [("success-false", "bad_envelope"), ("mojibake", "mojibake"), ("412", "challenge"),
     ("202-empty", "empty_body")],
)  # fmt: skip
def test_faults_are_source_failures(fault: str, reason: str) -> None:
    site = site_with(2)
    site.set_fault(fault)
    with pytest.raises(FetchError) as caught:
        ADAPTER.poll(SOURCE, fetcher_for(site), SourceState(first_run=True))
    assert caught.value.reason == reason


def test_an_empty_column_is_a_failure_not_no_change() -> None:
    with pytest.raises(FetchError, match="bad_envelope"):
        ADAPTER.poll(SOURCE, fetcher_for(ExportControlSite()), SourceState(first_run=True))


@pytest.mark.parametrize(
    ("options", "key"),
    [({}, "column_id"), ({"column_id": True}, "column_id"), ({"column_id": 9, "page_size": 0},
     "page_size"), ({"column_id": 9, "api_path": ""}, "api_path"),
     ({"column_id": 9, "fetch": "browser"}, "fetch")],
)  # fmt: skip
def test_bad_options_name_the_key(options: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_options(options)
    assert caught.value.key == key
