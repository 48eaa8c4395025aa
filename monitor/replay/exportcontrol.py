"""exportcontrol.mofcom.gov.cn replayed: the column API (mofcom-site.md §3) and article pages.

`POST /edi_ecms_web_front/front/column/getColumnList` with the form `pageNumber`,
`columnID`, `title`; 20 rows a page in `pageInfo.rows`, `pageInfo.maxPageNum`. The real
trap is reproduced, not injected: a request without the form Content-Type and
`X-Requested-With: XMLHttpRequest` is answered 200 with every Chinese character as `?`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from monitor.replay.loopback import HTML, Answer
from monitor.replay.sites import Request, SmallSite

API_PATH = "/edi_ecms_web_front/front/column/getColumnList"
ROWS_PER_PAGE = 20
COLUMN_NAMES = {9: "管制清单及公告", 17: "常见问题", 10: "国内法规"}
_JSON = "application/json;charset=UTF-8"


@dataclass(frozen=True)
class Row:
    column: int
    path: str  # /article/zcfg/gnzcfg/zcfggzqd/202510/<n>.html
    title: str
    published: dt.date
    paragraphs: tuple[str, ...]
    source: str = "商务部"
    seq: int = 0


class ExportControlSite(SmallSite):
    name = "exportcontrol"

    def __init__(self, *, challenge_cookie: bool = False) -> None:
        super().__init__(challenge_cookie=challenge_cookie)
        self._rows: list[Row] = []

    def publish(
        self, column: int, path: str, title: str, published: dt.date, paragraphs: list[str],
        *, source: str = "商务部",
    ) -> None:  # fmt: skip
        with self._lock:
            row = Row(column, path, title, published, tuple(paragraphs), source, len(self._rows))
            self._rows.append(row)

    def route(self, request: Request) -> Answer:
        path = urlsplit(request.target).path
        for row in self._rows:
            if row.path == path:
                return Answer(200, article_page(row), HTML)
        return Answer(404, b"<html><body>404</body></html>")

    def route_post(self, request: Request) -> Answer:
        if urlsplit(request.target).path != API_PATH:
            return Answer(404, b"<html><body>404</body></html>")
        form = parse_qs(request.body.decode("ascii", "replace"))
        try:
            column = int((form.get("columnID") or [""])[0])
            page_no = max(1, int((form.get("pageNumber") or ["1"])[0]))
        except ValueError:
            return self.refusal()
        rows = sorted((r for r in self._rows if r.column == column),
                      key=lambda r: (r.published, r.seq), reverse=True)  # fmt: skip
        shown = rows[(page_no - 1) * ROWS_PER_PAGE : page_no * ROWS_PER_PAGE]
        answer = {
            "pageInfo": {
                "pageNumber": page_no, "pageSize": ROWS_PER_PAGE, "total": len(rows),
                "maxPageNum": max(1, math.ceil(len(rows) / ROWS_PER_PAGE)),
                "rows": [_row_json(r) for r in shown],
            }
        }  # fmt: skip
        text = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
        headers = request.headers
        if not (
            headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
            and headers.get("x-requested-with") == "XMLHttpRequest"
        ):
            text = "".join("?" if ord(c) > 0x7F else c for c in text)  # the real trap
        return Answer(200, text.encode(), _JSON)

    def refusal(self) -> Answer:
        body = {"success": False, "msg": "系统繁忙，请稍后再试", "pageInfo": None}
        return Answer(200, json.dumps(body, ensure_ascii=False).encode(), _JSON)


def _row_json(row: Row) -> dict[str, object]:
    content = "".join(f"<p>{html.escape(p)}</p>" for p in row.paragraphs)
    return {
        "id": f"{row.published:%Y%m%d}{row.seq:04d}", "title": row.title, "url": row.path,
        "publishTimeStr": f"{row.published:%Y-%m-%d}", "source": row.source,
        "content": content if row.column == 9 else "",
        "columnName": COLUMN_NAMES.get(row.column, ""),
    }  # fmt: skip


def article_page(row: Row) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in row.paragraphs)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<meta name="ArticleTitle" content="{html.escape(row.title)}">'
        f"<title>{html.escape(row.title)}</title></head><body>"
        f'<h1>{html.escape(row.title)}</h1><div class="art-con">{body}</div>'
        "</body></html>"
    ).encode()
