"""Fuzz: the adapters' parsers on hostile input give a result or the project's own error,
never another exception, and finish promptly (tests/support/fuzz.py says how long)."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from monitor.adapters.links import allowed_hosts, link_problem
from monitor.adapters.mofcom_detail import parse_detail
from monitor.adapters.mofcom_jpaas import parse_list_answer, parse_shell_ids
from monitor.adapters.rss import parse_feed
from monitor.adapters.text import html_to_text
from monitor.errors import FetchError, ParseError
from monitor.models import Page, SourceDef
from tests.support.fuzz import fuzz_settings, markup, texts, within_limit

DETAIL = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_5d1c9e7a2b4f4c62a8e3f6b0d7c21e62.html"
API = "https://www.mofcom.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
FEED = "https://www.globaltimes.cn/rss/china.xml"
RSS_SOURCE = SourceDef(id="gt", name="gt", kind="rss", url=FEED, interval_s=1800)


@fuzz_settings
@given(markup())
def test_fuzz_html_to_text_never_raises(page: str) -> None:
    text = within_limit(lambda: html_to_text(page), "html_to_text")
    assert all(line == line.strip() and line for line in text.split("\n") if text)


@fuzz_settings
@given(markup(), st.booleans())
def test_fuzz_detail_pages(body: str, wrapped: bool) -> None:
    page = f"<html><body><div class='art-con'>{body}</div></body></html>" if wrapped else body
    try:
        notice = within_limit(lambda: parse_detail(page, DETAIL, "mofcom-zcfb"), "parse_detail")
    except ParseError as error:
        assert error.reason in {"layout", "too_deep", "decode", "unparseable"}
        return
    assert notice.url == DETAIL


@fuzz_settings
@given(markup(max_depth=500), st.integers(-5, 10**6))
def test_fuzz_list_answers(listing: str, count: int) -> None:
    html = f'<ul class="txtList_01">{listing}</ul><div class="pagination" count="{count}"></div>'
    answer = json.dumps({"code": "200", "success": True, "data": {"html": html}})
    with contextlib.suppress(ParseError, FetchError):
        within_limit(lambda: parse_list_answer(answer, API), "parse_list_answer")


@fuzz_settings
@given(st.text(max_size=400) | st.sampled_from(["[" * 5000, '{"a":' * 5000, "\ud800"]))
def test_fuzz_list_envelopes(answer: str) -> None:
    with contextlib.suppress(ParseError, FetchError):
        within_limit(lambda: parse_list_answer(answer, API), "parse_list_answer")


@fuzz_settings
@given(markup(max_depth=300))
def test_fuzz_shell_ids(shell: str) -> None:
    found = within_limit(lambda: parse_shell_ids(shell, DETAIL), "parse_shell_ids")
    assert isinstance(found, dict)


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    declaration = draw(st.sampled_from([
        '<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="gb2312"?>',
        '<?xml version="1.0" encoding="utf-8\udcff"?>', '<?xml version="1.0" encoding="x-nope"?>',
        "", '<?xml version="1.0" encoding="utf-16"?>',
    ]))  # fmt: skip
    items = "".join(
        f"<item><title>{draw(texts)}</title><link>{draw(st.sampled_from(LINKS))}</link>"
        f"<description><![CDATA[{draw(markup(max_depth=400))}]]></description></item>"
        for _ in range(draw(st.integers(0, 4)))
    )
    document = f'{declaration}<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    raw = document.encode("utf-8", errors="surrogateescape")
    cut = draw(st.integers(0, len(raw)))
    return raw if draw(st.booleans()) else raw[:cut]


LINKS = ["https://www.globaltimes.cn/page/1.shtml", "javascript:alert(1)", "/relative.html",
         "data:text/html,<script>", "", "https://other.example/x"]  # fmt: skip


@fuzz_settings
@given(feeds())
def test_fuzz_feeds(body: bytes) -> None:
    page = Page(url=FEED, final_url=FEED, status=200, headers={"content-type": "application/xml"},
                body=body, text="", fetched_at=datetime(2025, 10, 9, tzinfo=UTC), sha256="-")  # fmt: skip
    try:
        notices = within_limit(lambda: parse_feed(page, RSS_SOURCE), "parse_feed")
    except ParseError:
        return
    assert all(n.source_id == "gt" for n in notices)


@fuzz_settings
@given(st.text(max_size=80))
def test_fuzz_only_http_links_pass(url: str) -> None:
    if link_problem(url, allowed_hosts(RSS_SOURCE)) is None:
        assert url.strip().lower().startswith(("http://", "https://"))
