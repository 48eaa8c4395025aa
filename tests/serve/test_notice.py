"""notice.py and GET /notices/<doc_key>.json: a notice's current state over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest

from monitor.clock import FixedClock
from monitor.config import build_settings
from monitor.detect.feed_item import notice_json
from monitor.errors import StoreError
from monitor.models import NoticeStatus
from monitor.serve.notice import notice_document
from monitor.serve.runner import ServerHandle, start_in_thread
from monitor.store import Store
from monitor.store.repository import add_url, insert_notice, mark_withdrawn, replace_notice
from tests.support.sample_events import NO_62

FIRST = datetime(2025, 10, 9, 1, 40, tzinfo=UTC)
SECOND = datetime(2025, 10, 9, 3, 0, tzinfo=UTC)
WIRE = "https://news.example.invalid/2025/10/09/rare-earth-tech.html"
PATH_KEY = "https://www.mofcom.gov.cn/xwfb/art/2025/art_1.html"


def _fill(store: Store) -> None:
    reported = replace(NO_62, url=WIRE, urls=(WIRE,), status=NoticeStatus.REPORTED)
    with store.begin() as tx:
        insert_notice(tx, reported, now=FIRST)
        add_url(tx, url=WIRE, doc_key=NO_62.doc_key, source_id="news", language="en",
                published=None, content_hash=None, now=FIRST)  # fmt: skip
        replace_notice(tx, NO_62, version=2, now=SECOND)
        add_url(tx, url=NO_62.url, doc_key=NO_62.doc_key, source_id="mofcom-zcfb",
                language="zh-Hans", published=None, content_hash=NO_62.content_hash,
                now=SECOND)  # fmt: skip
        insert_notice(tx, replace(NO_62, doc_key=PATH_KEY, url=PATH_KEY), now=FIRST)
        mark_withdrawn(tx, PATH_KEY, now=SECOND)


@pytest.fixture
def server(store: Store, store_url: str) -> Iterator[ServerHandle]:
    _fill(store)
    settings = build_settings({"store": {"url": store_url}, "server": {"listen": "127.0.0.1:0"}})
    handle = start_in_thread(settings, store, FixedClock(SECOND), port=0)
    yield handle
    handle.stop()


def test_the_document_is_the_feed_notice_plus_versions(store: Store) -> None:
    _fill(store)
    document = notice_document(store, NO_62.doc_key)
    assert document is not None
    expected = notice_json(replace(NO_62, urls=(WIRE, NO_62.url)))
    assert {k: document[k] for k in expected if k != "urls"} == {
        k: v for k, v in expected.items() if k != "urls"
    }
    assert document["status"] == "official"
    assert set(document["urls"]) == {WIRE, NO_62.url} and document["url"] == NO_62.url
    assert document["withdrawn_at"] is None
    assert document["versions"] == [
        {"version": 1, "seen_at": "2025-10-09T01:40:00Z", "content_hash": NO_62.content_hash,
         "url": WIRE},
        {"version": 2, "seen_at": "2025-10-09T03:00:00Z", "content_hash": NO_62.content_hash,
         "url": NO_62.url},
    ]  # fmt: skip
    assert notice_document(store, "MOFCOM-1999-1") is None


def test_http_serves_it_with_an_etag_and_404_for_unknown_keys(server: ServerHandle) -> None:
    with httpx.Client(base_url=server.url, timeout=10, trust_env=False) as http:
        answer = http.get(f"/notices/{NO_62.doc_key}.json")
        assert answer.status_code == 200
        assert answer.json()["doc_key"] == NO_62.doc_key
        again = http.get(f"/notices/{NO_62.doc_key}.json",
                         headers={"If-None-Match": answer.headers["etag"]})  # fmt: skip
        assert again.status_code == 304
        by_url = http.get(f"/notices/{PATH_KEY}.json")  # unnumbered notices are keyed by URL
        assert by_url.status_code == 200 and by_url.json()["withdrawn_at"] == "2025-10-09T03:00:00Z"
        missing = http.get("/notices/MOFCOM-1999-1.json")
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_an_unreadable_store_is_503(server: ServerHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(store: Store, doc_key: str) -> None:
        raise StoreError("down")

    monkeypatch.setattr("monitor.serve.app.notice_document", broken)
    with httpx.Client(base_url=server.url, timeout=10, trust_env=False) as http:
        assert http.get(f"/notices/{NO_62.doc_key}.json").status_code == 503
