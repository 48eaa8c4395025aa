"""A MOFCOM-shaped site in memory, served on 127.0.0.1, for tests and `regwatch demo`.

Serves column shells (`/zwgk/zcfb/index.html`), the jpaas unit list API with the real
envelope, detail pages, attachments and an RSS 2.0 feed, with ETag / Last-Modified and
304s, plus injectable faults (`set_fault`). This module is what the site holds and
answers; replay/loopback.py puts it on a socket or an httpx transport.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

import httpx

from monitor.replay.loopback import (
    HTML,
    Answer,
    ServedOnLoopback,
    current_peer,
    in_process_transport,
)
from monitor.replay.mofcom_pages import (
    API_PATH,
    CHALLENGE_412,
    CHALLENGE_521,
    NOT_FOUND,
    render_detail_page,
    render_feed,
    render_list_html,
    render_rss_item,
    render_shell,
)

__all__ = [  # render_detail_page lives in mofcom_pages; importable from here too
    "AQYGZJ", "FAULT_MODES", "ZCFB", "Column", "RecordedRequest", "ReplaySite",
    "render_detail_page",
]  # fmt: skip

FAULT_MODES = frozenset(
    {"412", "521", "202-empty", "empty-body", "bad-envelope", "no-body-container",
     "truncated", "500", "reset", "gbk"}
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One jpaas column: its shell path and the ids its list API answers to."""

    name: str
    index_path: str
    web_id: str
    tpl_set_id: str
    page_id: str
    tag_id: str = "分页列表"
    title: str = "政策发布"


ZCFB = Column("zcfb", "/zwgk/zcfb/index.html", "8f43c7ad3afc411fb56f281724b73708",
              "52551ea0e2c14bca8c84792f7aa37ead", "fc8bdff48fa345a48b651c1285b70b8f")  # fmt: skip
AQYGZJ = Column("aqygzj", "/flzc/gzjgfxwj/index.html", "b28941ad4e064442856787562c9a4961",
                "DDBav9QvwJVbs9iznQVmO", "79d6d2c4e44d458180d37dd4f0996645", "信息列表",
                "规章及规范性文件")  # fmt: skip


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # with the query string, as sent
    headers: Mapping[str, str]  # lower-cased names
    peer: str = ""  # client "host:port": one value per TCP connection ("" in-process)


@dataclass
class _Article:
    path: str
    body: bytes
    content_type: str
    title: str
    date: dt.date
    column: str
    seq: int
    revision: int


@dataclass
class _Fault:
    mode: str
    path_prefix: str | None
    remaining: int | None


class ReplaySite(ServedOnLoopback):
    """Thread-safe in-memory site; `start()` serves it at `base_url`."""

    def __init__(
        self,
        *,
        port: int = 0,
        rss_path: str = "/rss/china.xml",
        columns: Sequence[Column] = (ZCFB, AQYGZJ),
    ) -> None:
        self.rss_path = rss_path
        self._listen_port = port
        self._columns = {c.name: c for c in columns}
        self._articles: dict[str, _Article] = {}
        self._files: dict[str, tuple[bytes, str]] = {}
        self._rss: list[tuple[dt.datetime, str]] = []
        self._fault: _Fault | None = None
        self._log: list[RecordedRequest] = []
        self._seq = 0
        self._revision = 0
        self._epoch = 1_750_000_000.0  # Last-Modified = epoch + revision: distinct per change
        self._lock = threading.RLock()

    # -- content -----------------------------------------------------------------------

    def publish(
        self, url: str, html: str | bytes, *, title: str, date: dt.date, column: str = "zcfb"
    ) -> None:
        """Put a detail page on the site and at the top of its column's list."""
        if column not in self._columns:
            raise ValueError(f"unknown column {column!r}; known: {sorted(self._columns)}")
        body, content_type = _body(html)
        with self._lock:
            self._seq += 1
            self._revision += 1
            path = urlsplit(url).path
            self._articles[path] = _Article(
                path, body, content_type, title, date, column, self._seq, self._revision
            )

    def revise(self, url: str, html: str | bytes) -> None:
        body, content_type = _body(html)
        with self._lock:
            article = self._articles[urlsplit(url).path]
            self._revision += 1
            article.body, article.content_type = body, content_type
            article.revision = self._revision

    def withdraw(self, url: str) -> None:
        """Off the list; the page answers 404."""
        with self._lock:
            self._revision += 1
            del self._articles[urlsplit(url).path]

    def add_attachment(self, url: str, data: bytes, content_type: str = "application/pdf") -> None:
        with self._lock:
            self._files[urlsplit(url).path] = (data, content_type)

    def add_rss_item(
        self, *, title: str, link: str, published: dt.datetime, description: str = "",
        guid: str | None = None,
    ) -> None:  # fmt: skip
        item = render_rss_item(title, link, published, description, guid or link)
        with self._lock:
            self._revision += 1
            self._rss.append((published, item))

    def set_fault(
        self, mode: str | None, *, path_prefix: str | None = None, count: int | None = None
    ) -> None:
        """Misbehave on matching requests: `count` times, or until cleared with None."""
        if mode is not None and mode not in FAULT_MODES:
            raise ValueError(f"unknown fault {mode!r}; known: {sorted(FAULT_MODES)}")
        with self._lock:
            self._fault = None if mode is None else _Fault(mode, path_prefix, count)

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        with self._lock:
            return tuple(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    def transport(self) -> httpx.BaseTransport:
        """The site as an in-process httpx transport: same answers and faults, no socket
        (requests may use any host; the site answers by path)."""
        return in_process_transport(self)

    # -- answering (called from handler threads) ------------------------------------------

    def answer(self, method: str, target: str, headers: Mapping[str, str]) -> Answer:
        peer = current_peer()
        with self._lock:
            self._log.append(RecordedRequest(method, target, dict(headers), peer))
            path = urlsplit(target).path
            kind, answer = self._route(target)
            fault = self._take_fault(path, kind)
        if fault is not None:
            return _faulty(fault, kind, answer)
        return _conditional(answer, headers) if answer.status == 200 else answer

    def _route(self, target: str) -> tuple[str, Answer]:
        parts = urlsplit(target)
        path = parts.path
        if path == API_PATH:
            return "api", self._list_answer(parse_qs(parts.query))
        for column in self._columns.values():
            if path == column.index_path:
                return "html", Answer(200, _shell(column), headers=self._stamp())
        if path == self.rss_path:
            return "feed", Answer(200, self._feed(), "application/rss+xml; charset=utf-8",
                                  headers=self._stamp())  # fmt: skip
        if path in self._articles:
            article = self._articles[path]
            return "detail", Answer(200, article.body, article.content_type,
                                    headers=self._stamp(article.revision))  # fmt: skip
        if path in self._files:
            data, content_type = self._files[path]
            return "file", Answer(200, data, content_type, headers=self._stamp(1))
        return "other", Answer(404, NOT_FOUND)

    def _list_answer(self, query: Mapping[str, list[str]]) -> Answer:
        def arg(name: str) -> str:
            return (query.get(name) or [""])[0]

        column = next(
            (c for c in self._columns.values()
             if (arg("webId"), arg("tplSetId"), arg("pageId")) == (c.web_id, c.tpl_set_id,
                                                                   c.page_id)),
            None,
        )  # fmt: skip
        if column is None or arg("parseType") != "bulidstatic":
            return _json({"code": "500", "success": False, "data": None, "message": "栏目不存在"})
        try:
            paging = json.loads(arg("paramJson") or "{}")
            page_no = max(1, int(paging.get("pageNo", 1)))
            page_size = max(1, int(paging.get("pageSize", 15)))
        except (ValueError, TypeError, AttributeError):
            page_no, page_size = 1, 15
        listed = sorted(
            (a for a in self._articles.values() if a.column == column.name),
            key=lambda a: (a.date, a.seq), reverse=True,
        )  # fmt: skip
        shown = listed[(page_no - 1) * page_size : page_no * page_size]
        markup = render_list_html(
            [(a.path, a.title, a.date) for a in shown],
            count=len(listed), page_no=page_no, page_size=page_size,
        )  # fmt: skip
        answer = _json({"code": "200", "success": True, "data": {"html": markup}})
        answer.headers.update(self._stamp())
        return answer

    def _feed(self) -> bytes:
        return render_feed([item for _when, item in sorted(self._rss, key=lambda x: x[0],
                                                           reverse=True)])  # fmt: skip

    def _stamp(self, revision: int | None = None) -> dict[str, str]:
        moment = self._epoch + (self._revision if revision is None else revision)
        return {"Last-Modified": formatdate(moment, usegmt=True)}

    def _take_fault(self, path: str, kind: str) -> str | None:
        fault = self._fault
        if fault is None or (fault.path_prefix and not path.startswith(fault.path_prefix)):
            return None
        if not _applies(fault.mode, kind):
            return None
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._fault = None
        return fault.mode


def _shell(column: Column) -> bytes:
    return render_shell(
        column.name, column.title, web_id=column.web_id, page_id=column.page_id,
        tpl_set_id=column.tpl_set_id, tag_id=column.tag_id,
    ).encode()  # fmt: skip


def _body(page: str | bytes) -> tuple[bytes, str]:
    if isinstance(page, bytes):
        return page, "text/html"  # the page's own <meta charset> decides
    return page.encode("utf-8"), HTML


def _json(value: object) -> Answer:
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return Answer(200, body, "application/json;charset=UTF-8")


def _applies(mode: str, kind: str) -> bool:
    if mode == "bad-envelope":
        return kind == "api"
    if mode == "no-body-container":
        return kind in ("api", "detail")
    if mode == "gbk":
        return kind in ("detail", "html")
    return True


def _faulty(mode: str, kind: str, normal: Answer) -> Answer:
    if mode == "412":
        return Answer(412, CHALLENGE_412)
    if mode == "521":
        return Answer(521, CHALLENGE_521)
    if mode == "202-empty":
        return Answer(202, b"", "text/html")
    if mode == "empty-body":
        return Answer(200, b"", normal.content_type)
    if mode == "500":
        return Answer(500, b"<html><body>500 Internal Server Error</body></html>")
    if mode == "reset":
        return Answer(0, reset=True)
    if mode == "truncated":
        return Answer(normal.status, normal.body[: len(normal.body) // 2], normal.content_type,
                      cut=True)  # fmt: skip
    if mode == "bad-envelope":
        return _json({"code": "200", "success": False, "data": {"html": ""}})
    if mode == "no-body-container" and kind == "api":
        return _json({"code": "200", "success": True,
                      "data": {"html": '<div class="pagination" count="3"></div>'}})  # fmt: skip
    text = normal.body.decode("utf-8", "replace")
    if mode == "no-body-container":
        text = text.replace('class="art-con art-con-bottonmLine" ergodic="article"',
                            'class="article-content"')  # fmt: skip
        return Answer(200, text.encode(), HTML)
    # gbk: labelled gb2312, encoded as gb18030 (may hold characters gb2312 lacks)
    text = text.replace('<meta charset="utf-8">', '<meta charset="gb2312">')
    return Answer(200, text.encode("gb18030"), "text/html; charset=gb2312")


def _conditional(answer: Answer, headers: Mapping[str, str]) -> Answer:
    etag = '"' + hashlib.sha256(answer.body).hexdigest()[:20] + '"'
    answer.headers["ETag"] = etag
    if_none_match = headers.get("if-none-match")
    not_modified = False
    if if_none_match is not None:
        not_modified = etag in {tag.strip() for tag in if_none_match.split(",")}
    elif "if-modified-since" in headers and "Last-Modified" in answer.headers:
        try:
            since = parsedate_to_datetime(headers["if-modified-since"])
            changed = parsedate_to_datetime(answer.headers["Last-Modified"])
            not_modified = changed <= since
        except (TypeError, ValueError):
            not_modified = False
    if not_modified:
        return Answer(304, b"", "", headers=answer.headers)
    return answer
