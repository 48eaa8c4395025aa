from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import monitor.adapters.mofcom_jpaas as jpaas
from monitor.adapters.base import SourceState
from monitor.adapters.mofcom_jpaas import (
    JpaasIds,
    MofcomJpaasAdapter,
    list_api_url,
    parse_list_answer,
    parse_shell_ids,
)
from monitor.errors import FetchError, ParseError
from monitor.fetch.client import Fetcher
from monitor.models import SourceDef, Validators
from monitor.replay import ReplaySite, render_detail_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mofcom-zcfb"
INDEX = "https://www.mofcom.gov.cn/zwgk/zcfb/index.html"
API = "https://www.mofcom.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
WWW_IDS = {
    "web_id": "8f43c7ad3afc411fb56f281724b73708",
    "tpl_set_id": "52551ea0e2c14bca8c84792f7aa37ead",
    "page_id": "fc8bdff48fa345a48b651c1285b70b8f",
}
BEIJING = dt.timezone(dt.timedelta(hours=8))
FIRST_DAY = dt.date(2025, 1, 6)


def zcfb(**options: Any) -> SourceDef:
    return SourceDef(
        id="mofcom-zcfb", name="zcfb", kind="mofcom-jpaas", url=INDEX, interval_s=900,
        options={**WWW_IDS, **options},
    )  # fmt: skip


def url_of(n: int) -> str:
    return f"https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_{n:032x}.html"


def publish(site: ReplaySite, n: int, *, day: dt.date | None = None) -> str:
    """Notice n, one per day from FIRST_DAY (so higher n = newer), with one attachment."""
    day = day or FIRST_DAY + dt.timedelta(days=n)
    file = f"/cms_files/filemanager/1077459795/attach/2025{day.month}/{n:032x}.pdf"
    title = f"商务部公告2025年第{n}号 关于稀土相关物项出口管制有关事项的公告"
    page = render_detail_page(
        title, f"商务部公告2025年第{n}号", "安全与管制局",
        dt.datetime(day.year, day.month, day.day, 9, 30, tzinfo=BEIJING),
        [f"第{n}段正文。", "本公告自发布之日起实施。"], [(file, "附件1 物项清单")],
    )  # fmt: skip
    site.publish(url_of(n), page, title=title, date=day)
    site.add_attachment("https://www.mofcom.gov.cn" + file, f"%PDF-1.4 {n}".encode())
    return url_of(n)


@pytest.fixture
def site() -> ReplaySite:
    return ReplaySite()


@pytest.fixture
def fetcher(site: ReplaySite) -> Iterator[Fetcher]:
    with Fetcher(politeness_s=0, retries=1, backoff_base_s=0, transport=site.transport()) as f:
        yield f


def api_pages(site: ReplaySite) -> list[int]:
    pages = []
    for request in site.requests:
        parts = urlsplit(request.path)
        if parts.path.endswith("/build/unit"):
            pages.append(json.loads(parse_qs(parts.query)["paramJson"][0])["pageNo"])
    return pages


def paths(site: ReplaySite, contains: str) -> list[str]:
    return [r.path for r in site.requests if contains in r.path]


# -- pure parts --------------------------------------------------------------------------


def test_list_api_url_is_exactly_the_sites_own() -> None:
    ids = JpaasIds(**WWW_IDS)
    assert list_api_url(INDEX, ids, 1, 15) == (
        f"{API}?parseType=bulidstatic&webId=8f43c7ad3afc411fb56f281724b73708"
        "&tplSetId=52551ea0e2c14bca8c84792f7aa37ead&pageType=column"
        "&tagId=%E5%88%86%E9%A1%B5%E5%88%97%E8%A1%A8&editType=null"
        "&pageId=fc8bdff48fa345a48b651c1285b70b8f"
        "&paramJson=%7B%22pageNo%22%3A1%2C%22pageSize%22%3A15%7D"
    )


def test_parse_list_fixture() -> None:
    listing = parse_list_answer((FIXTURES / "list-page1.json").read_text("utf-8"), API)

    assert listing.count == 2298
    assert len(listing.items) == 6
    no70 = listing.items[1]
    assert no70.url == (
        "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_b1ec77dd3f0d4762952904df7cdaadec.html"
    )
    # the title attribute, not the truncated link text
    assert no70.title == (
        "商务部 海关总署公告2025年第70号 关于暂停实施商务部 海关总署公告2025年第55号等公告的公告"
    )
    assert no70.published == dt.date(2025, 11, 7)
    assert [i.published for i in listing.items][-2:] == [dt.date(2025, 4, 4), dt.date(2025, 2, 4)]


@pytest.mark.parametrize(
    "answer",
    [
        '{"code":200,"success":true,"data":{"html":"<ul class=\\"txtList_01\\"></ul>"}}',
        '{"code":"200","success":"true","data":{"html":""}}',
        '{"code":"500","success":false,"message":"busy"}',
        '{"code":"200","success":true,"data":null}',
        '{"code":"200","success":true,"data":{"html":null}}',
        "[]",
        "<html>not json</html>",
    ],
)
def test_bad_envelopes(answer: str) -> None:
    with pytest.raises(FetchError) as caught:
        parse_list_answer(answer, API)
    assert caught.value.reason == "bad_envelope"


def envelope(markup: str) -> str:
    return json.dumps({"code": "200", "success": True, "data": {"html": markup}})


@pytest.mark.parametrize(
    "markup",
    [
        '<div class="pagination" count="30"></div>',
        '<ul class="txtList_01"></ul><div class="pagination" count="30"></div>',
        '<ul class="txtList_01"><li>no link</li></ul>',
        '<ul class="list"><li><a href="/a.html">a</a></li></ul>',
    ],
)
def test_layout_errors_are_never_no_change(markup: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_list_answer(envelope(markup), API)
    assert caught.value.reason == "layout"


def test_genuinely_empty_column_is_fine() -> None:
    markup = '<ul class="txtList_01"></ul><div class="pagination" count="0"></div>'
    assert parse_list_answer(envelope(markup), API).items == ()


def test_shell_ids() -> None:
    ids = parse_shell_ids((FIXTURES / "index.html").read_text("utf-8"))
    assert ids == {**WWW_IDS, "tag_id": "分页列表", "api_path": jpaas.LIST_API_PATH}
    json_style = '<div queryData=\'{"webId":"w1","pageId":"p1","tplSetId":"t1"}\'></div>'
    assert parse_shell_ids(json_style) == {"web_id": "w1", "page_id": "p1", "tpl_set_id": "t1"}
    assert parse_shell_ids("<html><body>nothing</body></html>") == {}


# -- polling -----------------------------------------------------------------------------


def test_first_run_reads_first_run_pages_and_every_detail(
    site: ReplaySite, fetcher: Fetcher
) -> None:
    for n in range(1, 51):
        publish(site, n)
    result = MofcomJpaasAdapter().poll(
        zcfb(first_run_pages=2), fetcher, SourceState(first_run=True)
    )

    assert not result.unchanged
    assert api_pages(site) == [1, 2]
    assert [item.url for item in result.listed] == [url_of(n) for n in range(50, 20, -1)]
    assert [n.url for n in result.notices] == [url_of(n) for n in range(50, 20, -1)]
    notice = result.notices[0]
    assert notice.doc_number == "商务部公告2025年第50号"
    assert notice.published == FIRST_DAY + dt.timedelta(days=50)
    assert notice.attachments[0].sha256 is not None
    # the oldest date on page 2 may continue on page 3: only the next day is whole
    assert result.window_start == FIRST_DAY + dt.timedelta(days=22)
    assert result.requests == 2 + 30 + 30 == len(site.requests)
    assert result.list_validators.etag and result.list_validators.sha256
    # every request carried the column index as Referer; no XHR header unless asked
    assert {r.headers.get("referer") for r in site.requests} == {INDEX, url_of(50)} | {
        url_of(n) for n in range(21, 50)
    }
    assert all("x-requested-with" not in r.headers for r in site.requests)


def test_unchanged_list_is_one_request_and_parses_nothing(
    site: ReplaySite, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(1, 5):
        publish(site, n)
    adapter = MofcomJpaasAdapter()
    first = adapter.poll(zcfb(), fetcher, SourceState(first_run=True))
    known = frozenset(item.url for item in first.listed)

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed although unchanged")

    monkeypatch.setattr(jpaas, "parse_list_answer", no_parsing)
    monkeypatch.setattr(jpaas, "parse_detail", no_parsing)
    site.clear_requests()
    state = SourceState(first_run=False, known_urls=known, list_validators=first.list_validators)
    result = adapter.poll(zcfb(), fetcher, state)

    assert result.unchanged and result.requests == 1 and len(site.requests) == 1
    assert result.notices == () and result.listed == ()
    assert site.requests[0].headers["if-none-match"] == first.list_validators.etag
    assert result.list_validators.sha256 == first.list_validators.sha256

    # same body without a 304 (no ETag support): the hash alone ends the poll
    site.clear_requests()
    hash_only = SourceState(
        first_run=False,
        known_urls=known,
        list_validators=Validators(sha256=first.list_validators.sha256),
    )
    result = adapter.poll(zcfb(), fetcher, hash_only)
    assert result.unchanged and len(site.requests) == 1


def test_new_notice_is_fetched_and_paging_stops_at_known_items(
    site: ReplaySite, fetcher: Fetcher
) -> None:
    for n in range(1, 41):
        publish(site, n)
    adapter = MofcomJpaasAdapter()
    first = adapter.poll(zcfb(), fetcher, SourceState(first_run=True))
    assert api_pages(site) == [1, 2, 3]

    new = publish(site, 41)
    site.clear_requests()
    state = SourceState(first_run=False, known_urls=frozenset(i.url for i in first.listed),
                        list_validators=first.list_validators)  # fmt: skip
    result = adapter.poll(zcfb(), fetcher, state)

    assert not result.unchanged
    assert api_pages(site) == [1]  # page 1 holds known items: no page 2
    assert [n.url for n in result.notices] == [new]
    assert len(result.listed) == 15
    assert result.requests == 3  # list, detail, attachment


def test_pages_further_while_every_item_is_new(site: ReplaySite, fetcher: Fetcher) -> None:
    for n in range(1, 21):
        publish(site, n)
    adapter = MofcomJpaasAdapter()
    first = adapter.poll(zcfb(first_run_pages=1), fetcher, SourceState(first_run=True))
    known = frozenset(item.url for item in first.listed)  # 6..20
    for n in range(21, 41):  # 20 new: page 1 all new, page 2 has 5 new + known
        publish(site, n)
    site.clear_requests()
    result = adapter.poll(zcfb(), fetcher, SourceState(first_run=False, known_urls=known))

    assert api_pages(site) == [1, 2]
    assert [n.url for n in result.notices] == [url_of(n) for n in range(40, 20, -1)]


def test_max_pages_bounds_incremental_paging(site: ReplaySite, fetcher: Fetcher) -> None:
    for n in range(1, 61):
        publish(site, n)
    state = SourceState(first_run=False, known_urls=frozenset({url_of(1)}))
    MofcomJpaasAdapter().poll(zcfb(max_pages=2, fetch_attachments=False), fetcher, state)
    assert api_pages(site) == [1, 2]


def test_recheck_reads_page_one_details_without_validators(
    site: ReplaySite, fetcher: Fetcher
) -> None:
    for n in range(1, 4):
        publish(site, n)
    adapter = MofcomJpaasAdapter()
    first = adapter.poll(zcfb(), fetcher, SourceState(first_run=True))
    site.clear_requests()
    state = SourceState(
        first_run=False, known_urls=frozenset(i.url for i in first.listed),
        list_validators=first.list_validators, recheck_due=True,
    )  # fmt: skip
    result = adapter.poll(zcfb(fetch_attachments=False), fetcher, state)

    assert not result.unchanged
    assert "if-none-match" not in site.requests[0].headers
    assert [n.url for n in result.notices] == [url_of(3), url_of(2), url_of(1)]


def test_backfill_walks_back_to_since_with_progress(site: ReplaySite, fetcher: Fetcher) -> None:
    for n in range(1, 101):
        publish(site, n)
    since = FIRST_DAY + dt.timedelta(days=60)
    calls: list[tuple[int, int | None]] = []
    result = MofcomJpaasAdapter().poll(
        zcfb(fetch_attachments=False), fetcher, SourceState(first_run=True), since=since,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip

    # page 3 holds days 70..56: it reaches past `since`, so the walk stops there
    assert api_pages(site) == [1, 2, 3]
    assert [n.url for n in result.notices] == [url_of(n) for n in range(100, 59, -1)]
    assert len(result.listed) == 45
    assert calls[:3] == [(1, None), (2, None), (3, None)]
    assert calls[3:] == [(3 + i, 3 + 41) for i in range(1, 42)]


def test_reaching_the_last_page_covers_the_whole_column(site: ReplaySite, fetcher: Fetcher) -> None:
    for n in range(1, 8):
        publish(site, n)
    result = MofcomJpaasAdapter().poll(zcfb(), fetcher, SourceState(first_run=True))
    assert api_pages(site) == [1]
    assert result.window_start == FIRST_DAY + dt.timedelta(days=1)


def test_xhr_option_and_source_referer(site: ReplaySite, fetcher: Fetcher) -> None:
    publish(site, 1)
    MofcomJpaasAdapter().poll(zcfb(xhr=True), fetcher, SourceState(first_run=True))
    api = [r for r in site.requests if jpaas.LIST_API_PATH in r.path]
    others = [r for r in site.requests if jpaas.LIST_API_PATH not in r.path]
    assert api and all(r.headers["x-requested-with"] == "XMLHttpRequest" for r in api)
    assert others and all("x-requested-with" not in r.headers for r in others)


@pytest.mark.parametrize("fault", ["no-body-container", "500", "412"])
def test_a_failing_detail_fails_the_poll(site: ReplaySite, fetcher: Fetcher, fault: str) -> None:
    publish(site, 1)
    publish(site, 2)
    site.set_fault(fault, path_prefix="/zwgk/zcfb/art/")
    with pytest.raises((FetchError, ParseError)):
        MofcomJpaasAdapter().poll(zcfb(), fetcher, SourceState(first_run=True))


def test_attachment_failure_does_not_fail_the_notice(site: ReplaySite, fetcher: Fetcher) -> None:
    publish(site, 1)
    site.set_fault("500", path_prefix="/cms_files/")
    result = MofcomJpaasAdapter().poll(zcfb(), fetcher, SourceState(first_run=True))
    assert result.notices[0].attachments[0].sha256 is None


def test_missing_ids_are_read_from_the_shell_once(site: ReplaySite, fetcher: Fetcher) -> None:
    publish(site, 1)
    adapter = MofcomJpaasAdapter()
    bare = SourceDef(id="mofcom-zcfb", name="z", kind="mofcom-jpaas", url=INDEX, interval_s=900)
    result = adapter.poll(bare, fetcher, SourceState(first_run=True))
    assert site.requests[0].path == "/zwgk/zcfb/index.html"
    assert len(result.notices) == 1

    site.clear_requests()
    adapter.poll(bare, fetcher, SourceState(first_run=True))
    assert paths(site, "index.html") == []


def test_rejected_ids_fall_back_to_the_shell(site: ReplaySite, fetcher: Fetcher) -> None:
    publish(site, 1)
    stale = zcfb(page_id="0" * 32)
    result = MofcomJpaasAdapter().poll(stale, fetcher, SourceState(first_run=True))
    assert [urlsplit(r.path).path for r in site.requests[:3]] == [
        jpaas.LIST_API_PATH, "/zwgk/zcfb/index.html", jpaas.LIST_API_PATH,
    ]  # fmt: skip
    assert WWW_IDS["page_id"] in site.requests[2].path
    assert len(result.notices) == 1


def test_bad_envelope_with_right_ids_is_raised(site: ReplaySite, fetcher: Fetcher) -> None:
    publish(site, 1)
    site.set_fault("bad-envelope")
    with pytest.raises(FetchError) as caught:
        MofcomJpaasAdapter().poll(zcfb(), fetcher, SourceState(first_run=True))
    assert caught.value.reason == "bad_envelope"


def test_links_that_are_not_detail_pages_become_title_only_notices(
    fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    markup = (
        '<ul class="txtList_01">'
        '<li><a href="https://www.gov.cn/zhengce/content/202410/x.htm" title="国务院令第792号">'
        "x</a><span>[2024-10-19]</span></li>"
        '<li><a href="/cms_files/oldfile//fms/202312/20231221153855374.pdf" title="目录">'
        "y</a><span>[2023-12-21]</span></li></ul>"
        '<div class="pagination" count="2"></div>'
    )
    site = ReplaySite()
    with Fetcher(politeness_s=0, transport=site.transport()) as local:
        monkeypatch.setattr(site, "_list_answer", lambda query: jpaas_answer(markup))
        result = MofcomJpaasAdapter().poll(zcfb(), local, SourceState(first_run=True))
    assert len(site.requests) == 1
    gov, pdf = result.notices
    assert (gov.title, gov.text, gov.published) == ("国务院令第792号", "国务院令第792号",
                                                    dt.date(2024, 10, 19))  # fmt: skip
    assert pdf.attachments[0].url.endswith("20231221153855374.pdf")


def jpaas_answer(markup: str) -> Any:
    from monitor.replay.site import _json

    return _json({"code": "200", "success": True, "data": {"html": markup}})


def test_deeply_nested_json_is_a_parse_error() -> None:
    answer = '{"code":"200","success":true,"data":' + "[" * 50_000 + "]" * 50_000 + "}"
    with pytest.raises(ParseError) as caught:
        parse_list_answer(answer, API)
    assert caught.value.reason == "too_deep"


def test_rechecks_read_stored_notices_off_the_pages_and_tolerate_their_failures(
    site: ReplaySite, fetcher: Fetcher
) -> None:
    for n in range(1, 8):
        publish(site, n)
    known = frozenset(url_of(n) for n in range(1, 8))
    gone = url_of(99)  # stored once, now answers 404
    state = SourceState(
        first_run=False, known_urls=known | {gone}, recheck_due=True,
        recheck_urls=frozenset({url_of(1), gone, "https://www.gov.cn/zhengce/x.htm"}),
    )  # fmt: skip
    result = MofcomJpaasAdapter().poll(zcfb(page_size=3, fetch_attachments=False), fetcher, state)
    read = {n.url for n in result.notices}
    assert url_of(1) in read  # on page 3, not read as a listed item
    assert gone not in read and "https://www.gov.cn/zhengce/x.htm" not in read
    assert {url_of(7), url_of(6), url_of(5)} <= read  # page 1, as every recheck


def test_a_recheck_reaches_a_known_notice_on_a_later_page_that_was_read(
    site: ReplaySite, fetcher: Fetcher
) -> None:
    for n in range(1, 8):
        publish(site, n)
    # 7, 6, 5 on page 1 are new, so page 2 (4, 3, 2) is read too; 3 is due for a recheck.
    state = SourceState(
        first_run=False, known_urls=frozenset(url_of(n) for n in range(1, 5)), recheck_due=True,
        recheck_urls=frozenset({url_of(3)}),
    )  # fmt: skip
    result = MofcomJpaasAdapter().poll(zcfb(page_size=3, fetch_attachments=False), fetcher, state)
    assert url_of(3) in {n.url for n in result.notices}
    assert url_of(4) not in {n.url for n in result.notices}


def test_rechecks_off_the_pages_are_conditional_requests(
    site: ReplaySite, fetcher: Fetcher
) -> None:
    for n in range(1, 8):
        publish(site, n)
    adapter = MofcomJpaasAdapter()
    source = zcfb(page_size=3, fetch_attachments=False)
    adapter.poll(source, fetcher, SourceState(first_run=True))  # reads every detail page
    state = SourceState(
        first_run=False, known_urls=frozenset(url_of(n) for n in range(1, 8)), recheck_due=True,
        recheck_urls=frozenset({url_of(1), url_of(2)}),
    )  # fmt: skip
    site.clear_requests()
    unchanged = adapter.poll(source, fetcher, state)
    assert {url_of(1), url_of(2)}.isdisjoint(n.url for n in unchanged.notices)
    asked = [r for r in site.requests if r.path.endswith((f"{1:032x}.html", f"{2:032x}.html"))]
    assert len(asked) == 2 and all("if-none-match" in r.headers for r in asked)
    site.revise(url_of(1), render_detail_page(
        "商务部公告2025年第1号 更正", "商务部公告2025年第1号", "安全与管制局",
        dt.datetime(2025, 1, 7, 9, 30, tzinfo=BEIJING), ["更正后的正文。"],
    ))  # fmt: skip
    changed = adapter.poll(source, fetcher, state)
    assert [n.url for n in changed.notices if n.url in (url_of(1), url_of(2))] == [url_of(1)]
