"""`/entities` over HTTP from a real server on 127.0.0.1, on a store holding designation notices."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from bs4 import BeautifulSoup

from monitor.config import build_settings
from monitor.serve.runner import start_in_thread
from monitor.store import Store
from tests.serve.test_entities import CLOCK, store_pages


@pytest.fixture
def client(sqlite_store: Store) -> Iterator[httpx.Client]:
    store_pages(sqlite_store, "mofcom-2026-23", "mofcom-2026-27.big5")
    settings = build_settings(
        {"store": {"url": str(sqlite_store.engine.url)}, "server": {"listen": "127.0.0.1:0"}}
    )
    handle = start_in_thread(settings, sqlite_store, CLOCK, port=0)
    with httpx.Client(base_url=handle.url, timeout=10, trust_env=False) as http:
        yield http
    handle.stop()


def rows(response: httpx.Response) -> list[BeautifulSoup]:
    assert response.status_code == 200, response.text
    page = BeautifulSoup(response.text, "html.parser")
    return page.select("table tbody tr")


def test_the_page_lists_every_party_with_its_listing_status(client: httpx.Client) -> None:
    listed = rows(client.get("/entities", params={"as_of": "2026-06-09"}))
    names = [row.select_one(".entity-name").get_text() for row in listed]
    assert "蓝岭导弹系统公司" in names
    blue_ridge = listed[names.index("蓝岭导弹系统公司")]
    assert "Blue Ridge Missile Systems, Inc." in blue_ridge.get_text()
    assert blue_ridge.select_one(".status").get_text() == "in force"
    assert blue_ridge.select_one("a")["href"] == "/notices/MOFCOM-2026-23"


def test_a_removed_party_shows_repealed_on_a_later_date(client: httpx.Client) -> None:
    document = client.get("/entities.json", params={"as_of": "2026-06-10"}).json()
    repealed = {e["name"] for e in document["entities"] if e["listings"][0]["status"] == "repealed"}
    assert repealed, "the 繁體 removal notice acts on an earlier listing"
    listed = rows(client.get("/entities", params={"as_of": "2026-06-10"}))
    shown = {
        row.select_one(".entity-name").get_text(): row.select_one(".status").get_text()
        for row in listed
    }
    assert {name for name, status in shown.items() if status == "repealed"} == repealed


def test_a_name_search_in_english_finds_the_chinese_name_with_a_score(
    client: httpx.Client,
) -> None:
    listed = rows(client.get("/entities", params={"name": "blue ridge missile"}))
    assert listed[0].select_one(".entity-name").get_text() == "蓝岭导弹系统公司"
    assert int(listed[0].select_one("td[data-label=Score]").get_text()) >= 75


def test_a_bad_list_is_a_400_page_naming_it(client: httpx.Client) -> None:
    response = client.get("/entities", params={"list": "sdn"})
    assert response.status_code == 400
    assert "sdn" in response.text
