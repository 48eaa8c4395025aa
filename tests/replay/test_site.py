"""Fetcher + MofcomJpaasAdapter against a live ReplaySite on 127.0.0.1 (real sockets)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

import monitor.adapters.mofcom_jpaas as jpaas
from monitor.adapters.base import SourceState
from monitor.adapters.mofcom_detail import parse_detail
from monitor.adapters.mofcom_jpaas import MofcomJpaasAdapter
from monitor.errors import FetchError, ParseError
from monitor.fetch.client import Fetcher
from monitor.models import SourceDef
from monitor.replay import ReplaySite, render_detail_page

INDEX = "https://www.mofcom.gov.cn/zwgk/zcfb/index.html"
BEIJING = dt.timezone(dt.timedelta(hours=8))
FIRST_DAY = dt.date(2025, 1, 6)


def url_of(n: int) -> str:
    return f"https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_{n:032x}.html"


def page_of(n: int, extra: str = "") -> str:
    day = FIRST_DAY + dt.timedelta(days=n)
    return render_detail_page(
        f"商务部公告2025年第{n}号", f"商务部公告2025年第{n}号", "安全与管制局",
        dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=BEIJING),
        [f"第{n}号公告正文。{extra}", "本公告自发布之日起实施。"],
    )  # fmt: skip


def publish(site: ReplaySite, n: int) -> str:
    site.publish(url_of(n), page_of(n), title=f"商务部公告2025年第{n}号",
                 date=FIRST_DAY + dt.timedelta(days=n))  # fmt: skip
    return url_of(n)


@pytest.fixture
def site() -> Iterator[ReplaySite]:
    with ReplaySite() as running:
        yield running


@pytest.fixture
def source(site: ReplaySite) -> SourceDef:
    return SourceDef(
        id="mofcom-zcfb", name="zcfb", kind="mofcom-jpaas", url=INDEX, interval_s=900,
        base_url=site.base_url,
        options={"web_id": "8f43c7ad3afc411fb56f281724b73708",
                 "tpl_set_id": "52551ea0e2c14bca8c84792f7aa37ead",
                 "page_id": "fc8bdff48fa345a48b651c1285b70b8f"},
    )  # fmt: skip


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(politeness_s=0, retries=2, backoff_base_s=0) as f:
        yield f


def api_pages(site: ReplaySite) -> list[int]:
    return [
        json.loads(parse_qs(urlsplit(r.path).query)["paramJson"][0])["pageNo"]
        for r in site.requests
        if r.path.startswith(jpaas.LIST_API_PATH)
    ]


def test_first_poll_then_unchanged_then_new(
    site: ReplaySite, source: SourceDef, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(1, 61):  # 4 pages of 15
        publish(site, n)
    adapter = MofcomJpaasAdapter()
    first = adapter.poll(source, fetcher, SourceState(first_run=True))
    assert api_pages(site) == [1, 2, 3]
    assert len(first.notices) == 45 and first.notices[0].url == url_of(60)
    assert first.notices[0].text.split("\n")[3] == "第60号公告正文。"

    known = frozenset(i.url for i in first.listed)
    state = SourceState(first_run=False, known_urls=known, list_validators=first.list_validators)
    site.clear_requests()
    with monkeypatch.context() as patched:
        patched.setattr(jpaas, "parse_list_answer", _must_not_run)
        patched.setattr(jpaas, "parse_detail", _must_not_run)
        unchanged = adapter.poll(source, fetcher, state)
    assert unchanged.unchanged
    assert len(site.requests) == 1 and unchanged.requests == 1
    again = adapter.poll(source, fetcher, state)
    assert again.unchanged
    # the 304s left the kept-alive connection reusable: both polls used one TCP connection
    assert len({r.peer for r in site.requests}) == 1 and len(site.requests) == 2

    publish(site, 61)
    site.clear_requests()
    changed = adapter.poll(source, fetcher, state)
    assert api_pages(site) == [1]
    assert [n.url for n in changed.notices] == [url_of(61)]
    assert changed.notices[0].doc_number == "商务部公告2025年第61号"


def _must_not_run(*args: object, **kwargs: object) -> None:
    raise AssertionError("parsed during an unchanged poll")


def test_paging_stops_at_known_items_and_backfill(
    site: ReplaySite, source: SourceDef, fetcher: Fetcher
) -> None:
    for n in range(1, 91):
        publish(site, n)
    adapter = MofcomJpaasAdapter()
    state = SourceState(first_run=False, known_urls=frozenset(url_of(n) for n in range(1, 71)))
    result = adapter.poll(source, fetcher, state)
    assert api_pages(site) == [1, 2]  # page 2 (days 75..61) holds known items
    assert [n.url for n in result.notices] == [url_of(n) for n in range(90, 70, -1)]

    site.clear_requests()
    since = FIRST_DAY + dt.timedelta(days=40)
    backfill = adapter.poll(source, fetcher, SourceState(first_run=True), since=since)
    assert api_pages(site) == [1, 2, 3, 4]  # page 4 (days 45..31) reaches past `since`
    assert [n.url for n in backfill.notices] == [url_of(n) for n in range(90, 39, -1)]


@pytest.mark.parametrize(
    ("mode", "path_prefix", "error", "reason"),
    [
        ("412", None, FetchError, "challenge"),
        ("521", None, FetchError, "challenge"),
        ("202-empty", None, FetchError, "empty_body"),
        ("empty-body", None, FetchError, "empty_body"),
        ("bad-envelope", None, FetchError, "bad_envelope"),
        ("no-body-container", jpaas.LIST_API_PATH, ParseError, "layout"),
        ("no-body-container", "/zwgk/zcfb/art/", ParseError, "layout"),
        ("truncated", None, FetchError, "truncated"),
        ("truncated", "/zwgk/zcfb/art/", FetchError, "truncated"),
        ("500", None, FetchError, "http_status"),
        ("reset", None, FetchError, "connect"),
    ],
)
def test_fault_modes_fail_the_poll_with_their_reason(
    site: ReplaySite, source: SourceDef, fetcher: Fetcher,
    mode: str, path_prefix: str | None, error: type[Exception], reason: str,
) -> None:  # fmt: skip
    publish(site, 1)
    site.set_fault(mode, path_prefix=path_prefix)
    with pytest.raises(error) as caught:
        MofcomJpaasAdapter().poll(source, fetcher, SourceState(first_run=True))
    assert getattr(caught.value, "reason", None) == reason


def test_retries_recover_from_a_reset_first_connection(
    site: ReplaySite, source: SourceDef, fetcher: Fetcher
) -> None:
    publish(site, 1)
    site.set_fault("reset", count=1)
    result = MofcomJpaasAdapter().poll(source, fetcher, SourceState(first_run=True))
    assert len(result.notices) == 1
    assert len(site.requests) == 3  # reset API call, API again, detail


def test_gbk_page_is_decoded(site: ReplaySite, source: SourceDef, fetcher: Fetcher) -> None:
    site.publish(url_of(1), page_of(1, "朱镕基"), title="t", date=FIRST_DAY)
    site.set_fault("gbk", path_prefix="/zwgk/zcfb/art/")
    page = fetcher.get(source, url_of(1))
    assert page.headers["content-type"] == "text/html; charset=gb2312"
    assert b'<meta charset="gb2312">' in page.body
    assert "第1号公告正文。朱镕基" in parse_detail(page.text, url_of(1), "s").text


def test_conditional_get_on_pages_revise_and_withdraw(
    site: ReplaySite, source: SourceDef, fetcher: Fetcher
) -> None:
    from monitor.models import Validators

    publish(site, 1)
    first = fetcher.get(source, url_of(1))
    again = fetcher.get(source, url_of(1), validators=Validators(first.etag, sha256=first.sha256))
    assert again.not_modified and again.sha256 == first.sha256
    by_date = fetcher.get(source, url_of(1), validators=Validators(None, first.last_modified))
    assert by_date.not_modified

    site.revise(url_of(1), page_of(1, "修订。"))
    revised = fetcher.get(source, url_of(1), validators=Validators(first.etag))
    assert revised.status == 200 and "修订。" in revised.text

    site.withdraw(url_of(1))
    with pytest.raises(FetchError) as caught:
        fetcher.get(source, url_of(1))
    assert caught.value.reason == "http_status"


def test_fault_count_and_prefix(site: ReplaySite, source: SourceDef, fetcher: Fetcher) -> None:
    publish(site, 1)
    site.set_fault("500", path_prefix="/zwgk/zcfb/art/", count=2)
    fetcher.get(source, INDEX)  # other prefix: untouched, not counted
    page = fetcher.get(source, url_of(1))  # 2 failures, then the retry succeeds
    assert page.status == 200
    assert [r.path for r in site.requests].count(urlsplit(url_of(1)).path) == 3


def test_shell_feed_and_unknown_paths(site: ReplaySite) -> None:
    site.add_rss_item(title="t", link="https://www.globaltimes.cn/a", published=dt.datetime(
        2025, 11, 9, tzinfo=dt.UTC))  # fmt: skip
    with httpx.Client(base_url=site.base_url) as client:
        shell = client.get("/zwgk/zcfb/index.html")
        feed = client.get("/rss/china.xml")
        missing = client.get("/nothing.html")
        aq = client.get("/flzc/gzjgfxwj/index.html")
    assert "8f43c7ad3afc411fb56f281724b73708" in shell.text and shell.text.rstrip().endswith(
        "</html>"
    )
    assert "信息列表" in aq.text
    assert feed.headers["content-type"].startswith("application/rss+xml")
    assert "<link>https://www.globaltimes.cn/a</link>" in feed.text
    assert missing.status_code == 404
    assert int(shell.headers["content-length"]) == len(shell.content)


def test_bad_arguments(site: ReplaySite) -> None:
    with pytest.raises(ValueError):
        site.set_fault("teapot")
    with pytest.raises(ValueError):
        site.publish(url_of(1), "<html></html>", title="t", date=FIRST_DAY, column="nope")


def test_concurrent_clients_are_served(site: ReplaySite, source: SourceDef) -> None:
    for n in range(1, 4):
        publish(site, n)
    errors: list[BaseException] = []

    def worker(fetcher: Fetcher) -> None:
        try:
            for _ in range(5):
                MofcomJpaasAdapter().poll(source, fetcher, SourceState(first_run=True))
        except BaseException as error:  # collected for the main thread
            errors.append(error)

    with Fetcher(politeness_s=0, retries=0) as shared:
        threads = [threading.Thread(target=worker, args=(shared,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(site.requests) == 8 * 5 * 4


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant", "en"])
def test_render_detail_page_round_trips_through_parse_detail(language: str) -> None:
    page = render_detail_page(
        "Title", "No. 18", "Unit", dt.datetime(2025, 4, 4, 10, 0, tzinfo=dt.UTC),
        ["One.", "Two."], [("/cms_files/a.pdf", "List")], language=language,
    )  # fmt: skip
    notice = parse_detail(page, url_of(18), "s")
    assert (notice.title, notice.doc_number, notice.issuing_unit) == ("Title", "No. 18", "Unit")
    assert notice.published_at == dt.datetime(2025, 4, 4, 18, 0, tzinfo=BEIJING)
    assert notice.language == language
    assert [a.name for a in notice.attachments] == ["List"]


def test_stop_is_idempotent_and_base_url_needs_start() -> None:
    site = ReplaySite()
    with pytest.raises(RuntimeError):
        _ = site.base_url
    site.start()
    url: Any = site.base_url
    assert url.startswith("http://127.0.0.1:")
    site.stop()
    site.stop()
