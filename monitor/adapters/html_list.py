"""`html-list`: a static list page read with CSS selectors named in the definition file.

For GACC's 海关总署公告 list, english.mofcom.gov.cn's announcement lists, the spokesperson
column and similar (mofcom-site.md §1, §4, §7). Options:

    item = "ul.txtList_01 li"   one element per listed notice (required)
    link = "a[href]"            the link inside an item (its href is the notice's URL)
    title = "a"                 the element holding the title inside an item
    title_attr = "title"        take the title from this attribute when present (full
                                titles; link text is often truncated), else the text
    date = "span"               the element holding the date (YYYY-MM-DD, brackets allowed)
    page_url = "index_{n}.html" page n >= 2 of the list, relative to `url` ({n} 1-based,
                                {i} 0-based); without it only the first page is read
    detail = "none"             "none": each item is a notice by its title alone;
                                "mofcom": read each new item's detail page (mofcom-site.md §4)
    language = "en"             the language of this list's notices (default: from the page)
    first_run_pages, max_pages  paging limits (baseline / incremental poll)

Steady state is one conditional request (page 1) and no parsing when it is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from soupsieve import SelectorSyntaxError

from monitor.adapters import listing
from monitor.adapters.base import ListedItem, PollResult, Progress, SourceState
from monitor.adapters.mofcom_detail import parse_detail
from monitor.adapters.text import guess_language, normalise_line
from monitor.errors import ConfigError, FetchError, ParseError
from monitor.fetch.urls import from_wire, source_hosts
from monitor.models import Attachment, Page, RawNotice, SourceDef

if TYPE_CHECKING:  # the HTTP stack is not needed to read source definitions
    from monitor.fetch.client import Fetcher

HTML_LIST_OPTIONS = frozenset(
    {"item", "link", "title", "title_attr", "date", "page_url", "detail", "language",
     "first_run_pages", "max_pages"}
)  # fmt: skip
DETAIL_SUFFIXES = (".html", ".htm", ".shtml")
LANGUAGES = ("zh-Hans", "zh-Hant", "en")


@dataclass(frozen=True)
class Selectors:
    item: str
    link: str = "a[href]"
    title: str = "a"
    title_attr: str = "title"
    date: str = "span"

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> Selectors:
        keys = ("item", "link", "title", "title_attr", "date")
        return cls(**{k: str(options[k]) for k in keys if k in options})


def parse_list(markup: str, page_url: str, selectors: Selectors, source: SourceDef | None = None
               ) -> tuple[ListedItem, ...]:  # fmt: skip
    """List page → its items (first occurrence of a URL wins). Raises ParseError("layout")
    when no item matches: an empty list is never "no change"."""
    soup = BeautifulSoup(markup, "lxml")
    items: dict[str, ListedItem] = {}
    for entry in soup.select(selectors.item):
        item = _item(entry, page_url, selectors, source)
        if item is not None:
            items.setdefault(item.url, item)
    if not items:
        raise ParseError("layout", f"no {selectors.item!r} item with a link on the list", page_url)
    listing.reject_lost_characters((item.title for item in items.values()), page_url)
    return tuple(items.values())


def _item(entry: Tag, page_url: str, selectors: Selectors, source: SourceDef | None
          ) -> ListedItem | None:  # fmt: skip
    link = (
        entry if entry.name == "a" and entry.has_attr("href") else entry.select_one(selectors.link)
    )
    href = link.get("href") if link is not None else None
    if (
        not isinstance(href, str)
        or not href.strip()
        or href.strip().startswith(("#", "javascript:"))
    ):
        return None
    url = urljoin(page_url, href.strip())
    if source is not None:
        url = from_wire(source, url)
    holder = entry.select_one(selectors.title) or link
    attribute = holder.get(selectors.title_attr) if holder is not None else None
    title = normalise_line(attribute if isinstance(attribute, str) else "") or normalise_line(
        holder.get_text(" ") if holder is not None else ""
    )
    stamp = entry.select_one(selectors.date)
    published = listing.parse_date(stamp.get_text() if stamp is not None else "")
    return ListedItem(url, title, published or listing.parse_date(entry.get_text(" ")))


def page_url(source: SourceDef, number: int) -> str:
    """The canonical URL of list page `number` (1 is the definition's `url`)."""
    if number == 1:
        return source.url
    pattern = str(source.options["page_url"])
    return urljoin(source.url, pattern.format(n=number, i=number - 1))


def check_options(options: Mapping[str, Any]) -> None:
    listing.need_text(options, "item", required=True)
    for key in ("link", "title", "title_attr", "date", "page_url"):
        listing.need_text(options, key)
    for key in ("item", "link", "title", "date"):
        if key in options:
            try:
                BeautifulSoup("", "lxml").select(str(options[key]))
            except SelectorSyntaxError as error:
                raise ConfigError(key, f"not a CSS selector: {error}") from None
    if "page_url" in options:
        try:
            str(options["page_url"]).format(n=2, i=1)
        except (KeyError, IndexError, ValueError) as error:
            raise ConfigError(
                "page_url", f"only {{n}} and {{i}} may be filled in: {error}"
            ) from None
    listing.need_choice(options, "detail", ("none", "mofcom"))
    listing.need_choice(options, "language", LANGUAGES)
    listing.need_count(options, "first_run_pages")
    listing.need_count(options, "max_pages")


class HtmlListAdapter:
    options = HTML_LIST_OPTIONS

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
        selectors = Selectors.of(source.options)
        validators = listing.conditional_validators(state, since)
        first = fetcher.get(source, source.url, validators=validators, expect="html")
        requests = 1
        if listing.unchanged(first, validators):
            return listing.unchanged_result(first, requests)
        pages = [parse_list(first.text, first.final_url, selectors, source)]
        paged = "page_url" in source.options
        complete = not paged
        while listing.wants_next_page(source, state, pages[-1], read=len(pages), since=since,
                                      more=paged and not complete):  # fmt: skip
            url = page_url(source, len(pages) + 1)
            requests += 1
            try:
                page = fetcher.get(source, url, expect="html")
            except FetchError as error:
                if error.reason != "http_status" or "HTTP 404" not in str(error):
                    raise
                complete = True  # past the last page
                break
            pages.append(parse_list(page.text, page.final_url, selectors, source))
            complete = len(pages[-1]) < len(pages[0])  # a short page is the last one
            if progress is not None:
                progress(len(pages), None)
        listed = tuple(listing.unique(i for items in pages for i in items).values())
        notices, detail_requests = self._read(source, fetcher, state, since, listed)
        return PollResult(
            unchanged=False, notices=notices, listed=listed,
            window_start=listing.window_start(pages[-1], complete=complete),
            list_validators=listing.page_validators(first), requests=requests + detail_requests,
        )  # fmt: skip

    def _read(
        self,
        source: SourceDef,
        fetcher: Fetcher,
        state: SourceState,
        since: date | None,
        listed: tuple[ListedItem, ...],
    ) -> tuple[tuple[RawNotice, ...], int]:
        language = source.options.get("language")
        fixed = str(language) if isinstance(language, str) else None
        details = source.options.get("detail", "none") == "mofcom"
        own = source_hosts(source)
        notices: list[RawNotice] = []
        requests = 0
        for item in listing.to_read(listed, state, since):
            parts = urlsplit(item.url)
            readable = (parts.hostname or "").lower() in own and parts.path.endswith(
                DETAIL_SUFFIXES
            )
            if details and readable:
                requests += 1
                page = fetcher.get(source, item.url, expect="html")
                notices.append(_detail(page, item, source, fixed))
            else:
                notices.append(title_only(source, item, fixed))
        return tuple(notices), requests


def _detail(page: Page, item: ListedItem, source: SourceDef, language: str | None) -> RawNotice:
    notice = parse_detail(page.text, item.url, source.id)
    notice = replace(
        notice,
        title=notice.title or item.title,
        published=notice.published or item.published,
    )
    return replace(notice, language=language) if language else notice


def title_only(source: SourceDef, item: ListedItem, language: str | None = None) -> RawNotice:
    """A listed notice known by its title and link alone (a PDF link is its attachment)."""
    path = urlsplit(item.url).path.lower()
    files = () if path.endswith(DETAIL_SUFFIXES) or path.endswith("/") else (
        Attachment(item.url, item.title),
    )  # fmt: skip
    return RawNotice(
        source_id=source.id, url=item.url, title=item.title, text=item.title,
        published=item.published, language=language or guess_language(item.title),
        attachments=files,
    )  # fmt: skip
