"""`rss`: any RSS 2.0 / Atom feed; each item becomes a RawNotice (no detail fetch).

The Fetcher gets the bytes (conditional GET, politeness, size cap); feedparser only ever
parses them from memory, never fetches. Feeds are not complete listings, so `window_start`
stays None (nothing is inferred as withdrawn from an item dropping off a feed).

A changed feed is read whole: every item goes to the pipeline, which compares it with what
is stored, so a revised item is found with the change that carries it. Hence a recheck is a
conditional request like every other poll (a 304 costs nothing more), and an unchanged
body hash ends the poll without parsing.
"""

from __future__ import annotations

import io
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import feedparser

from monitor.adapters.base import ListedItem, PollResult, Progress, SourceState
from monitor.adapters.guard import parsing
from monitor.adapters.html_tree import parse_html, tree_text
from monitor.adapters.listing import reject_lost_characters
from monitor.adapters.text import guess_language, html_to_text, normalise_line
from monitor.clock import BEIJING_OFFSET
from monitor.errors import ParseError
from monitor.fetch.options import FETCH_OPTIONS
from monitor.models import Attachment, Page, RawNotice, SourceDef, Validators

if TYPE_CHECKING:  # the HTTP stack is not needed to read source definitions
    from monitor.fetch.client import Fetcher

RSS_OPTIONS = frozenset({"language", "report"})


class RssAdapter:
    options = RSS_OPTIONS | FETCH_OPTIONS

    def poll(
        self,
        source: SourceDef,
        fetcher: Fetcher,
        state: SourceState,
        *,
        since: date | None = None,
        progress: Progress | None = None,
    ) -> PollResult:
        # The items live in the feed itself: a recheck needs no unconditional request.
        conditional = not (state.first_run or since)
        validators = state.list_validators if conditional else None
        page = fetcher.get(source, source.url, validators=validators, expect="xml")
        new_validators = Validators(page.etag, page.last_modified, page.sha256)
        if progress is not None:
            progress(1, 1)
        if validators is not None and (page.not_modified or page.sha256 == validators.sha256):
            return PollResult(unchanged=True, list_validators=new_validators, requests=1)
        notices = parse_feed(page, source)
        listed = tuple(ListedItem(n.url, n.title, n.published) for n in notices)
        wanted = [
            n for n in notices if since is None or n.published is None or n.published >= since
        ]
        return PollResult(
            unchanged=False, notices=tuple(wanted), listed=listed,
            list_validators=new_validators, requests=1,
        )  # fmt: skip


def parse_feed(page: Page, source: SourceDef) -> list[RawNotice]:
    """Feed bytes → one RawNotice per item with a link (first occurrence of a link wins).

    Raises ParseError for anything that is not a readable feed (see adapters/guard.py)."""
    with parsing(page.url, "feed"):
        return _parse_feed(page, source)


def _parse_feed(page: Page, source: SourceDef) -> list[RawNotice]:
    parsed = feedparser.parse(
        io.BytesIO(page.body),
        response_headers={
            "content-location": page.final_url,
            "content-type": page.headers.get("content-type", "application/xml"),
        },
        # Item HTML is turned into text below, never shown: feedparser's own two passes
        # over it (sanitising, resolving links) only cost time, most on deep nesting.
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    entries = parsed.get("entries") or []
    if not entries and (parsed.get("bozo") or not parsed.get("version")):
        raise ParseError("layout", f"not a feed: {parsed.get('bozo_exception')!r}", page.url)
    language = source.options.get("language")
    # A news feed's items report on notices and are never one, whatever number a headline
    # prints (`report = true` in its definition).
    report = source.options.get("report") is True
    notices: dict[str, RawNotice] = {}
    for entry in entries:
        notice = _notice(entry, page, source, language if isinstance(language, str) else None)
        if notice is not None and report:
            notice = replace(notice, report=True)
        if notice is not None:
            notices.setdefault(notice.url, notice)
    # A feed whose Chinese arrived as '?' would otherwise be a feed of new items.
    reject_lost_characters((n.title for n in notices.values()), page.url)
    return list(notices.values())


def _notice(entry: Any, page: Page, source: SourceDef, language: str | None) -> RawNotice | None:
    link = entry.get("link") or ""
    if not link and str(entry.get("id", "")).startswith(("http://", "https://")):
        link = entry.get("id")
    if not link:
        return None
    url = urljoin(page.final_url, str(link).strip())
    raw_title = str(entry.get("title") or "")
    title = _html_text(raw_title).replace("\n", " ") if "<" in raw_title else (
        normalise_line(raw_title)
    )  # fmt: skip
    text = _html_text(_body(entry)) or title
    published_at = _moment(entry.get("published_parsed") or entry.get("updated_parsed"))
    enclosures = tuple(
        Attachment(url=urljoin(url, e["href"]), name=normalise_line(e.get("title") or e["href"]))
        for e in entry.get("enclosures") or ()
        if e.get("href")
    )
    return RawNotice(
        source_id=source.id, url=url, title=title, text=text,
        published=published_at.date() if published_at else None, published_at=published_at,
        language=language or guess_language(f"{title}\n{text}"), attachments=enclosures,
    )  # fmt: skip


def _html_text(markup: str) -> str:
    """html_to_text through the light tree (the same parse, a fraction of bs4's cost)."""
    tree = parse_html(markup) if "<" in markup else None
    return tree_text(tree) if tree is not None else html_to_text(markup)


def _body(entry: Any) -> str:
    contents = entry.get("content") or []
    for content in contents:
        value = content.get("value")
        if value:
            return str(value)
    return str(entry.get("summary") or "")


def _moment(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's UTC struct_time → Beijing-time aware datetime."""
    if parsed is None:
        return None
    try:
        moment = datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    return moment.astimezone(BEIJING_OFFSET)
