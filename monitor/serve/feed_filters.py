"""/feed.json narrowed like the `/` page: `kind`, `element`, `code`, `hs`, `source`.

The page and its JSON twin take the same parameters (CONTRACT.md, "The web view"); both read
them with `parse_event_query` and the events through `store.notice_pages.event_page`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from monitor.errors import UsageError
from monitor.serve.event_query import parse_event_query
from monitor.store import Store
from monitor.store.feed import FeedRow
from monitor.store.notice_pages import event_page, event_seq

FILTER_NAMES = ("kind", "element", "code", "hs", "source")
Filters = tuple[tuple[str, str], ...]


def feed_filters(params: Mapping[str, str]) -> Filters:
    """The filter parameters given (empty ones dropped), checked: a bad one is a `UsageError`."""
    found = tuple(
        (name, params[name].strip()) for name in FILTER_NAMES if params.get(name, "").strip()
    )
    parse_event_query(dict(found))
    return found


def filtered_feed_rows(
    store: Store,
    filters: Filters,
    *,
    limit: int,
    subscriber: str | None,
    since: str | None,
    all_events: bool,
    before_seq: int | None,
) -> list[FeedRow]:
    """Up to `limit` stored items matching `filters`, newest first (the feed's other rules)."""
    query = replace(parse_event_query(dict(filters)), subscriber=subscriber, all_events=all_events)
    after = None
    if since is not None:
        after = event_seq(store, since)
        if after is None:
            raise UsageError(f"unknown event id for since: {since!r}")
    page = event_page(
        store,
        replace(query.where(), after_seq=after),
        limit=limit,
        before_seq=before_seq,
        keep=query.keep(),
    )
    return [FeedRow(row.seq, row.item) for row in page.rows]
