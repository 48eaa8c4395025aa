"""/feed.json takes the `/` page's filters: kind, element, code, hs, source."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from monitor.clock import FixedClock
from monitor.config import build_settings
from monitor.errors import UsageError
from monitor.serve.feed import FeedQuery, render_feed
from monitor.serve.feed_filters import feed_filters
from monitor.serve.runner import start_in_thread
from monitor.store import Store
from tests.support.sample_events import ids, insert_events, sample_events

CLOCK = FixedClock(datetime(2026, 11, 20, 17, 0, tzinfo=UTC))
BASE = "http://127.0.0.1:8080"


@pytest.fixture
def filled(store: Store) -> Store:
    insert_events(store, sample_events(), {"evt-62-new": ["magnets"], "evt-70-new": ["magnets"]})
    return store


def feed(store: Store, **query: object) -> dict[str, object]:
    return render_feed(store, FeedQuery(**query), base_url=BASE)  # type: ignore[arg-type]


def test_filters_are_read_checked_and_kept_in_order() -> None:
    assert feed_filters({"hs": " 2805301200 ", "kind": "notice.new", "limit": "5", "code": ""}) == (
        ("kind", "notice.new"),
        ("hs", "2805301200"),
    )
    with pytest.raises(UsageError, match="rare-earth element"):
        feed_filters({"element": "Fe"})


def test_kind_and_source_narrow_the_feed(filled: Store) -> None:
    assert ids(feed(filled, all_events=True, filters=(("kind", "notice.new"),))) == [
        "evt-70-new",
        "evt-58-new",
        "evt-62-new",
    ]
    assert ids(feed(filled, filters=(("source", "elsewhere"),))) == []
    by_code = feed(filled, filters=(("code", "1E902"),))
    assert ids(by_code) == ["evt-62-rev", "evt-62-new"]
    mine = feed(filled, subscriber="magnets", filters=(("kind", "notice.new"),))
    assert ids(mine) == ["evt-70-new", "evt-62-new"]


def test_paging_and_since_keep_the_filters(filled: Store) -> None:
    first = feed(filled, limit=1, all_events=True, filters=(("kind", "notice.new"),))
    assert ids(first) == ["evt-70-new"]
    assert first["next_url"] == f"{BASE}/feed.json?kind=notice.new&all=1&limit=1&before=5"
    second = feed(filled, limit=1, all_events=True, before_seq=5, filters=(("kind", "notice.new"),))
    assert ids(second) == ["evt-58-new"]
    after = feed(filled, all_events=True, since="evt-58-new", filters=(("kind", "notice.new"),))
    assert ids(after) == ["evt-70-new"]
    with pytest.raises(UsageError, match="unknown event id"):
        feed(filled, since="evt-nope", filters=(("kind", "notice.new"),))


@pytest.fixture
def client(filled: Store, store_url: str) -> Iterator[httpx.Client]:
    settings = build_settings({"store": {"url": store_url}, "server": {"listen": "127.0.0.1:0"}})
    handle = start_in_thread(settings, filled, CLOCK, port=0)
    with httpx.Client(base_url=handle.url, timeout=10, trust_env=False) as http:
        yield http
    handle.stop()


def test_feed_json_answers_the_page_s_twin_link(client: httpx.Client) -> None:
    response = client.get("/feed.json", params={"kind": "measure.effective"})
    assert response.status_code == 200
    assert [i["id"] for i in response.json()["items"]] == ["evt-61-eff"]
    assert response.json()["feed_url"].endswith("/feed.json?kind=measure.effective")
    bad = client.get("/feed.json", params={"code": "not-a-code"})
    assert bad.status_code == 400 and "control-list code" in bad.json()["message"]
