from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from monitor.detect.feed_item import item_for_event
from monitor.errors import UsageError
from monitor.serve.feed import JSONFEED_VERSION, FeedQuery, feed_document
from monitor.store import Store
from tests.support.feed_schema import assert_valid_feed
from tests.support.sample_events import (
    BASE,
    by_id,
    ids,
    insert_events,
    sample_events,
)

# --- documents -------------------------------------------------------------------------


@pytest.fixture
def filled(store: Store) -> Store:
    insert_events(
        store,
        sample_events(),
        {
            "evt-62-new": ["magnets", "tech"],
            "evt-70-new": ["magnets"],
            "evt-61-lapse": ["tech"],
        },
    )
    return store


def test_default_feed_is_relevant_events_newest_first(filled: Store) -> None:
    doc = feed_document(filled, base_url=BASE)
    assert_valid_feed(doc)
    assert doc["version"] == JSONFEED_VERSION
    assert doc["feed_url"] == f"{BASE}/feed.json"
    assert doc["home_page_url"] == f"{BASE}/"
    assert ids(doc) == ["evt-61-lapse", "evt-70-new", "evt-61-eff", "evt-62-rev", "evt-62-new"]
    assert "next_url" not in doc
    assert doc["items"][-1] == item_for_event(by_id("evt-62-new"))


def test_all_includes_events_that_are_not_relevant(filled: Store) -> None:
    doc = feed_document(filled, base_url=BASE, all_events=True)
    assert_valid_feed(doc)
    assert ids(doc) == [e.id for e in reversed(sample_events())]
    assert doc["feed_url"] == f"{BASE}/feed.json?all=1"


def test_subscriber_feed_has_only_their_events(filled: Store) -> None:
    magnets = feed_document(filled, base_url=BASE, subscriber="magnets")
    tech = feed_document(filled, base_url=BASE, subscriber="tech")
    nobody = feed_document(filled, base_url=BASE, subscriber="nobody")
    for doc in (magnets, tech, nobody):
        assert_valid_feed(doc)
    assert ids(magnets) == ["evt-70-new", "evt-62-new"]
    assert ids(tech) == ["evt-61-lapse", "evt-62-new"]
    assert ids(nobody) == []
    assert magnets["feed_url"] == f"{BASE}/feed.json?subscriber=magnets"


def test_since_gives_only_later_events(filled: Store) -> None:
    doc = feed_document(filled, base_url=BASE, since="evt-62-rev")
    assert_valid_feed(doc)
    assert ids(doc) == ["evt-61-lapse", "evt-70-new", "evt-61-eff"]
    newest = feed_document(filled, base_url=BASE, since="evt-61-lapse")
    # the since event itself need not be in the filtered feed
    magnets = feed_document(filled, base_url=BASE, since="evt-58-new", subscriber="magnets")
    for checked in (newest, magnets):
        assert_valid_feed(checked)
    assert ids(newest) == []
    assert ids(magnets) == ["evt-70-new"]


def test_unknown_since_is_a_usage_error(filled: Store) -> None:
    with pytest.raises(UsageError, match="no-such-event"):
        feed_document(filled, base_url=BASE, since="no-such-event")


@pytest.mark.parametrize(
    "kwargs", [{"limit": 0}, {"limit": 501}, {"before_seq": 0}, {"subscriber": ""}, {"since": ""}]
)
def test_bad_arguments_are_usage_errors(store: Store, kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        feed_document(store, base_url=BASE, **kwargs)


def _follow(store: Store, doc: dict[str, Any]) -> dict[str, Any]:
    query = parse_qs(urlsplit(doc["next_url"]).query)
    one = {k: v[0] for k, v in query.items()}
    return feed_document(
        store,
        base_url=BASE,
        subscriber=one.get("subscriber"),
        since=one.get("since"),
        all_events=one.get("all") == "1",
        limit=int(one.get("limit", 50)),
        before_seq=int(one["before"]),
    )


def test_paging_walks_every_event_once_and_keeps_the_filters(filled: Store) -> None:
    doc = feed_document(filled, base_url=BASE, all_events=True, since="evt-58-new", limit=2)
    pages = [doc]
    while "next_url" in pages[-1]:
        assert_valid_feed(pages[-1])
        query = parse_qs(urlsplit(pages[-1]["next_url"]).query)
        assert query["all"] == ["1"]
        assert query["since"] == ["evt-58-new"]
        assert query["limit"] == ["2"]
        pages.append(_follow(filled, pages[-1]))
    walked = [event_id for page in pages for event_id in ids(page)]
    assert walked == ["evt-61-lapse", "evt-70-new", "evt-61-eff", "evt-62-rev"]
    assert [len(ids(p)) for p in pages] == [2, 2]


def test_empty_store_gives_an_empty_feed(store: Store) -> None:
    doc = feed_document(store, base_url=BASE)
    assert_valid_feed(doc)
    assert doc["items"] == []
    assert "next_url" not in doc


def test_feed_query_url_is_the_cursor_format() -> None:
    query = FeedQuery(subscriber="magnets", since="evt-1", limit=10)
    assert query.url(BASE) == f"{BASE}/feed.json?subscriber=magnets"
    assert query.url(BASE + "/", before_seq=7) == (
        f"{BASE}/feed.json?subscriber=magnets&since=evt-1&limit=10&before=7"
    )
