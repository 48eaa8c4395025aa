"""JSON Feed 1.1 documents of stored events (CONTRACT.md, "JSON Feed").

`feed_document` only reads the items frozen in ``events.item`` back, newest first
(`monitor.store.feed`); the items themselves are made once, at detection, by
`monitor.detect.feed_item`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode

from monitor.errors import UsageError
from monitor.serve.feed_filters import Filters, filtered_feed_rows
from monitor.store import Store
from monitor.store.feed import feed_rows

JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
FEED_TITLE = "regwatch: China MOFCOM rare-earth export-control notices"


@dataclass(frozen=True)
class FeedQuery:
    """Which events a feed document shows; hashable, so it can key a cache."""

    subscriber: str | None = None
    since: str | None = None
    all_events: bool = False
    limit: int = DEFAULT_LIMIT
    before_seq: int | None = None
    filters: Filters = ()  # kind, element, code, hs, source (`feed_filters`), as the page

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, got {self.limit}")
        if self.before_seq is not None and self.before_seq < 1:
            raise UsageError(f"before must be a positive integer, got {self.before_seq}")
        if self.subscriber is not None and not self.subscriber:
            raise UsageError("subscriber must not be empty")
        if self.since is not None and not self.since:
            raise UsageError("since must not be empty")

    def url(self, base_url: str, *, before_seq: int | None = None) -> str:
        """The feed URL for this query (``before_seq`` turns it into a page cursor)."""
        params: list[tuple[str, str]] = []
        if self.subscriber is not None:
            params.append(("subscriber", self.subscriber))
        params.extend(self.filters)
        if self.all_events:
            params.append(("all", "1"))
        if before_seq is not None:
            if self.since is not None:
                params.append(("since", self.since))
            if self.limit != DEFAULT_LIMIT:
                params.append(("limit", str(self.limit)))
            params.append(("before", str(before_seq)))
        query = urlencode(params)
        return f"{base_url.rstrip('/')}/feed.json" + (f"?{query}" if query else "")


def feed_document(
    store: Store,
    *,
    base_url: str,
    subscriber: str | None = None,
    since: str | None = None,
    all_events: bool = False,
    limit: int = DEFAULT_LIMIT,
    before_seq: int | None = None,
) -> dict[str, Any]:
    """A JSON Feed 1.1 document of stored events, newest first.

    Default: rare-earth-relevant events only; `all_events`: every event; `subscriber`:
    only events recorded for that subscriber; `since`: only events after that event id
    (an unknown id is a `UsageError`). `next_url` pages on with ``before=<seq>``.
    """
    query = FeedQuery(subscriber, since, all_events, limit, before_seq)
    return render_feed(store, query, base_url=base_url)


def render_feed(store: Store, query: FeedQuery, *, base_url: str) -> dict[str, Any]:
    read = (
        partial(filtered_feed_rows, store, query.filters)
        if query.filters
        else partial(feed_rows, store)
    )
    rows = read(
        limit=query.limit + 1,  # one more tells whether there is a next page
        subscriber=query.subscriber,
        since=query.since,
        all_events=query.all_events,
        before_seq=query.before_seq,
    )
    page = rows[: query.limit]
    document: dict[str, Any] = {
        "version": JSONFEED_VERSION,
        "title": _feed_title(query),
        "home_page_url": f"{base_url.rstrip('/')}/",
        "feed_url": query.url(base_url),
        "description": "Changes to China's rare-earth export controls, as regwatch saw them "
        "on MOFCOM and the other watched sources. One item per event.",
        "items": [row.item for row in page],
    }
    if len(rows) > query.limit:
        document["next_url"] = query.url(base_url, before_seq=page[-1].seq)
    return document


def _feed_title(query: FeedQuery) -> str:
    if query.subscriber is not None:
        return f"{FEED_TITLE} — for {query.subscriber}"
    return FEED_TITLE + (" — all events" if query.all_events else "")
