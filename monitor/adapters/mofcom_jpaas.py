"""`mofcom-jpaas`: www / aqygzj column lists through the jpaas "unit" API (mofcom-site.md §2).

Steady state is ONE request: page 1 of the list API with conditional GET; a 304 or an
unchanged body hash ends the poll without parsing. Otherwise pages are read while every
item on them is new (`first_run_pages` deep on the first run, back to `since` on a
backfill), and each new detail page is fetched and parsed; any failure raises so nothing
half-read is stored.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit

from bs4 import BeautifulSoup

from monitor.adapters.base import ListedItem, PollResult, Progress, SourceState
from monitor.adapters.guard import parsing
from monitor.adapters.mofcom_detail import parse_detail
from monitor.adapters.recheck import PageValidators
from monitor.adapters.text import normalise_line
from monitor.annex import AnnexResult, iframe_links, page_table_items, read_annex
from monitor.errors import FetchError, ParseError, SourceError
from monitor.fetch.options import FETCH_OPTIONS
from monitor.fetch.urls import from_wire, source_hosts
from monitor.models import Attachment, Page, RawNotice, SourceDef, Validators

if TYPE_CHECKING:  # the HTTP stack is not needed to read source definitions
    from monitor.fetch.client import Fetcher

log = logging.getLogger(__name__)

ANNEX_CACHE_SIZE = 64
LIST_API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
DETAIL_SUFFIXES = (".html", ".htm", ".shtml")
JPAAS_OPTIONS = frozenset(
    {"web_id", "tpl_set_id", "page_id", "tag_id", "parse_type", "api_path", "page_size",
     "first_run_pages", "max_pages", "xhr", "fetch_attachments"}
)  # fmt: skip

MAX_RECHECKS_PER_POLL = 48  # pages off the list re-read in one poll (adapters/recheck.py)
_DATE = re.compile(r"(\d{4})\s*-\s*(\d{1,2})\s*-\s*(\d{1,2})")
_SHELL_PAIR = re.compile(r"""["']?(\w+)["']?\s*[:=]\s*["']([^"']*)["']""")
_SHELL_KEYS = {"webId": "web_id", "tplSetId": "tpl_set_id", "pageId": "page_id",
               "tagId": "tag_id", "parseType": "parse_type"}  # fmt: skip


@dataclass(frozen=True)
class JpaasIds:
    web_id: str
    tpl_set_id: str
    page_id: str
    tag_id: str = "分页列表"
    parse_type: str = "bulidstatic"  # sic
    api_path: str = LIST_API_PATH


@dataclass(frozen=True)
class ListPage:
    items: tuple[ListedItem, ...]
    count: int | None  # total items in the column, from div.pagination


def list_api_url(column_url: str, ids: JpaasIds, page_no: int, page_size: int) -> str:
    """The canonical list-API URL, parameters in the order the site's own script uses."""
    parts = urlsplit(column_url)
    param_json = json.dumps({"pageNo": page_no, "pageSize": page_size}, separators=(",", ":"))
    params = (
        ("parseType", ids.parse_type), ("webId", ids.web_id), ("tplSetId", ids.tpl_set_id),
        ("pageType", "column"), ("tagId", ids.tag_id), ("editType", "null"),
        ("pageId", ids.page_id), ("paramJson", param_json),
    )  # fmt: skip
    query = "&".join(f"{key}={quote(value, safe='')}" for key, value in params)
    return f"{parts.scheme}://{parts.netloc}{ids.api_path}?{query}"


def parse_list_answer(page_text: str, page_url: str, source: SourceDef | None = None) -> ListPage:
    """Envelope `{"code":"200","success":true,"data":{"html":…}}` → the list items.

    Raises FetchError("bad_envelope") for any other envelope, ParseError("layout") when
    the list is missing or empty although `count` says it is not (or the parsers fail:
    adapters/guard.py).
    """
    with parsing(page_url, "list answer"):
        return _parse_list_answer(page_text, page_url, source)


def _parse_list_answer(page_text: str, page_url: str, source: SourceDef | None) -> ListPage:
    try:
        answer = json.loads(page_text)
    except ValueError as error:
        raise FetchError("bad_envelope", f"not JSON: {error}", page_url) from error
    data = answer.get("data") if isinstance(answer, dict) else None
    if not (
        isinstance(answer, dict)
        and answer.get("code") == "200"
        and answer.get("success") is True
        and isinstance(data, dict)
        and isinstance(data.get("html"), str)
    ):
        raise FetchError("bad_envelope", f"unexpected envelope {page_text[:120]!r}", page_url)
    return parse_list_html(data["html"], page_url, source)


def parse_list_html(markup: str, page_url: str, source: SourceDef | None = None) -> ListPage:
    soup = BeautifulSoup(markup, "lxml")
    listing = soup.select_one("ul.txtList_01")
    if listing is None:
        raise ParseError("layout", "no ul.txtList_01 in the list answer", page_url)
    items: dict[str, ListedItem] = {}
    for entry in listing.find_all("li"):
        link = entry.find("a", href=True)
        href = link.get("href") if link is not None else None
        if link is None or not isinstance(href, str) or not href.strip():
            continue
        url = urljoin(page_url, href.strip())
        if source is not None:
            url = from_wire(source, url)
        title_attr = link.get("title")
        title = normalise_line(title_attr if isinstance(title_attr, str) else "") or (
            normalise_line(link.get_text(" "))
        )
        stamp = entry.find("span")
        items.setdefault(url, ListedItem(url, title, _date(stamp.get_text() if stamp else "")
                                         or _date(entry.get_text())))  # fmt: skip
    pagination = soup.select_one("div.pagination")
    count = _int(pagination.get("count")) if pagination is not None else None
    if not items and (count is None or count > 0):
        raise ParseError("layout", f"empty list (count={count})", page_url)
    return ListPage(tuple(items.values()), count)


def parse_shell_ids(html: str, url: str | None = None) -> dict[str, str]:
    """jpaas ids from the column shell's `queryData="…"` / `url="…"` attributes."""
    with parsing(url, "column shell"):
        soup = BeautifulSoup(html, "lxml")
    found: dict[str, str] = {}
    for element in soup.find_all(True, attrs={"querydata": True}):
        query_data = element.get("querydata")
        if isinstance(query_data, str):
            for key, value in _SHELL_PAIR.findall(query_data):
                if key in _SHELL_KEYS and value:
                    found.setdefault(_SHELL_KEYS[key], value)
        api = element.get("url")
        if isinstance(api, str) and "jpaas" in api:
            found.setdefault("api_path", urlsplit(api).path)
        if {"web_id", "tpl_set_id", "page_id"} <= found.keys():
            break
    return found


class MofcomJpaasAdapter:
    options = JPAAS_OPTIONS | FETCH_OPTIONS

    def __init__(self) -> None:
        self._discovered: dict[str, JpaasIds] = {}
        self._lock = threading.Lock()
        self.validators = PageValidators()
        # Rechecks fetch the same annexes again and again: read each distinct file once.
        self._annexes: OrderedDict[tuple[str, str, str], AnnexResult] = OrderedDict()

    def read_annex(self, data: bytes, sha256: str, name: str, url: str) -> AnnexResult:
        key = (sha256, name, url)
        with self._lock:
            if key in self._annexes:
                self._annexes.move_to_end(key)
                return self._annexes[key]
        result = read_annex(data, name, url)
        with self._lock:
            self._annexes[key] = result
            while len(self._annexes) > ANNEX_CACHE_SIZE:
                self._annexes.popitem(last=False)
        return result

    def poll(
        self,
        source: SourceDef,
        fetcher: Fetcher,
        state: SourceState,
        *,
        since: date | None = None,
        progress: Progress | None = None,
    ) -> PollResult:
        return _Poll(self, source, fetcher, state, since=since, progress=progress).run()

    def known_ids(self, source: SourceDef) -> JpaasIds | None:
        """Ids read from the shell earlier in this process, else those of the options."""
        with self._lock:
            if source.id in self._discovered:
                return self._discovered[source.id]
        return ids_from_options(source.options)

    def remember(self, source: SourceDef, ids: JpaasIds) -> None:
        with self._lock:
            self._discovered[source.id] = ids


def ids_from_options(options: Mapping[str, Any], extra: Mapping[str, str] | None = None
                     ) -> JpaasIds | None:  # fmt: skip
    merged = {**{k: v for k, v in options.items() if isinstance(v, str) and v}, **(extra or {})}
    if not {"web_id", "tpl_set_id", "page_id"} <= merged.keys():
        return None
    fields = ("web_id", "tpl_set_id", "page_id", "tag_id", "parse_type", "api_path")
    return JpaasIds(**{k: merged[k] for k in fields if k in merged})


class _Poll:
    """One poll of one source; counts its requests."""

    def __init__(
        self,
        adapter: MofcomJpaasAdapter,
        source: SourceDef,
        fetcher: Fetcher,
        state: SourceState,
        *,
        since: date | None,
        progress: Progress | None,
    ) -> None:
        self.adapter, self.source, self.fetcher, self.state = adapter, source, fetcher, state
        self.since, self.progress = since, progress
        self.requests = 0
        self.steps = 0
        self.recheck_only: set[str] = set()
        options = source.options
        self.page_size = int(options.get("page_size", 15))
        self.headers = {"Referer": source.url}
        # The site's script sends the list call as XHR; detail pages are plain navigations.
        self.api_headers = dict(self.headers)
        if options.get("xhr"):
            self.api_headers["X-Requested-With"] = "XMLHttpRequest"

    def get(self, url: str, **kwargs: Any) -> Page:
        self.requests += 1
        return self.fetcher.get(self.source, url, **kwargs)

    def step(self, total: int | None) -> None:
        self.steps += 1
        if self.progress is not None:
            self.progress(self.steps, total)

    def run(self) -> PollResult:
        state, source = self.state, self.source
        conditional = not (state.first_run or state.recheck_due or self.since)
        validators = state.list_validators if conditional else None
        ids, first, listing = self.first_page(validators)
        new_validators = Validators(first.etag, first.last_modified, first.sha256)
        if listing is None:
            return PollResult(unchanged=True, list_validators=new_validators,
                              requests=self.requests)  # fmt: skip
        pages = [listing]
        self.step(None)
        total_pages = self.total_pages(pages[0])
        while self.wants_next(pages[-1], len(pages), total_pages):
            page = self.get(self.list_url(ids, len(pages) + 1), headers=self.api_headers,
                            expect="json")  # fmt: skip
            pages.append(parse_list_answer(page.text, page.url, source))
            self.step(None)
        listed = _unique_items(item for page in pages for item in page.items)
        notices = self.read_details(self.to_read(pages, listed))
        return PollResult(
            unchanged=False, notices=notices, listed=listed,
            window_start=_window_start(pages[-1], len(pages), total_pages),
            list_validators=new_validators, requests=self.requests,
        )  # fmt: skip

    # -- list ------------------------------------------------------------------------

    def list_url(self, ids: JpaasIds, page_no: int) -> str:
        return list_api_url(self.source.url, ids, page_no, self.page_size)

    def first_page(self, validators: Validators | None) -> tuple[JpaasIds, Page, ListPage | None]:
        """Page 1; its listing is None when it is unchanged (then nothing is parsed)."""
        ids = self.adapter.known_ids(self.source) or self.discover()
        page = self.get(self.list_url(ids, 1), headers=self.api_headers, validators=validators,
                        expect="json")  # fmt: skip
        if validators is not None and (page.not_modified or page.sha256 == validators.sha256):
            return ids, page, None
        try:
            return ids, page, parse_list_answer(page.text, page.url, self.source)
        except FetchError as error:
            if error.reason != "bad_envelope":
                raise
            found = self.discover()
            if found == ids:
                raise
        page = self.get(self.list_url(found, 1), headers=self.api_headers, expect="json")
        return found, page, parse_list_answer(page.text, page.url, self.source)

    def discover(self) -> JpaasIds:
        """Read the ids from the column shell (also collects the site's cookies)."""
        shell = self.get(self.source.url, expect="html")
        ids = ids_from_options(self.source.options, parse_shell_ids(shell.text, shell.url))
        if ids is None:
            raise ParseError("layout", "column shell has no jpaas ids", self.source.url)
        self.adapter.remember(self.source, ids)
        log.info("%s: jpaas ids read from the column shell: %s", self.source.id, ids)
        return ids

    def total_pages(self, first: ListPage) -> int | None:
        return math.ceil(first.count / self.page_size) if first.count is not None else None

    def wants_next(self, last: ListPage, read: int, total: int | None) -> bool:
        more = len(last.items) >= self.page_size if total is None else read < total
        if not more:
            return False
        if self.since is not None:
            dates = [item.published for item in last.items if item.published]
            return bool(dates) and min(dates) >= self.since
        if self.state.first_run:
            return read < int(self.source.options.get("first_run_pages", 3))
        if read >= int(self.source.options.get("max_pages", 10)):
            return False
        return all(item.url not in self.state.known_urls for item in last.items)

    # -- details -----------------------------------------------------------------------

    def to_read(self, pages: list[ListPage], listed: tuple[ListedItem, ...]
                ) -> list[ListedItem]:  # fmt: skip
        known = self.state.known_urls
        wanted = [item for item in listed if item.url not in known]
        if self.since is not None:
            wanted = [i for i in wanted if i.published is None or i.published >= self.since]
        if self.state.recheck_due:
            wanted += [item for item in pages[0].items if item.url in known]
        on_pages = {item.url for item in wanted}  # read anyway (new, or on page 1)
        extra = [
            u for u in sorted(self.state.recheck_urls) if u not in on_pages and self.is_detail(u)
        ]
        # After a long outage every bucket is due at once: keep one poll within its deadline.
        self.recheck_only = set(extra[:MAX_RECHECKS_PER_POLL])
        by_url = {item.url: item for item in listed}
        wanted += [by_url.get(url, ListedItem(url, "", None)) for url in sorted(self.recheck_only)]
        return list(_unique_items(wanted))

    def is_detail(self, url: str) -> bool:
        parts = urlsplit(url)
        own = source_hosts(self.source)
        return (parts.hostname or "").lower() in own and parts.path.endswith(DETAIL_SUFFIXES)

    def read_details(self, items: list[ListedItem]) -> tuple[RawNotice, ...]:
        own = source_hosts(self.source)
        fetch_files = bool(self.source.options.get("fetch_attachments", True))
        notices: list[RawNotice] = []
        total = self.steps + len(items)
        for item in items:
            parts = urlsplit(item.url)
            if (parts.hostname or "").lower() not in own or not parts.path.endswith(
                DETAIL_SUFFIXES
            ):
                notices.append(_title_only(self.source, item))
            elif item.url in self.recheck_only:
                # A notice off the pages read: a failure here must not fail the poll.
                try:
                    notice = self.read_detail(item, own, fetch_files, conditional=True)
                    if notice is not None:  # None: 304, unchanged since the last read
                        notices.append(notice)
                except SourceError as error:
                    log.warning("%s: recheck of %s: %s", self.source.id, item.url, error)
            else:
                notice = self.read_detail(item, own, fetch_files)
                if notice is not None:  # always: only a conditional read can be unchanged
                    notices.append(notice)
            self.step(total)
        return tuple(notices)

    def read_detail(
        self, item: ListedItem, own: frozenset[str], fetch_files: bool, *, conditional: bool = False
    ) -> RawNotice | None:
        known = self.adapter.validators.get(item.url) if conditional else None
        page = self.get(item.url, headers=self.headers, expect="html", validators=known)
        if page.not_modified:
            return None
        self.adapter.validators.remember(
            item.url, Validators(page.etag, page.last_modified, page.sha256)
        )
        notice = parse_detail(page.text, item.url, self.source.id)
        if not notice.title:
            notice = replace(notice, title=item.title)
        if notice.published is None and item.published is not None:
            notice = replace(notice, published=item.published)
        notice = replace(notice, table_items=page_table_items(page.text))
        frames = tuple(
            Attachment(url, name)
            for url, name in iframe_links(page.text, item.url)
            if (urlsplit(url).hostname or "").lower() in own
            and url not in {a.url for a in notice.attachments}
        )
        if frames:
            notice = replace(notice, attachments=(*notice.attachments, *frames))
        if fetch_files and notice.attachments:
            notice = replace(notice, attachments=self.hash_files(notice, own))
        return notice

    def hash_files(self, notice: RawNotice, own: frozenset[str]) -> tuple[Attachment, ...]:
        hashed: list[Attachment] = []
        for attachment in notice.attachments:
            if (urlsplit(attachment.url).hostname or "").lower() not in own:
                hashed.append(attachment)
                continue
            try:
                page = self.get(attachment.url, headers={"Referer": notice.url},
                                expect="binary")  # fmt: skip
            except FetchError as error:
                # An attachment that cannot be read must not block the notice itself.
                log.warning("%s: attachment %s: %s", self.source.id, attachment.url, error)
                hashed.append(replace(attachment, error=f"fetch: {error}"))
                continue
            read = self.adapter.read_annex(page.body, page.sha256, attachment.name, attachment.url)
            if read.error is not None:
                log.warning("%s: annex %s not read: %s", self.source.id, attachment.url,
                            read.error)  # fmt: skip
            hashed.append(
                replace(
                    attachment, sha256=page.sha256, items=read.items, error=read.error, read=True
                )
            )
        return tuple(hashed)


def _title_only(source: SourceDef, item: ListedItem) -> RawNotice:
    """A listed link that is not a detail page of this site (a PDF, another host)."""
    path = urlsplit(item.url).path
    files = () if path.endswith(DETAIL_SUFFIXES) else (Attachment(item.url, item.title),)
    return RawNotice(source_id=source.id, url=item.url, title=item.title, text=item.title,
                     published=item.published, attachments=files)  # fmt: skip


def _window_start(last: ListPage, read: int, total: int | None) -> date | None:
    dates = [item.published for item in last.items if item.published is not None]
    if not dates:
        return None
    if total is not None and read >= total:
        return min(dates)  # the whole column was read
    # Items of the oldest date may continue on the next page: only the day after is whole.
    return min(dates) + timedelta(days=1)


def _unique_items(items: Any) -> tuple[ListedItem, ...]:
    seen: dict[str, ListedItem] = {}
    for item in items:
        seen.setdefault(item.url, item)
    return tuple(seen.values())


def _date(text: str) -> date | None:
    match = _DATE.search(text)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None
