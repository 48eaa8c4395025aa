"""`mofcom-exportcontrol`: exportcontrol.mofcom.gov.cn's column API (mofcom-site.md §3).

`POST /edi_ecms_web_front/front/column/getColumnList`, form `pageNumber=<n>&columnID=<id>
&title=`, answered `{"pageInfo": {"rows": [...], "maxPageNum": N}}` (20 rows a page), each
row with `id`, `title`, `url` (relative), `publishTimeStr`, `source`, `content` (the full
text, may be empty), `columnName`. Rows carry their text, so no detail page is read.

Traps: without `Content-Type: application/x-www-form-urlencoded` and `X-Requested-With:
XMLHttpRequest` the site still answers 200 but every Chinese character is `?`; a title of
`?` and no CJK is a failure (`mojibake`), never a notice. `success: false` or any other
envelope is `bad_envelope`. The POST has no validators: an unchanged first page is
recognised by its body hash, before anything is parsed.

Options: `column_id` (required; 9 control announcements, 17 FAQ: unverified), `api_path`,
`page_size` (rows a page, 20), `first_run_pages`, `max_pages`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from monitor.adapters import listing
from monitor.adapters.base import ListedItem, PollResult, Progress, SourceState
from monitor.adapters.text import html_to_text, normalise_line
from monitor.errors import ConfigError, FetchError
from monitor.fetch.urls import from_wire
from monitor.models import Page, RawNotice, SourceDef

if TYPE_CHECKING:  # the HTTP stack is not needed to read source definitions
    from monitor.fetch.client import Fetcher

API_PATH = "/edi_ecms_web_front/front/column/getColumnList"
EXPORTCONTROL_OPTIONS = frozenset(
    {"column_id", "api_path", "page_size", "first_run_pages", "max_pages"}
)
XHR_HEADERS = {"X-Requested-With": "XMLHttpRequest"}
_CJK = re.compile(r"[\u3400-\u9fff]")


def api_url(source: SourceDef) -> str:
    parts = urlsplit(source.url)
    return f"{parts.scheme}://{parts.netloc}{source.options.get('api_path', API_PATH)}"


def parse_rows(page: Page, source: SourceDef) -> tuple[tuple[RawNotice, ...], int | None]:
    """One API answer → its rows as notices, and `maxPageNum`."""
    try:
        answer = json.loads(page.text)
    except ValueError as error:
        raise FetchError("bad_envelope", f"not JSON: {error}", page.url) from error
    info = answer.get("pageInfo") if isinstance(answer, dict) else None
    rows = info.get("rows") if isinstance(info, dict) else None
    if (
        not isinstance(answer, dict)
        or answer.get("success") is False
        or not isinstance(rows, list)
        or not rows
    ):
        raise FetchError("bad_envelope", f"unexpected answer {page.text[:120]!r}", page.url)
    notices = tuple(_row(row, page, source) for row in rows if isinstance(row, dict))
    titled = [n for n in notices if n.title]
    if not titled:
        raise FetchError("bad_envelope", "no row with a title and a URL", page.url)
    if any("?" in n.title and not _CJK.search(n.title) for n in titled):
        raise FetchError("mojibake", "titles arrived as '?': the request headers were refused",
                         page.url)  # fmt: skip
    max_page = info.get("maxPageNum") if isinstance(info, dict) else None
    return tuple(n for n in titled), max_page if isinstance(max_page, int) else None


def _row(row: Mapping[str, Any], page: Page, source: SourceDef) -> RawNotice:
    href = str(row.get("url") or "").strip()
    base = f"{urlsplit(source.url).scheme}://{urlsplit(source.url).netloc}/"
    url = from_wire(source, urljoin(base, href)) if href else ""
    title = normalise_line(str(row.get("title") or "")) if url else ""
    content = str(row.get("content") or "")
    text = html_to_text(content) if "<" in content else content.strip()
    return RawNotice(
        source_id=source.id, url=url, title=title, text=text or title,
        published=listing.parse_date(str(row.get("publishTimeStr") or "")),
    )  # fmt: skip


def check_options(options: Mapping[str, Any]) -> None:
    if options.get("fetch") == "browser":
        raise ConfigError("fetch", "the column API is a form POST; the browser reads GET pages")
    column = options.get("column_id")
    if column is None:
        raise ConfigError("column_id", "required key is missing")
    if isinstance(column, bool) or not isinstance(column, int | str) or not str(column).strip():
        raise ConfigError("column_id", f"expected a column number, got {column!r}")
    listing.need_text(options, "api_path")
    listing.need_count(options, "page_size", high=200)
    listing.need_count(options, "first_run_pages")
    listing.need_count(options, "max_pages")


class MofcomExportcontrolAdapter:
    options = EXPORTCONTROL_OPTIONS

    def check_options(self, options: Mapping[str, Any]) -> None:
        check_options(options)

    def poll(
        self,
        source: SourceDef,
        fetcher: Fetcher,
        state: SourceState,
        *,
        since: date | None = None,
        progress: Progress | None = None,
    ) -> PollResult:
        validators = listing.conditional_validators(state, since)
        first = self._page(source, fetcher, 1)
        requests = 1
        if listing.unchanged(first, validators):
            return listing.unchanged_result(first, requests)
        notices, max_page = parse_rows(first, source)
        pages = [notices]
        while listing.wants_next_page(
            source, state, _listed(pages[-1]), read=len(pages), since=since,
            more=len(pages) < max_page if max_page is not None else
            len(pages[-1]) >= int(source.options.get("page_size", 20)),
        ):  # fmt: skip
            requests += 1
            page_notices, _ = parse_rows(self._page(source, fetcher, len(pages) + 1), source)
            pages.append(page_notices)
            if progress is not None:
                progress(len(pages), max_page)
        every: dict[str, RawNotice] = {}
        for notice in (n for notices in pages for n in notices):
            every.setdefault(notice.url, notice)
        listed = _listed(every.values())
        complete = max_page is not None and len(pages) >= max_page
        return PollResult(
            unchanged=False, notices=listing.wanted_notices(every.values(), state, since),
            listed=listed, window_start=listing.window_start(_listed(pages[-1]), complete=complete),
            list_validators=listing.page_validators(first), requests=requests,
        )  # fmt: skip

    @staticmethod
    def _page(source: SourceDef, fetcher: Fetcher, number: int) -> Page:
        form = {"pageNumber": str(number), "columnID": str(source.options["column_id"]),
                "title": ""}  # fmt: skip
        headers = {**XHR_HEADERS, "Referer": source.url}
        return fetcher.post_form(source, api_url(source), form, headers=headers)


def _listed(notices: Any) -> tuple[ListedItem, ...]:
    return tuple(ListedItem(n.url, n.title, n.published) for n in notices)
