"""Static list pages replayed: english.mofcom.gov.cn, GACC, MOFCOM's press column.

Two real list shapes (mofcom-site.md §4, §7): MOFCOM's `ul.txtList_01 li` (an `a[title]`
and a `span` `[YYYY-MM-DD]`) and GACC's `ul.conList_ul li` (an `a[title]` and a `span`
`YYYY-MM-DD`). Each list is paged by a URL pattern; detail pages are served as published.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.replay.loopback import HTML, Answer
from monitor.replay.sites import Request, SmallSite

MOFCOM_STYLE = "txtList_01"
GACC_STYLE = "conList_ul"


@dataclass(frozen=True)
class ListSpec:
    """One list on the site: its first page, the pattern of page n >= 2, its shape."""

    path: str  # /Policies/AnnouncementsOrders/index.html
    page_pattern: str  # index_{n}.html, relative to the first page's folder
    style: str = MOFCOM_STYLE
    page_size: int = 20
    title: str = "Announcements and Orders"
    charset: str = "utf-8"


@dataclass(frozen=True)
class Listed:
    list_path: str
    url: str
    title: str
    published: dt.date
    page: bytes | None
    seq: int


class ListSite(SmallSite):
    def __init__(self, name: str, lists: list[ListSpec], *, challenge_cookie: bool = False
                 ) -> None:  # fmt: skip
        self.name = name
        super().__init__(challenge_cookie=challenge_cookie)
        self._lists = {spec.path: spec for spec in lists}
        self._items: list[Listed] = []

    def publish(
        self, list_path: str, url: str, title: str, published: dt.date,
        page: str | bytes | None = None,
    ) -> None:  # fmt: skip
        """Put an item at the top of a list; `page` (if any) is served at its URL."""
        if list_path not in self._lists:
            raise ValueError(f"unknown list {list_path!r}; known: {sorted(self._lists)}")
        body = page.encode() if isinstance(page, str) else page
        with self._lock:
            self._items.append(Listed(list_path, url, title, published, body, len(self._items)))

    def route(self, request: Request) -> Answer:
        path = urlsplit(request.target).path
        for spec in self._lists.values():
            number = _page_number(spec, path)
            if number is not None:
                return self._list_page(spec, number)
        for item in self._items:
            if urlsplit(item.url).path == path and item.page is not None:
                return Answer(200, item.page, HTML)
        return Answer(404, b"<html><head><title>404</title></head><body>404</body></html>")

    def _list_page(self, spec: ListSpec, number: int) -> Answer:
        items = sorted((i for i in self._items if i.list_path == spec.path),
                       key=lambda i: (i.published, i.seq), reverse=True)  # fmt: skip
        shown = items[(number - 1) * spec.page_size : number * spec.page_size]
        if number > 1 and not shown:
            return Answer(404, b"<html><head><title>404</title></head><body>404</body></html>")
        markup = render_list_page(spec, [(i.url, i.title, i.published) for i in shown])
        return Answer(200, markup.encode(spec.charset), f"text/html; charset={spec.charset}")


def _page_number(spec: ListSpec, path: str) -> int | None:
    if path == spec.path:
        return 1
    folder = spec.path.rsplit("/", 1)[0] + "/"
    if not path.startswith(folder):
        return None
    rest = path[len(folder) :]
    head, _, tail = spec.page_pattern.partition("{n}")
    if rest.startswith(head) and rest.endswith(tail) and rest[len(head) : len(rest) - len(tail)
                                                             ].isdigit():  # fmt: skip
        return int(rest[len(head) : len(rest) - len(tail)])
    return None


def render_list_page(spec: ListSpec, items: list[tuple[str, str, dt.date]]) -> str:
    """A list page in the site's shape; links are site-relative, as on the real pages."""
    rows = []
    for url, title, published in items:
        href = html.escape(urlsplit(url).path)
        short = html.escape(title if len(title) <= 28 else title[:27] + "…")
        stamp = f"[{published:%Y-%m-%d}]" if spec.style == MOFCOM_STYLE else f"{published:%Y-%m-%d}"
        rows.append(f'<li><a href="{href}" title="{html.escape(title)}" target="_blank">'
                    f"{short}</a><span>{stamp}</span></li>")  # fmt: skip
    return (
        f'<!DOCTYPE html><html><head><meta charset="{spec.charset}">'
        f"<title>{html.escape(spec.title)}</title></head><body>"
        f'<div class="main"><h2>{html.escape(spec.title)}</h2>'
        f'<ul class="{spec.style}">{"".join(rows)}</ul>'
        '<div class="pagination"></div></div></body></html>'
    )
