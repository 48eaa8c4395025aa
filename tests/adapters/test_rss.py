from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import feedparser.http
import httpx
import pytest

from monitor.adapters.base import SourceState
from monitor.adapters.rss import RssAdapter
from monitor.detect.identity import read_facts
from monitor.errors import ParseError
from monitor.fetch.client import Fetcher
from monitor.models import RawNotice, SourceDef
from monitor.replay import ReplaySite

FEED = "https://www.globaltimes.cn/rss/china.xml"
UTC = dt.UTC
BEIJING = dt.timezone(dt.timedelta(hours=8))


def feed_source(**options: Any) -> SourceDef:
    return SourceDef(id="globaltimes-china", name="GT", kind="rss", url=FEED, interval_s=1800,
                     options=options)  # fmt: skip


@pytest.fixture
def site() -> ReplaySite:
    site = ReplaySite()
    site.add_rss_item(
        title="China announces export controls on seven medium and heavy rare earths",
        link="https://www.globaltimes.cn/page/202504/1331700.shtml",
        published=dt.datetime(2025, 4, 4, 12, 30, tzinfo=UTC),
        description="<p>MOFCOM and the GAC issued Announcement No. 18 of 2025 "
        "covering Sm, Gd, Tb, Dy, Lu, Sc and Y items (1C902 to 1C908).</p>"
        "<p>The controls take effect on publication.</p>",
    )
    site.add_rss_item(
        title="商务部新闻发言人就稀土出口管制措施答记者问",
        link="https://www.globaltimes.cn/page/202510/1345000.shtml",
        published=dt.datetime(2025, 10, 8, 20, 0, tzinfo=UTC),  # Beijing: 10-09 04:00
        description="商务部公告2025年第61号和第62号依法发布。",
    )
    return site


@pytest.fixture
def fetcher(site: ReplaySite) -> Iterator[Fetcher]:
    with Fetcher(politeness_s=0, transport=site.transport()) as f:
        yield f


def test_first_poll_turns_items_into_notices(site: ReplaySite, fetcher: Fetcher) -> None:
    result = RssAdapter().poll(feed_source(), fetcher, SourceState(first_run=True))

    assert not result.unchanged and result.requests == 1
    zh, en = result.notices  # newest first, as the feed lists them
    assert en.title == "China announces export controls on seven medium and heavy rare earths"
    assert en.url == "https://www.globaltimes.cn/page/202504/1331700.shtml"
    assert en.text == (
        "MOFCOM and the GAC issued Announcement No. 18 of 2025 covering Sm, Gd, Tb, Dy, Lu, "
        "Sc and Y items (1C902 to 1C908).\nThe controls take effect on publication."
    )
    assert en.language == "en"
    assert en.published_at == dt.datetime(2025, 4, 4, 20, 30, tzinfo=BEIJING)
    assert zh.language == "zh-Hans"
    assert zh.published == dt.date(2025, 10, 9)  # the Beijing date, not the UTC one
    assert [i.url for i in result.listed] == [zh.url, en.url]
    assert result.window_start is None
    assert site.requests[0].path == "/rss/china.xml"
    assert site.requests[0].headers["accept"].startswith("application/rss+xml")


def test_unchanged_feed_is_one_request(site: ReplaySite, fetcher: Fetcher) -> None:
    adapter = RssAdapter()
    first = adapter.poll(feed_source(), fetcher, SourceState(first_run=True))
    state = SourceState(first_run=False, known_urls=frozenset(i.url for i in first.listed),
                        list_validators=first.list_validators)  # fmt: skip
    site.clear_requests()
    result = adapter.poll(feed_source(), fetcher, state)
    assert result.unchanged and result.notices == () and len(site.requests) == 1

    site.add_rss_item(
        title="商務部公告2025年第70號 暫停實施有關稀土出口管制措施",
        link="https://www.globaltimes.cn/page/202511/1347000.shtml",
        published=dt.datetime(2025, 11, 7, 12, 0, tzinfo=UTC),
        description="商務部 海關總署公告2025年第70號，暫停實施第55號、第56號、第57號、第58號公告。",
    )
    result = adapter.poll(feed_source(), fetcher, state)
    assert not result.unchanged
    # a changed feed is compared whole: the new item and the known ones (a revision shows)
    assert [n.url for n in result.notices] == [i.url for i in result.listed]
    assert result.notices[0].url == "https://www.globaltimes.cn/page/202511/1347000.shtml"
    assert result.notices[0].language == "zh-Hant"
    assert len(result.listed) == 3


def test_a_recheck_is_a_conditional_request(site: ReplaySite, fetcher: Fetcher) -> None:
    adapter = RssAdapter()
    first = adapter.poll(feed_source(), fetcher, SourceState(first_run=True))
    state = SourceState(first_run=False, list_validators=first.list_validators,
                        recheck_due=True)  # fmt: skip
    site.clear_requests()
    result = adapter.poll(feed_source(), fetcher, state)
    assert result.unchanged and result.notices == ()
    assert site.requests[0].headers["if-none-match"] == first.list_validators.etag


def test_since_and_language_option(site: ReplaySite, fetcher: Fetcher) -> None:
    result = RssAdapter().poll(
        feed_source(language="en"), fetcher, SourceState(first_run=True),
        since=dt.date(2025, 6, 1),
    )  # fmt: skip
    assert [n.published for n in result.notices] == [dt.date(2025, 10, 9)]
    assert result.notices[0].language == "en"


def test_a_news_feed_marks_its_items_as_reports(site: ReplaySite, fetcher: Fetcher) -> None:
    plain = RssAdapter().poll(feed_source(), fetcher, SourceState(first_run=True))
    news = RssAdapter().poll(feed_source(report=True), fetcher, SourceState(first_run=True))
    assert plain.notices and not any(n.report for n in plain.notices)
    assert news.notices and all(n.report for n in news.notices)


def test_a_news_item_printing_a_number_in_its_headline_is_a_report_not_the_notice() -> None:
    item = RawNotice(
        source_id="news-search-zh", url="https://news.example.invalid/a.html",
        title="商务部公告2025年第61号：对境外相关稀土物项实施出口管制",
        text="商务部公告2025年第61号：对境外相关稀土物项实施出口管制", report=True,
    )  # fmt: skip
    facts = read_facts(item)
    assert facts.doc_key is None and facts.reports == "MOFCOM-2025-61"


def poll_bytes(body: bytes, content_type: str = "application/xml") -> Any:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, headers={"Content-Type": content_type}, content=body)
    )
    with Fetcher(politeness_s=0, transport=transport) as fetcher:
        return RssAdapter().poll(feed_source(), fetcher, SourceState(first_run=True))


def test_atom_content_and_relative_links() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id>
<updated>2025-11-09T10:00:00Z</updated>
<entry><title type="html">Suspension of &lt;b&gt;para. 2&lt;/b&gt; of No. 46</title>
<link href="/page/202511/1.shtml"/><id>urn:1</id><updated>2025-11-09T10:00:00Z</updated>
<summary>short</summary>
<content type="html">&lt;p&gt;MOFCOM Announcement No. 72 of 2025.&lt;/p&gt;
&lt;p&gt;Until 2026-11-27.&lt;/p&gt;</content>
</entry></feed>"""
    result = poll_bytes(atom, "application/atom+xml")
    (notice,) = result.notices
    assert notice.url == "https://www.globaltimes.cn/page/202511/1.shtml"
    assert notice.title == "Suspension of para. 2 of No. 46"
    assert notice.text == "MOFCOM Announcement No. 72 of 2025.\nUntil 2026-11-27."


def test_gb2312_feed_is_decoded_by_its_declaration() -> None:
    rss = """<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel><title>t</title>
<item><title>稀土 镕</title><link>https://example.cn/a</link></item></channel></rss>"""
    result = poll_bytes(rss.encode("gb18030"))
    assert result.notices[0].title == "稀土 镕"
    assert result.notices[0].published is None


def test_empty_but_valid_feed_is_fine() -> None:
    result = poll_bytes(b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                        b"</channel></rss>")  # fmt: skip
    assert result.notices == () and not result.unchanged


def test_not_a_feed_is_a_layout_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("feedparser tried to fetch")

    monkeypatch.setattr(feedparser.http, "get", no_network)
    for body in (b"https://www.globaltimes.cn/rss/china.xml", b"<html><body>hi</body></html>"):
        with pytest.raises(ParseError) as caught:
            poll_bytes(body, "text/plain")
        assert caught.value.reason == "layout"


def test_a_garbled_encoding_declaration_is_a_parse_error() -> None:
    rss = (
        b'<?xml version="1.0" encoding="utf-8\xff\xfe"?><rss version="2.0"><channel>'
        b"<title>t</title><item><title>Rare earths</title>"
        b"<link>https://www.globaltimes.cn/page/1.shtml</link></item></channel></rss>"
    )
    with pytest.raises(ParseError) as caught:
        poll_bytes(rss)
    assert caught.value.reason == "decode"


def test_an_item_nested_thousands_deep_is_read() -> None:
    description = b"<div>" * 1500 + b"MOFCOM Announcement No. 61 of 2025"
    rss = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>Rare earths</title><link>https://www.globaltimes.cn/page/1.shtml</link>"
        b"<description><![CDATA[" + description + b"]]></description></item></channel></rss>"
    )
    (notice,) = poll_bytes(rss).notices
    assert notice.text == "MOFCOM Announcement No. 61 of 2025"
