"""Search services replayed: the gov.cn policy-library search (mofcom-site.md §8) and a
news search RSS feed in Google News' shape (§10).

gov.cn: `GET /search-gov/data?t=zhengcelibrary_bm&q=<term>&p=<page>&n=<size>` answered
`{"code":200,"msg":"操作成功","searchVO":{"catMap":{"bumenfile":{"listVO":[…]}},"totalCount":N}}`,
query words marked with `<em>` in titles. News: `GET /rss/search?q=<query>&hl=…` an RSS
2.0 feed whose items link to the outlet's story and name it in `<source>`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit

from monitor.clock import BEIJING_OFFSET
from monitor.replay.loopback import Answer
from monitor.replay.sites import Request, SmallSite

GOVCN_PATH = "/search-gov/data"
NEWS_PATH = "/rss/search"
_JSON = "application/json;charset=UTF-8"


@dataclass(frozen=True)
class PolicyHit:
    title: str
    url: str  # https://www.gov.cn/zhengce/zhengceku/202510/content_<n>.htm
    puborg: str
    pcode: str
    published: dt.date
    category: str = "bumenfile"


class GovcnSearchSite(SmallSite):
    name = "govcn-search"

    def __init__(self) -> None:
        super().__init__()
        self._hits: list[PolicyHit] = []

    def publish(self, hit: PolicyHit) -> None:
        with self._lock:
            self._hits.append(hit)

    def route(self, request: Request) -> Answer:
        parts = urlsplit(request.target)
        if parts.path != GOVCN_PATH:
            return Answer(404, b"<html><body>404</body></html>")
        query = parse_qs(parts.query)
        term = (query.get("q") or [""])[0]
        try:
            page = int((query.get("p") or ["1"])[0])
            size = int((query.get("n") or ["20"])[0])
        except ValueError:
            return self.refusal()
        hits = sorted((h for h in self._hits if all(w in h.title for w in term.split())),
                      key=lambda h: h.published, reverse=True)  # fmt: skip
        shown = hits[(page - 1) * size : page * size]
        categories: dict[str, dict[str, object]] = {}
        for hit in shown:
            entry = categories.setdefault(hit.category, {"listVO": [], "totalCount": 0})
            entry["listVO"].append(_hit_json(hit, term))  # type: ignore[attr-defined]
            entry["totalCount"] = len(entry["listVO"])  # type: ignore[arg-type]
        body = {"code": 200, "msg": "操作成功",
                "searchVO": {"catMap": categories, "totalCount": len(hits)}}  # fmt: skip
        return Answer(200, json.dumps(body, ensure_ascii=False).encode(), _JSON)

    def refusal(self) -> Answer:
        body = {"code": 1001, "msg": "参数错误", "searchVO": None}
        return Answer(200, json.dumps(body, ensure_ascii=False).encode(), _JSON)


def _hit_json(hit: PolicyHit, term: str) -> dict[str, object]:
    marked = hit.title.replace(term, f"<em>{term}</em>") if term else hit.title
    moment = dt.datetime.combine(hit.published, dt.time(9, 0), BEIJING_OFFSET)
    return {
        "title": marked, "url": hit.url, "puborg": hit.puborg, "pcode": hit.pcode,
        "pubtime": int(moment.timestamp() * 1000), "pubtimeStr": f"{hit.published:%Y.%m.%d}",
        "childtype": "", "index": "", "summary": "",
    }  # fmt: skip


@dataclass(frozen=True)
class Story:
    title: str
    link: str  # the outlet's own URL
    outlet: str
    outlet_url: str
    published: dt.datetime
    summary: str = ""


class NewsSearchSite(SmallSite):
    """One search feed per language: stories are filed under the `hl` they answer to."""

    name = "news-search"

    def __init__(self) -> None:
        super().__init__()
        self._stories: list[tuple[str, Story]] = []

    def publish(self, language: str, story: Story) -> None:
        with self._lock:
            self._stories.append((language, story))

    def route(self, request: Request) -> Answer:
        parts = urlsplit(request.target)
        if parts.path != NEWS_PATH:
            return Answer(404, b"<html><body>404</body></html>")
        language = (parse_qs(parts.query).get("hl") or ["en-US"])[0]
        stories = sorted((s for lang, s in self._stories if lang == language),
                         key=lambda s: s.published, reverse=True)  # fmt: skip
        items = "".join(
            f"<item><title>{html.escape(s.title)} - {html.escape(s.outlet)}</title>"
            f'<link>{html.escape(s.link)}</link><guid isPermaLink="false">{html.escape(s.link)}'
            f"</guid><pubDate>{format_datetime(s.published)}</pubDate>"
            f"<description>{html.escape(s.summary or s.title)}</description>"
            f'<source url="{html.escape(s.outlet_url)}">{html.escape(s.outlet)}</source></item>'
            for s in stories
        )
        feed = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>'
            "<generator>NFE/5.0</generator><title>search - News</title>"
            f"<link>https://news.google.com/search?hl={html.escape(language)}</link>"
            f"<language>{html.escape(language)}</language>"
            "<description>News search results</description>"
            f"{items}</channel></rss>"
        )
        return Answer(200, feed.encode(), "application/xml; charset=utf-8")
