"""Page shapes the replay site serves: detail pages (monitor/corpus/README.md), column
shells, list-API markup, an RSS 2.0 feed and anti-bot pages. Written by us in the real
shape; no text from the real sites."""

from __future__ import annotations

import datetime as dt
import html as html_lib
from collections.abc import Sequence
from email.utils import format_datetime

from monitor.clock import BEIJING_OFFSET

API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"

NOT_FOUND = (
    b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>404</title></head>"
    b"<body><p>\xe9\xa1\xb5\xe9\x9d\xa2\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8</p></body></html>"
)
CHALLENGE_412 = (
    b"<!DOCTYPE html><html><head><meta charset='utf-8'>"
    b"<meta id='rpl9x' content='Qk93bGVkZ2VPZlJlcGxheQ' r='m'>"
    b"<script r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=7301;</script>"
    b"<script src='/rpl/c.js' r='m'></script></head><body></body></html>"
)
CHALLENGE_521 = (
    b"<html><body><script>document.cookie=('__jsl_clearance_s=1759971000.1|0|cmVwbGF5');"
    b"location.href=location.pathname+location.search</script></body></html>"
)
_LABELS = {
    "zh-Hans": ("【发布单位】", "【发布文号】", "【发文日期】", "附件："),
    "zh-Hant": ("【發佈單位】", "【發佈文號】", "【發佈日期】", "附件："),
    "en": ("[Issuing Unit] ", "[Issuing Document Number] ", "[Issuing Date] ", ""),
}


def render_detail_page(  # noqa: PLR0917 (the shape tests and the demo call it with)
    title: str,
    doc_number: str | None,
    issuing_unit: str | None,
    pub: dt.datetime,
    paragraphs: Sequence[str],
    attachments: Sequence[tuple[str, str]] = (),
    *,
    language: str = "zh-Hans",
    source_label: str | None = None,
) -> str:
    """A detail page in the exact shape of monitor/corpus/README.md.

    `pub` is Beijing time (naive values are taken as Beijing time); `attachments` are
    (href, name) pairs placed at the end of the body.
    """
    beijing = pub.astimezone(BEIJING_OFFSET) if pub.tzinfo else pub
    stamp = beijing.strftime("%Y-%m-%d %H:%M")
    unit_label, number_label, date_label, annex = _LABELS[language]
    english = language == "en"
    if english:
        issued = f"{beijing:%B} {beijing.day}, {beijing.year}"
    else:
        issued = f"{beijing:%Y}年{beijing:%m}月{beijing:%d}日"
    head_lines = [
        f"<p>{esc(label)}{esc(value)}</p>"
        for label, value in ((unit_label, issuing_unit), (number_label, doc_number),
                             (date_label, issued))
        if value
    ]  # fmt: skip
    body = head_lines + [f"<p>{esc(p)}</p>" for p in paragraphs]
    body += [f'<p>{esc(annex)}<a href="{esc(href)}">{esc(name)}</a></p>'
             for href, name in attachments]  # fmt: skip
    site = "Ministry of Commerce of the People's Republic of China" if english else (
        "中華人民共和國商務部" if language == "zh-Hant" else "中华人民共和国商务部"
    )  # fmt: skip
    lang = {"en": "en", "zh-Hant": "zh-TW"}.get(language, "zh-CN")
    source = source_label or issuing_unit or ""
    newline = "\n"
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="SiteName" content="{esc(site)}">
<meta name="ColumnName" content="{"Announcements" if english else "政策发布"}">
<meta name="ArticleTitle" content="{esc(title)}">
<meta name="PubDate" content="{stamp}">
<meta name="ContentSource" content="{esc(source)}">
<title>{esc(title)}_{esc(site)}</title>
</head>
<body>
<div class="art-title"><h1>{esc(title)}</h1></div>
<div class="art-source">来源：{esc(source)} 类型：原创 {stamp}</div>
<div class="art-con art-con-bottonmLine" ergodic="article">
{newline.join(body)}
</div>
</body>
</html>
"""


def render_shell(
    name: str, title: str, *, web_id: str, page_id: str, tpl_set_id: str, tag_id: str
) -> str:
    """A column's index.html: the list is loaded by script from the attributes' ids."""
    query_data = (
        f"{{'webId':'{web_id}','pageId':'{page_id}',"
        f"'tplSetId':'{tpl_set_id}','pageType':'column','tagId':'{tag_id}',"
        "'editType':'null','pageSize':'15'}"
    )
    attribute = esc(query_data, quote_single=False)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{esc(title)}_中华人民共和国商务部</title></head>
<body>
<div class="list-box" id="list-{name}" queryData="{attribute}" url="{API_PATH}"></div>
<script src="/cms_files/default/script/ajax/page/page.js"></script>
</body>
</html>
"""


def short_title(title: str, limit: int = 28) -> str:
    return title if len(title) <= limit else title[:limit] + "…"


def esc(value: str, *, quote_single: bool = True) -> str:
    escaped = html_lib.escape(value, quote=quote_single)
    return escaped if quote_single else escaped.replace('"', "&quot;")


def render_list_html(
    rows: Sequence[tuple[str, str, dt.date]], *, count: int, page_no: int, page_size: int
) -> str:
    """`data.html` of a list-API answer: (path, full title, date) rows, newest first."""
    items = "".join(
        f'<li><a href="{esc(path)}" title="{esc(title)}" target="_blank">'
        f"{esc(short_title(title))}</a><span>[{day.isoformat()}]</span></li>\n"
        for path, title, day in rows
    )
    return (
        f'<ul class="txtList_01">\n{items}</ul>\n'
        f'<div class="pagination" rows="{page_size}" count="{count}" pageNo="{page_no}"></div>'
    )


def render_rss_item(
    title: str, link: str, published: dt.datetime, description: str, guid: str
) -> str:
    return (
        f"<item><title>{esc(title)}</title><link>{esc(link)}</link>"
        f"<description>{esc(description)}</description>"
        f"<pubDate>{format_datetime(published.astimezone(dt.UTC), usegmt=True)}</pubDate>"
        f'<guid isPermaLink="false">{esc(guid)}</guid></item>'
    )


def render_feed(items: Sequence[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        "<title>Replay news feed</title><link>https://www.globaltimes.cn/china/</link>"
        f"<description>Replay feed for regwatch tests</description>{''.join(items)}"
        "</channel></rss>\n"
    ).encode()
