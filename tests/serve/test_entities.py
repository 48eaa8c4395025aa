"""GET /entities.json, served for real by uvicorn on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from monitor.clock import FixedClock
from monitor.config import build_settings
from monitor.serve.runner import ServerHandle, start_in_thread
from monitor.store import Store, open_store
from monitor.store.entities import save_entity_rows
from monitor.store.repository import insert_notice
from tests.controls.entity_records import page_records
from tests.support.sample_events import NO_62

CLOCK = FixedClock(datetime(2026, 6, 9, 17, 0, tzinfo=UTC))  # 2026-06-10 in Beijing


def store_pages(store: Store, *stems: str) -> None:
    for stem in stems:
        records = page_records(stem)
        first = records[0]
        notice = replace(
            NO_62,
            doc_key=first.doc_key,
            url=first.url,
            urls=(first.url,),
            published=first.published,
            facts=replace(
                NO_62.facts,
                doc_key=first.doc_key,
                effective=first.effective,
                entities=tuple(r.row for r in records),
            ),
        )
        with store.begin() as tx:
            insert_notice(tx, notice, now=CLOCK.now())
            save_entity_rows(tx, notice)


@pytest.fixture
def client(store: Store, store_url: str) -> Iterator[httpx.Client]:
    store_pages(store, "mofcom-2026-23", "mofcom-2026-27.big5")
    settings = build_settings({"store": {"url": store_url}, "server": {"listen": "127.0.0.1:0"}})
    handle: ServerHandle = start_in_thread(settings, store, CLOCK, port=0)
    try:
        with httpx.Client(base_url=handle.url, timeout=10, trust_env=False) as http:
            yield http
    finally:
        handle.stop()


def statuses(document: dict[str, object]) -> dict[str, str]:
    return {e["name_en"]: e["listings"][0]["status"] for e in document["entities"]}  # type: ignore[attr-defined, index]


def test_the_default_date_is_today_in_beijing(client: httpx.Client) -> None:
    response = client.get("/entities.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["as_of"] == "2026-06-10"
    assert statuses(document)["Redwood Satellite Communications Co."] == "repealed"
    etag = response.headers["etag"]
    assert client.get("/entities.json", headers={"If-None-Match": etag}).status_code == 304


def test_as_of_list_and_name(client: httpx.Client) -> None:
    before = client.get("/entities.json", params={"as_of": "2026-06-09"}).json()
    assert statuses(before)["Redwood Satellite Communications Co."] == "in_force"
    assert client.get("/entities.json", params={"list": "watch_list"}).json()["entities"] == []
    hits = client.get("/entities.json", params={"name": "紅木衛星"}).json()["entities"]
    assert hits[0]["name"] == "红木卫星通信公司" and hits[0]["score"] >= 90


def test_ftm_and_csv_formats(client: httpx.Client) -> None:
    ftm = client.get("/entities.json", params={"format": "ftm"})
    assert ftm.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in ftm.text.splitlines()]
    assert {line["schema"] for line in lines} == {"Company", "Organization", "Sanction"}
    table = client.get("/entities.json", params={"format": "csv", "list": "control_list"})
    assert table.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(table.text)))) == 8


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"as_of": "yesterday"}, "as_of must be YYYY-MM-DD"),
        ({"as_of": "2026-02-30"}, "as_of is not a date"),
        ({"list": "entity_list"}, "unknown list 'entity_list'"),
        ({"format": "xml"}, "format must be one of json, ftm, csv"),
        ({"name": "x" * 201}, "name is longer than 200"),
    ],
)
def test_bad_queries_are_400_with_the_reason(
    client: httpx.Client, params: dict[str, str], message: str
) -> None:
    response = client.get("/entities.json", params=params)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert message in response.json()["message"]


def test_an_unreadable_store_is_503(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    broken = open_store(url)
    settings = build_settings({"store": {"url": url}, "server": {"listen": "127.0.0.1:0"}})
    handle = start_in_thread(settings, broken, CLOCK, port=0)
    try:
        broken.engine.dispose()
        with broken.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE entity_rows")
        with httpx.Client(base_url=handle.url, timeout=10, trust_env=False) as http:
            response = http.get("/entities.json")
        assert response.status_code == 503
        assert response.json()["error"] == "unavailable"
    finally:
        handle.stop()
        broken.dispose()
