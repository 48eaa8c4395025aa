"""The HTTP server, started for real with uvicorn on 127.0.0.1 and queried over HTTP."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

import monitor.serve.app
from monitor.clock import FixedClock
from monitor.config import Settings, build_settings
from monitor.controls.document import ControlsState, controls_json
from monitor.controls.queries import stored_controls
from monitor.detect.feed_item import item_for_event
from monitor.models import Event
from monitor.serve.app import _VersionProbe
from monitor.serve.runner import ServerHandle, start_in_thread
from monitor.serve.schema import feed_item_schema
from monitor.store import Store, open_store
from monitor.store.tables import events, outbox, sources
from tests.support.databases import postgres_schema_url
from tests.support.feed_schema import assert_valid_feed
from tests.support.sample_events import ids, insert_events, sample_events

MAGNETS_TOKEN = "magnets-token-3f9a1c"
# 2026-11-20 17:00 UTC is already 2026-11-21 in Beijing.
CLOCK = FixedClock(datetime(2026, 11, 20, 17, 0, tzinfo=UTC))
RELEVANT_NEWEST_FIRST = ["evt-61-lapse", "evt-70-new", "evt-61-eff", "evt-62-rev", "evt-62-new"]
RECIPIENTS = {"evt-62-new": ["magnets", "tech"], "evt-70-new": ["magnets"]}


def make_settings(store_url: str) -> Settings:
    return build_settings(
        {
            "store": {"url": store_url},
            "server": {"listen": "127.0.0.1:0"},
            "subscribers": [
                {"name": "magnets", "feed_token_env": "FEED_TOKEN_MAGNETS"},
                {"name": "tech", "feed_token_env": "FEED_TOKEN_TECH"},  # variable left unset
            ],
        }
    )


@pytest.fixture
def settings(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FEED_TOKEN_MAGNETS", MAGNETS_TOKEN)
    monkeypatch.delenv("FEED_TOKEN_TECH", raising=False)
    return make_settings(store_url)


@pytest.fixture
def server(store: Store, settings: Settings) -> Iterator[ServerHandle]:
    handle = start_in_thread(settings, store, CLOCK, port=0)
    yield handle
    handle.stop()


@pytest.fixture
def client(server: ServerHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10, trust_env=False) as http:
        yield http


@pytest.fixture
def filled(store: Store) -> Store:
    insert_events(store, sample_events(), RECIPIENTS)
    return store


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- /feed.json ------------------------------------------------------------------------


def test_feed_is_served_as_json_feed_with_an_etag(
    filled: Store, server: ServerHandle, client: httpx.Client
) -> None:
    response = client.get("/feed.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/feed+json"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["etag"])
    doc = response.json()
    assert_valid_feed(doc)
    assert ids(doc) == RELEVANT_NEWEST_FIRST
    assert doc["feed_url"] == f"{server.url}/feed.json"
    assert "商务部公告2025年第62号" in response.text  # UTF-8, not \\u escapes


def test_if_none_match_gives_304_until_an_event_arrives(
    filled: Store, client: httpx.Client
) -> None:
    first = client.get("/feed.json")
    etag = first.headers["etag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = client.get("/feed.json", headers={"If-None-Match": header})
        assert again.status_code == 304, header
        assert again.content == b""
        assert again.headers["etag"] == etag
    assert client.get("/feed.json", headers={"If-None-Match": '"other"'}).status_code == 200

    insert_events(filled, [replace(sample_events()[0], id="evt-62-again")])
    changed = client.get("/feed.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert ids(changed.json())[0] == "evt-62-again"
    assert_valid_feed(changed.json())


def _insert_at(store: Store, seq: int, event: Event) -> None:
    with store.begin() as connection:
        connection.execute(
            events.insert().values(
                seq=seq,
                id=event.id,
                kind=event.kind.value,
                doc_key=event.notice.doc_key,
                source_id=event.source_id,
                detected_at=event.detected_at,
                relevant=event.relevant,
                item=item_for_event(event),
            )
        )


def test_an_event_committed_below_the_newest_seq_still_changes_the_feed(
    store: Store, client: httpx.Client
) -> None:
    # PostgreSQL hands out seqs before commit, so a late commit can land below max(seq).
    first, late = sample_events()[0], sample_events()[2]
    _insert_at(store, 10, first)
    etag = client.get("/feed.json").headers["etag"]
    _insert_at(store, 5, late)
    response = client.get("/feed.json", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert_valid_feed(response.json())
    assert ids(response.json()) == [first.id, late.id]


def test_all_and_since_over_http(filled: Store, client: httpx.Client) -> None:
    every = client.get("/feed.json", params={"all": "1"}).json()
    assert_valid_feed(every)
    assert ids(every) == [e.id for e in reversed(sample_events())]
    since = client.get("/feed.json", params={"since": "evt-61-eff"}).json()
    assert_valid_feed(since)
    assert ids(since) == ["evt-61-lapse", "evt-70-new"]


def test_next_url_pages_through_the_whole_feed(
    filled: Store, server: ServerHandle, client: httpx.Client
) -> None:
    url: str | None = f"{server.url}/feed.json?all=1&limit=2"
    seen: list[str] = []
    pages = 0
    while url is not None:
        doc = client.get(url).json()
        assert_valid_feed(doc)
        seen += ids(doc)
        pages += 1
        url = doc.get("next_url")
        assert url is None or url.startswith(f"{server.url}/feed.json?all=1&limit=2&before=")
    assert seen == [e.id for e in reversed(sample_events())]
    assert pages == 3


def test_links_never_come_from_the_host_header(
    filled: Store, server: ServerHandle, client: httpx.Client
) -> None:
    forged = client.get("/feed.json?all=1&limit=2", headers={"Host": "evil.example"}).json()
    own = client.get("/feed.json?all=1&limit=2").json()
    for doc in (forged, own):
        assert_valid_feed(doc)
        assert doc["feed_url"] == f"{server.url}/feed.json?all=1"
        assert doc["next_url"].startswith(f"{server.url}/feed.json?all=1&limit=2&before=")
    assert "evil.example" not in json.dumps(forged)


def test_links_use_the_public_url_when_set(filled: Store, store: Store) -> None:
    settings = build_settings(
        {"server": {"listen": "127.0.0.1:0", "public_url": "https://regwatch.example.org/rw/"}}
    )
    handle = start_in_thread(settings, store, CLOCK, port=0)
    try:
        with httpx.Client(base_url=handle.url, timeout=10, trust_env=False) as http:
            doc = http.get("/feed.json?limit=2", headers={"Host": "evil.example"}).json()
    finally:
        handle.stop()
    assert doc["feed_url"] == "https://regwatch.example.org/rw/feed.json"
    assert doc["next_url"].startswith("https://regwatch.example.org/rw/feed.json?limit=2&before=")


BAD_QUERIES = [
    "since=no-such-event",
    "before=abc",
    "before=0",
    "before=-3",
    "all=maybe",
    "limit=0",
    "limit=9999",
    "limit=x",
    "subscriber=",
]


def test_bad_parameters_are_400_with_a_json_error(filled: Store, client: httpx.Client) -> None:
    for query in BAD_QUERIES:
        response = client.get(f"/feed.json?{query}")
        assert response.status_code == 400, query
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["error"] == "bad_request"
        assert body["message"], query


# --- subscriber feeds ------------------------------------------------------------------


def test_subscriber_feed_with_the_right_token(filled: Store, client: httpx.Client) -> None:
    response = client.get("/feed.json?subscriber=magnets", headers=bearer(MAGNETS_TOKEN))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["vary"] == "Authorization"
    doc = response.json()
    assert_valid_feed(doc)
    assert ids(doc) == ["evt-70-new", "evt-62-new"]
    revalidated = client.get(
        "/feed.json?subscriber=magnets",
        headers={**bearer(MAGNETS_TOKEN), "If-None-Match": response.headers["etag"]},
    )
    assert revalidated.status_code == 304


REFUSED = [
    ("magnets", {}),
    ("magnets", bearer("wrong-token")),
    ("magnets", bearer(MAGNETS_TOKEN + "x")),
    ("magnets", {"Authorization": f"Basic {MAGNETS_TOKEN}"}),
    ("magnets", {"Authorization": MAGNETS_TOKEN}),
    ("tech", bearer("anything")),  # its token variable is unset: nothing opens that feed
    ("tech", {"Authorization": "Bearer"}),
    ("nobody", bearer(MAGNETS_TOKEN)),  # unknown: same answer as a wrong token
]


def test_subscriber_feed_refuses_without_the_right_token(
    filled: Store, client: httpx.Client
) -> None:
    for subscriber, headers in REFUSED:
        response = client.get(f"/feed.json?subscriber={subscriber}", headers=headers)
        assert response.status_code == 401, (subscriber, headers)
        assert response.headers["www-authenticate"] == 'Bearer realm="regwatch"'
        assert response.json() == {
            "error": "unauthorized",
            "message": "this feed needs the subscriber's bearer token",
        }


def test_etag_alone_does_not_open_a_subscriber_feed(filled: Store, client: httpx.Client) -> None:
    etag = client.get("/feed.json?subscriber=magnets", headers=bearer(MAGNETS_TOKEN)).headers[
        "etag"
    ]
    response = client.get("/feed.json?subscriber=magnets", headers={"If-None-Match": etag})
    assert response.status_code == 401


# --- /controls.json --------------------------------------------------------------------


@pytest.fixture
def queries_module(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Store, date]]:
    """The app's controls reader replaced by one that records its calls."""
    calls: list[tuple[Store, date]] = []

    def stored_controls(store: Store, as_of: date) -> ControlsState:
        calls.append((store, as_of))
        return ControlsState(as_of=as_of, measures=(), controls=())

    monkeypatch.setattr(monitor.serve.app, "stored_controls", stored_controls)
    return calls


def test_controls_defaults_to_today_in_beijing(
    store: Store, client: httpx.Client, queries_module: list[tuple[Store, date]]
) -> None:
    response = client.get("/controls.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"as_of": "2026-11-21", "measures": [], "controls": [], "items": []}
    assert queries_module == [(store, date(2026, 11, 21))]
    etag = response.headers["etag"]
    assert client.get("/controls.json", headers={"If-None-Match": etag}).status_code == 304


def test_controls_as_of_a_given_date(
    store: Store, client: httpx.Client, queries_module: list[tuple[Store, date]]
) -> None:
    response = client.get("/controls.json?as_of=2025-11-08")
    assert response.status_code == 200
    assert response.json()["as_of"] == "2025-11-08"
    assert queries_module[-1][1] == date(2025, 11, 8)


def test_controls_bad_date_is_400(
    store: Store, client: httpx.Client, queries_module: list[tuple[Store, date]]
) -> None:
    for value in ["2025-13-01", "2025-02-30", "yesterday", "20251108", ""]:
        response = client.get(f"/controls.json?as_of={value}")
        assert response.status_code == 400, value
        assert response.json()["error"] == "bad_request"
    assert queries_module == []


def test_controls_comes_from_the_queries_module(store: Store, client: httpx.Client) -> None:
    insert_events(store, sample_events())
    response = client.get("/controls.json?as_of=2025-11-08")
    assert response.status_code == 200
    assert response.json()["as_of"] == "2025-11-08"
    assert (
        response.content
        == json.dumps(
            controls_json(stored_controls(store, date(2025, 11, 8))),
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
    )


# --- /healthz and /metrics -------------------------------------------------------------


def _health_rows(store: Store) -> None:
    now = datetime(2026, 11, 20, 16, 55, tzinfo=UTC)
    with store.begin() as connection:
        connection.execute(
            sources.insert(),
            [
                {
                    "id": "mofcom-zcfb",
                    "kind": "mofcom-jpaas",
                    "last_success_at": now,
                    "last_error": None,
                    "consecutive_failures": 0,
                },
                {
                    "id": "news-rss",
                    "kind": "rss",
                    "last_success_at": None,
                    "last_error": "fetch: HTTP 503",
                    "consecutive_failures": 4,
                },
            ],
        )
        rows = [("pending", "a"), ("pending", "b"), ("retry", "c"), ("dead", "d"), ("sent", "e")]
        connection.execute(
            outbox.insert(),
            [
                {
                    "event_id": f"evt-{suffix}",
                    "subscriber": "magnets",
                    "channel": "slack",
                    "status": status,
                    "created_at": now,
                    "next_attempt_at": now,
                }
                for status, suffix in rows
            ],
        )


def test_healthz_reports_sources_and_outbox(store: Store, client: httpx.Client) -> None:
    _health_rows(store)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "sources": [
            {
                "id": "mofcom-zcfb",
                "state": "ok",
                "last_success_at": "2026-11-20T16:55:00Z",
                "last_attempt_at": None,
                "last_error": None,
                "last_error_reason": None,
                "consecutive_failures": 0,
            },
            {
                "id": "news-rss",
                "state": "failing",
                "last_success_at": None,
                "last_attempt_at": None,
                "last_error": "fetch: HTTP 503",
                "last_error_reason": None,
                "consecutive_failures": 4,
            },
        ],
        "outbox": {"pending": 3, "dead": 1},
    }


def test_metrics_are_prometheus_text_read_from_the_store(
    store: Store, client: httpx.Client
) -> None:
    _health_rows(store)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in (
        "regwatch_polls_total",
        "regwatch_events_total",
        "regwatch_deliveries_total",
        "regwatch_poll_seconds",
        "regwatch_delivery_seconds",
    ):
        assert f"# TYPE {name.removesuffix('_total')}" in text
    assert 'regwatch_outbox_depth{status="pending"} 2.0' in text
    assert 'regwatch_outbox_depth{status="dead"} 1.0' in text
    assert 'regwatch_source_consecutive_failures{source="news-rss"} 4.0' in text
    stamp = re.search(
        r'^regwatch_source_last_success_timestamp_seconds\{source="mofcom-zcfb"\} (\S+)$',
        text,
        re.MULTILINE,
    )
    assert stamp is not None
    assert float(stamp.group(1)) == datetime(2026, 11, 20, 16, 55, tzinfo=UTC).timestamp()


def test_schema_is_served(store: Store, client: httpx.Client) -> None:
    response = client.get("/schema/feed-item.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    assert response.json() == feed_item_schema()


# --- the store goes away ---------------------------------------------------------------


def _assert_unavailable(url: str, *, notices_gone: bool = True) -> None:
    with httpx.Client(base_url=url, timeout=30, trust_env=False) as http:
        health = http.get("/healthz")
        assert health.status_code == 503
        assert health.json()["status"] == "unavailable"
        feed = http.get("/feed.json")
        assert feed.status_code == 503
        assert feed.json()["error"] == "unavailable"
        if notices_gone:
            controls = http.get("/controls.json")
            assert controls.status_code == 503
            assert controls.json()["error"] == "unavailable"
        assert http.get("/metrics").status_code == 200  # stale gauges beat no metrics


def test_503_when_the_sqlite_file_vanishes(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = open_store(f"sqlite:///{folder / 'regwatch.db'}")
    handle = start_in_thread(make_settings("sqlite://"), store, CLOCK, port=0)
    try:
        with httpx.Client(base_url=handle.url, timeout=10, trust_env=False) as http:
            assert http.get("/healthz").status_code == 200
        folder.rename(tmp_path / "moved")
        store.engine.dispose()
        _assert_unavailable(handle.url)
    finally:
        handle.stop()
        store.dispose()


@pytest.mark.postgres
def test_503_when_postgresql_is_unreachable_or_its_schema_gone() -> None:
    unreachable = Store(
        sa.create_engine(
            "postgresql+psycopg://postgres@127.0.0.1:1/test", connect_args={"connect_timeout": 2}
        )
    )
    with postgres_schema_url() as url:
        dropped = open_store(url)
        handles = [
            start_in_thread(make_settings(url), s, CLOCK, port=0) for s in (unreachable, dropped)
        ]
        try:
            _assert_unavailable(handles[0].url)
            with dropped.begin() as connection:
                connection.execute(sa.text("DROP TABLE sources, outbox, events, recipients"))
            _assert_unavailable(handles[1].url, notices_gone=False)
        finally:
            for handle in handles:
                handle.stop()
            dropped.dispose()


# --- the feed version probe -----------------------------------------------------------


class _CountingRead:
    """A store read that counts its calls; the first one can be held open."""

    def __init__(self, *, hold_first: bool = False) -> None:
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()
        if not hold_first:
            self.release.set()

    def __call__(self) -> tuple[int, int]:
        self.calls += 1
        calls = self.calls
        self.entered.set()
        assert self.release.wait(10)
        return calls, calls


def test_version_probe_reads_again_for_every_sequential_caller() -> None:
    read = _CountingRead()

    async def scenario() -> list[tuple[int, int]]:
        probe = _VersionProbe(read)
        return [await probe.version() for _ in range(3)]

    assert asyncio.run(scenario()) == [(1, 1), (2, 2), (3, 3)]


def test_version_probe_shares_one_read_among_callers_that_arrive_together() -> None:
    read = _CountingRead()

    async def scenario() -> list[tuple[int, int]]:
        probe = _VersionProbe(read)
        return list(await asyncio.gather(*(probe.version() for _ in range(10))))

    assert asyncio.run(scenario()) == [(1, 1)] * 10
    assert read.calls == 1


def test_version_probe_never_answers_with_a_read_that_began_before_the_call() -> None:
    read = _CountingRead(hold_first=True)

    async def scenario() -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
        probe = _VersionProbe(read)
        early = asyncio.ensure_future(probe.version())
        await asyncio.to_thread(read.entered.wait, 10)  # the first read is under way
        late = [asyncio.ensure_future(probe.version()) for _ in range(2)]
        await asyncio.sleep(0)
        read.release.set()
        first = await early
        second, third = await asyncio.gather(*late)
        return first, second, third

    first, second, third = asyncio.run(scenario())
    assert first == (1, 1)
    assert second == third == (2, 2)  # one shared read, started after the first one ended
    assert read.calls == 2


def test_controls_lookup_bad_value_is_400(client: httpx.Client) -> None:
    response = client.get("/controls.json?hs=85A5&as_of=2025-12-01")
    assert response.status_code == 400
    assert "hs" in response.text


def test_controls_lookup_answers_with_matched(client: httpx.Client) -> None:
    response = client.get("/controls.json?element=Dy&as_of=2025-12-01")
    assert response.status_code == 200
    document = response.json()
    assert document["query"] == {"hs": None, "code": None, "element": "Dy"}
    assert {"measures", "controls", "items"} <= set(document)
