"""`govcn-search`: the State Council policy-library search (mofcom-site.md §8).

`GET https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary_bm&q=<term>&p=<page>&n=<size>`
answers `{"code": 200, "searchVO": {...}}` with the hits in
`searchVO.catMap.{gongwen,bumenfile,otherfile}.listVO[]` or `searchVO.listVO[]`, each with
`title`, `url`, `puborg`, `pcode` (the document number), `pubtime` (ms) / `pubtimeStr`
(all unverified). A hit is a copy of a notice on www.gov.cn: it is read from the search
answer alone (title, number, issuer, date), so `pcode` files it under the notice's
doc_key; a cross-check when MOFCOM blocks crawlers. Search answers are not complete
listings, so nothing is inferred withdrawn from them.

Options: `query` (required), `library` (the `t` parameter, default zhengcelibrary_bm),
`page_size` (n, default 20). Steady state is one conditional GET of page 1.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from monitor.adapters import listing
from monitor.adapters.base import ListedItem, PollResult, Progress, SourceState
from monitor.adapters.text import html_to_text, normalise_line
from monitor.clock import BEIJING_OFFSET
from monitor.errors import FetchError
from monitor.models import Page, RawNotice, SourceDef

if TYPE_CHECKING:  # the HTTP stack is not needed to read source definitions
    from monitor.fetch.client import Fetcher

SEARCH_PATH = "/search-gov/data"
GOVCN_OPTIONS = frozenset({"query", "library", "page_size"})
LIBRARIES = ("zhengcelibrary_bm", "zhengcelibrary", "zhengce")
CATEGORIES = ("gongwen", "bumenfile", "otherfile")


def search_url(source: SourceDef, page: int = 1) -> str:
    options = source.options
    parts = urlsplit(source.url)
    params = (
        ("t", str(options.get("library", "zhengcelibrary_bm"))),
        ("q", str(options["query"])),
        ("p", str(page)),
        ("n", str(options.get("page_size", 20))),
    )
    query = "&".join(f"{key}={quote(value, safe='')}" for key, value in params)
    return f"{parts.scheme}://{parts.netloc}{SEARCH_PATH}?{query}"


def parse_hits(page: Page, source: SourceDef) -> tuple[RawNotice, ...]:
    try:
        answer = json.loads(page.text)
    except ValueError as error:
        raise FetchError("bad_envelope", f"not JSON: {error}", page.url) from error
    search = answer.get("searchVO") if isinstance(answer, dict) else None
    if (
        not isinstance(answer, dict)
        or str(answer.get("code")) != "200"
        or not isinstance(search, dict)
    ):
        raise FetchError("bad_envelope", f"unexpected answer {page.text[:120]!r}", page.url)
    hits: list[Any] = []
    categories = search.get("catMap")
    if isinstance(categories, dict):
        for name in CATEGORIES:
            category = categories.get(name)
            if isinstance(category, dict) and isinstance(category.get("listVO"), list):
                hits.extend(category["listVO"])
    if isinstance(search.get("listVO"), list):
        hits.extend(search["listVO"])
    notices: dict[str, RawNotice] = {}
    for hit in hits:
        notice = _hit(hit, source) if isinstance(hit, dict) else None
        if notice is not None:
            notices.setdefault(notice.url, notice)
    listing.reject_lost_characters((n.title for n in notices.values()), page.url)
    return tuple(notices.values())


def _hit(hit: Mapping[str, Any], source: SourceDef) -> RawNotice | None:
    url = str(hit.get("url") or "").strip()
    # Search answers mark the query words with <em>: titles are read as text.
    title = normalise_line(html_to_text(str(hit.get("title") or "")).replace("\n", " "))
    if not url.startswith(("https://", "http://")) or not title:
        return None
    number = normalise_line(str(hit.get("pcode") or "")) or None
    issuer = normalise_line(str(hit.get("puborg") or "")) or None
    published = listing.parse_date(str(hit.get("pubtimeStr") or "")) or _from_ms(hit.get("pubtime"))
    lines = [
        title,
        f"【发布单位】{issuer}" if issuer else "",
        f"【发布文号】{number}" if number else "",
    ]
    return RawNotice(
        source_id=source.id, url=url, title=title, text="\n".join(x for x in lines if x),
        published=published, doc_number=number, issuing_unit=issuer,
    )  # fmt: skip


def _from_ms(value: object) -> date | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC).astimezone(BEIJING_OFFSET).date()
    except (OverflowError, OSError, ValueError):
        return None


def check_options(options: Mapping[str, Any]) -> None:
    listing.need_text(options, "query", required=True)
    listing.need_choice(options, "library", LIBRARIES)
    listing.need_count(options, "page_size", high=100)


class GovcnSearchAdapter:
    options = GOVCN_OPTIONS

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
        page = fetcher.get(source, search_url(source), validators=validators, expect="json")
        if progress is not None:
            progress(1, 1)
        if listing.unchanged(page, validators):
            return listing.unchanged_result(page, 1)
        notices = parse_hits(page, source)
        return PollResult(
            unchanged=False, notices=listing.wanted_notices(notices, state, since),
            listed=tuple(ListedItem(n.url, n.title, n.published) for n in notices),
            list_validators=listing.page_validators(page), requests=1,
        )  # fmt: skip
